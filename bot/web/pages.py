"""Rendering: Jinja2 templates (autoescaped) with the filters the pages share."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from bot.render.svg import Bar, share_bars, stacked_bar

TEMPLATES = Path(__file__).parent / "templates"
MONTH_MARKS = {"ok": "✓", "missed": "✗", "at_risk": "⚠", "planned": "…", "upcoming": "·"}
MONTH_WORDS = {"ok": "达标", "missed": "未达标", "at_risk": "有风险", "planned": "已安排", "upcoming": "未到"}
STATUS_WORDS = {"scheduled": "已安排", "live": "进行中", "ended": "已结束", "cancelled": "已取消"}
SUMMARY_WORDS = {"": "—", "requested": "待提交", "returned": "已退回", "submitted": "待审核", "approved": "已通过"}
GRADE_WORDS = {"excellent": "优秀", "pass": "合格", "fail": "不合格"}


class Pages:
    """The templates of one program's dashboard: its name in every title, its path in every link."""

    def __init__(self, zone: ZoneInfo, program: str, root: str) -> None:
        self.zone = zone
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(("html",)),
                               trim_blocks=True, lstrip_blocks=True)
        self.env.filters.update(local=self._local, number=_number, percent=_percent)
        self.env.globals.update(
            program=program, root=root, month_marks=MONTH_MARKS, month_words=MONTH_WORDS, status_words=STATUS_WORDS,
            summary_words=SUMMARY_WORDS, grade_words=GRADE_WORDS, completion_chart=completion_chart,
            grade_chart=grade_chart,
        )

    def _local(self, moment: datetime | date | None, pattern: str = "%m-%d %H:%M") -> str:
        if moment is None:
            return "—"
        if isinstance(moment, datetime):
            moment = moment.astimezone(self.zone)
        return moment.strftime(pattern)

    def render(self, template: str, status: int = 200, **values) -> web.Response:
        html = self.env.get_template(template).render(**values)
        return web.Response(text=html, status=status, content_type="text/html", charset="utf-8",
                            headers=_SECURITY_HEADERS)

    def problem(self, status: int, title: str, text: str) -> web.Response:
        return self.render("problem.html", status=status, title=title, text=text, viewer=None)


_SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}
"""Links carry a token: never sent on as a referrer; pages are not cached or framed; no script at all."""


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _percent(value: float) -> str:
    return f"{value:.0%}"


def completion_chart(view) -> Markup:
    bars = [Bar(row.name, row.month_completion, "behind" if row.behind else "ok",
                f"{row.month_completion:.0%}") for row in view.rows]
    return Markup(share_bars(bars, title=f"{view.month.month}月反思、案例完成率（由低到高）"))


def grade_chart(view) -> Markup:
    total = view.total.grades
    parts = [(GRADE_WORDS[grade], total.get(grade, 0), grade) for grade in ("excellent", "pass", "fail")]
    return Markup(stacked_bar(parts, title=f"{view.period_name}等级分布（当前积分）"))
