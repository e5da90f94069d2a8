"""Score announcements (成绩公示): a ranked table per bound group, paginated to the platform's
limits, with a chart image.

Composing an announcement never draws its chart: it plans one (`ChartToDraw`), and the chart is
drawn later in a worker thread — by `drawn` for a chat command, or by the outbox just before the
send for a scheduled fan-out — so no transaction is held open and the event loop never waits on
matplotlib (which is imported only then: a worker answering check-ins never loads it).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date

from bot.domain.scoring import initials
from bot.kernel.messages import ChatKind, ChatRef, OutgoingFile, OutgoingMessage
from bot.services.scores import Standing, current_period, grade_label, missing_text, standings
from bot.services.sessions import Env
from storage.models import ChatBinding
from storage.repositories import Repositories

CHART_BARS = 60
"""Bars per image: bot.render.charts.MAX_BARS (not imported here, to keep matplotlib out)."""
GRADES = ("excellent", "pass", "fail")


@dataclass(frozen=True)
class ChartToDraw:
    """A score chart planned for a chat: what to draw, and the caption and file name to send it with."""

    chat: ChatRef
    caption: str
    file_name: str
    title: str
    bars: tuple[tuple[str, float, str], ...]
    """(label, points, grade) per bar, in ranking order."""
    legend: dict[str, str] = field(default_factory=dict)
    thresholds: tuple[tuple[str, float], ...] = ()
    """The grade lines drawn across the bars: (合格, 60), (优秀, 90)."""

    def to_json(self) -> dict:
        return {"title": self.title, "bars": [list(bar) for bar in self.bars], "legend": self.legend,
                "file_name": self.file_name, "thresholds": [list(line) for line in self.thresholds]}

    @classmethod
    def from_json(cls, chat: ChatRef, caption: str, data: dict) -> ChartToDraw:
        return cls(chat, caption, data["file_name"], data["title"],
                   tuple((label, float(points), grade) for label, points, grade in data["bars"]),
                   dict(data.get("legend") or {}),
                   tuple((name, float(value)) for name, value in data.get("thresholds") or ()))


Planned = OutgoingMessage | ChartToDraw


def draw(chart: ChartToDraw) -> OutgoingMessage:
    """The chart as a PNG message. CPU-bound and slow (matplotlib): call it in a worker thread."""
    from bot.render.charts import Bar, score_chart

    png = score_chart(chart.title, [Bar(*bar) for bar in chart.bars], legend=chart.legend,
                      thresholds=chart.thresholds)
    return OutgoingMessage(chat=chart.chat, text=chart.caption,
                           file=OutgoingFile(file_name=chart.file_name, content=png, mime_type="image/png"))


async def drawn(planned: list[Planned]) -> list[OutgoingMessage]:
    """Every planned chart drawn off the event loop, in order with the text messages."""
    return [await asyncio.to_thread(draw, item) if isinstance(item, ChartToDraw) else item for item in planned]


def table_for_chat(env: Env, chat: ChatRef, unit: str, ranked: list[Standing], today: date) -> list[Planned]:
    """The announcement of `unit` as it would read in `chat` (/scores)."""
    return _announcement(env, chat, unit, ranked, today)


async def announcements(repos: Repositories, env: Env, today: date) -> list[Planned]:
    """One announcement for every group bound on this platform, each about its own people.

    The program's standings are computed once and split by school and workshop: a thousand groups
    cost one aggregation, not a thousand.
    """
    everyone: list[Standing] | None = None
    messages = []
    for binding in await repos.bindings.all():
        if binding.platform != env.platform:
            continue
        everyone = everyone if everyone is not None else await standings(repos, env.policy, today)
        ranked, unit = await _people_of(repos, env, binding, everyone)
        if ranked:
            chat = ChatRef(binding.platform, binding.chat_id, ChatKind.GROUP, binding.title)
            messages += _announcement(env, chat, unit, ranked, today)
    return messages


async def _people_of(repos: Repositories, env: Env, binding: ChatBinding,
                     everyone: list[Standing]) -> tuple[list[Standing], str]:
    if binding.scope == "school":
        school = await repos.schools.get(binding.school_id)
        return [s for s in everyone if s.who.school_id == binding.school_id], school.name
    if binding.scope == "workshop":
        workshop = await repos.workshops.get(binding.workshop_id)
        return [s for s in everyone if s.who.workshop_id == binding.workshop_id], workshop.name
    return everyone, env.t("announce_program")


def shown_name(env: Env, name: str) -> str:
    return initials(name) if env.policy.announcements.show == "initials" else name


def _announcement(env: Env, chat: ChatRef, unit: str, ranked: list[Standing], today: date) -> list[Planned]:
    """The table in pages of `rows_per_message` (each page says which it is), then the chart(s)."""
    t, settings = env.t, env.policy.announcements
    period = current_period(env.policy, today)
    header = t("announce_header", unit=unit, period=period.name, date=f"{today.month}月{today.day}日")
    counts = {grade: sum(1 for s in ranked if s.score.grade == grade) for grade in GRADES}
    summary = t("announce_counts", total=len(ranked), **counts)
    if settings.show == "grades":
        return [OutgoingMessage(chat=chat, text=f"{header}\n{summary}")]
    rows = [_row(env, rank, standing) for rank, standing in enumerate(ranked, 1)]
    size = settings.rows_per_message
    pages = [rows[start:start + size] for start in range(0, len(rows), size)]
    messages: list[Planned] = []
    for number, page in enumerate(pages, 1):
        lines = [header + (t("announce_page", page=number, pages=len(pages)) if len(pages) > 1 else "")]
        lines += page
        if number == len(pages):
            lines += [summary, t("announce_footer")]
        messages.append(OutgoingMessage(chat=chat, text="\n".join(lines)))
    if settings.chart and env.images:
        legend = {grade: grade_label(t, grade) for grade in GRADES}
        grades = env.policy.grades
        lines = ((legend["pass"], float(grades.pass_)), (legend["excellent"], float(grades.excellent)))
        for start in range(0, len(ranked), CHART_BARS):
            chunk = ranked[start:start + CHART_BARS]
            messages.append(ChartToDraw(
                chat=chat, caption=t("announce_chart_caption", unit=unit),
                file_name=f"成绩公示-{unit}-{start // CHART_BARS + 1}.png",
                title=t("announce_chart_title", unit=unit, period=period.name),
                bars=tuple((shown_name(env, s.who.name), s.score.points, s.score.grade) for s in chunk),
                legend=legend, thresholds=lines,
            ))
    return messages


def _row(env: Env, rank: int, standing: Standing) -> str:
    t = env.t
    missing = missing_text(t, standing.score.missing)
    return t(
        "announce_row", rank=rank, name=shown_name(env, standing.who.name),
        hours=_hours(standing.school_hours + standing.online_hours), points=_hours(standing.score.points),
        grade=grade_label(t, standing.score.grade), missing=t("announce_missing", items=missing) if missing else "",
    )


def _hours(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")
