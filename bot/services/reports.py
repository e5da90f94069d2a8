"""The files a project office files: a workbook of records, hours and scores for a date range, school
or workshop, and the monthly briefing (研修简报). Used by /export and `yanxiu export`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.services.scores import current_period, grade_label, missing_text, standings
from bot.domain.checkins import month_bounds
from bot.domain.records import LABELS, RecordKind
from bot.domain.session_status import SessionStatus
from bot.i18n import Translator
from bot.services.sessions import compliance_lines
from bot.domain.policy import Policy
from storage.repositories import Repositories

if TYPE_CHECKING:  # at run time imported where used: it loads openpyxl and python-docx
    from bot.render.exports import Briefing, Sheet

CATEGORIES = {"school": "校本", "online": "线上"}


async def workbook(
    repos: Repositories, policy: Policy, t: Translator, zone: ZoneInfo, today: date, first: date, last: date,
    *, school_id: int | None = None, workshop_id: int | None = None,
) -> list[Sheet]:
    from bot.render.exports import Sheet

    records = [
        (rid, name, school, workshop, LABELS[RecordKind(kind)], day, title, length or 0, observed, subject,
         created.astimezone(zone).replace(tzinfo=None))
        for rid, name, school, workshop, kind, day, title, length, observed, subject, created
        in await repos.reports.records(first, last, school_id, workshop_id)
    ]
    hours = [
        (name, school, day, CATEGORIES.get(category, category), hours, minutes, source, description)
        for name, school, day, category, hours, minutes, source, description
        in await repos.reports.hours(first, last, school_id, workshop_id)
    ]
    ranked = await standings(repos, policy, today, school_id=school_id, workshop_id=workshop_id)
    scores = [
        (rank, s.who.name, s.who.school, s.who.workshop, s.school_hours, s.online_hours, s.score.points,
         grade_label(t, s.score.grade), missing_text(t, s.score.missing))
        for rank, s in enumerate(ranked, 1)
    ]
    return [
        Sheet("研修记录", ("编号", "姓名", "学校", "工作坊", "类型", "日期", "标题", "字数", "被听课教师", "班级学科",
                       "提交时间"), records),
        Sheet("学时台账", ("姓名", "学校", "日期", "类别", "学时", "分钟", "来源", "说明"), hours),
        Sheet(f"积分（{current_period(policy, today).name}）",
              ("排名", "姓名", "学校", "工作坊", "校本学时", "线上学时", "积分", "等级", "缺项"), scores),
    ]


async def briefing(
    repos: Repositories, policy: Policy, t: Translator, zone: ZoneInfo, month: date, title: str, today: date,
) -> Briefing:
    """The month in figures, its online sessions, the semester's compliance, and highlights."""
    from bot.render.exports import Briefing, Sheet

    first, last = month_bounds(month)
    counts = await repos.reports.counts(first, last)
    start = datetime.combine(first, datetime.min.time(), zone)
    held = await repos.online_sessions.between(start, start + timedelta(days=(last - first).days + 1))
    valid = [s for s in held if s.status == SessionStatus.ENDED and s.valid]
    figures = [
        ("签到人次", str(counts["checkins"])),
        ("教学反思", str(counts.get("reflection", 0))),
        ("教学案例", str(counts.get("case", 0))),
        ("听课记录", str(counts.get("observation", 0))),
        ("提交记录的教师", str(counts["active"])),
        ("网络研讨（有效/举行）", f"{len(valid)}/{sum(1 for s in held if s.status == SessionStatus.ENDED)}"),
    ]
    session_lines = [
        f"{s.planned_start.astimezone(zone):%m月%d日} 《{s.topic}》主持人{s.host.name}："
        + {SessionStatus.ENDED: "有效" if s.valid else "不符合要求", SessionStatus.CANCELLED: "已取消"}.get(
            SessionStatus(s.status), "已安排")
        for s in held
    ] or ["本月没有网络研讨。"]
    compliance = await compliance_lines(repos, policy, t, zone, today)
    highlights = [f"{name}：{LABELS[RecordKind(kind)]}《{title}》"
                  for name, kind, title in await repos.reports.longest_records(first, last)] or ["（暂无）"]
    ranked = await standings(repos, policy, today)
    top = Sheet("积分前十", ("排名", "姓名", "学校", "积分", "等级"), [
        (rank, s.who.name, s.who.school, s.score.points, grade_label(t, s.score.grade))
        for rank, s in enumerate(ranked[:10], 1)
    ])
    return Briefing(
        title=title, period=f"{month.year}年{month.month}月",
        figures=figures,
        sections=[("网络研讨", session_lines), ("达标情况", compliance), ("优秀记录", highlights)],
        table=top,
    )
