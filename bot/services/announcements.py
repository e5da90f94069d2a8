"""Score announcements (成绩公示): a ranked table per bound group, paginated to the platform's
limits, with a chart image.

Composing an announcement never draws its chart: it plans one (`ChartToDraw`), and the chart is
drawn later in a worker thread — by `drawn` for a chat command, or by the outbox just before the
send for a scheduled fan-out — so no transaction is held open and the event loop never waits on
drawing (Pillow, bot.render.score_png: milliseconds a chart; imported only then, so a worker
answering check-ins never loads it). Without the charts extra the bars go out as text.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.publication import Entry, group_notice, objection_window
from bot.domain.scoring import initials
from bot.kernel.messages import ChatKind, ChatRef, OutgoingFile, OutgoingMessage
from bot.services.scores import Standing, current_period, grade_label, missing_text, standings
from bot.services.sessions import Env, to_member
from storage.models import ChatBinding
from storage.repositories import Repositories

CHART_BARS = 60
"""Bars per image: bot.render.score_png.MAX_BARS (not imported here, to keep Pillow out)."""
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
    """The chart as a PNG message, drawn with Pillow (a few ms; still CPU: call it in a worker thread).
    Without the charts extra (no Pillow) the same bars go out as text."""
    from bot.render import score_png

    if not score_png.available():
        from bot.render import charts

        bars = [charts.Bar(*bar) for bar in chart.bars]
        return OutgoingMessage(chat=chart.chat, text=charts.text_chart(chart.title, bars, legend=chart.legend))
    png = score_png.score_png(chart.title, [score_png.Bar(*bar) for bar in chart.bars], legend=chart.legend,
                              thresholds=chart.thresholds)
    return OutgoingMessage(chat=chart.chat, text=chart.caption,
                           file=OutgoingFile(file_name=chart.file_name, content=png, mime_type="image/png"))


async def drawn(planned: list[Planned]) -> list[OutgoingMessage]:
    """Every planned chart drawn off the event loop, in order with the text messages."""
    return [await asyncio.to_thread(draw, item) if isinstance(item, ChartToDraw) else item for item in planned]


def table_for_chat(env: Env, chat: ChatRef, unit: str, ranked: list[Standing], today: date) -> list[Planned]:
    """The standings of `unit` laid out as its announcement (/scores): in a private chat with the
    whole ranked table; in a group only what the group 公示 shows there. A look, not a 公示: no
    objection period, and nothing said to have been sent to anyone."""
    return _announcement(env, chat, unit, ranked, today, table=chat.kind is ChatKind.PRIVATE, look=True)


async def announcements(repos: Repositories, env: Env, today: date, *, private: bool = True) -> list[Planned]:
    """One announcement for every group bound on this platform, each about its own people, and (with
    `private`) every assessed teacher's own lines in a private message — never in a group.

    The program's standings are computed once and split by school and workshop: a thousand groups
    cost one aggregation, not a thousand.
    """
    everyone: list[Standing] | None = None
    messages: list[Planned] = []
    for binding in await repos.bindings.all():
        if binding.platform != env.platform:
            continue
        everyone = everyone if everyone is not None else await standings(repos, env.policy, today)
        ranked, unit = await _people_of(repos, env, binding, everyone)
        if ranked:
            chat = ChatRef(binding.platform, binding.chat_id, ChatKind.GROUP, binding.title)
            messages += _announcement(env, chat, unit, ranked, today)
    if private and everyone:
        for standing in everyone:
            member = await repos.members.get(standing.who.member_id)
            messages += await to_member(repos, env, member, own_lines(env, standing, today), None)
    return messages


@dataclass(frozen=True)
class Preview:
    groups: int
    private: int
    sample: str
    """The first group's text, as it will read."""


def preview(planned: list[Planned]) -> Preview:
    group_texts = [m for m in planned if isinstance(m, OutgoingMessage) and m.chat.kind is ChatKind.GROUP]
    groups = {m.chat.chat_id for m in group_texts}
    private = sum(1 for m in planned if isinstance(m, OutgoingMessage) and m.chat.kind is ChatKind.PRIVATE)
    return Preview(len(groups), private, group_texts[0].text if group_texts else "")


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


def _entries(ranked: list[Standing]) -> list[Entry]:
    return [Entry(s.who.member_id, s.who.name, s.who.school, s.score.points, s.score.grade,
                  not s.score.missing) for s in ranked]


def _announcement(env: Env, chat: ChatRef, unit: str, ranked: list[Standing], today: date,
                  *, table: bool = False, look: bool = False) -> list[Planned]:
    """The group's 公示: grade counts, the outstanding, each school's completion and the objection
    period; the ranked table (in pages, ties sharing a rank) and its chart only when the policy asks."""
    t, settings = env.t, env.policy.announcements
    period = current_period(env.policy, today)
    notice = group_notice(_entries(ranked), settings.show, table=table or settings.table)
    window = objection_window(today, settings.objection_days)
    header = t("scores_header" if look else "announce_header", unit=unit, period=period.name,
               date=f"{today.month}月{today.day}日")
    summary = [t("announce_counts", total=len(ranked), **notice.grade_counts)]
    if notice.outstanding:
        summary.append(t("announce_outstanding", names="、".join(notice.outstanding)))
    if len(notice.schools) > 1 or not notice.table:
        summary += [t("announce_school", school=p.school, complete=p.complete, total=p.total)
                    for p in notice.schools]
    if look:
        summary.append(t("scores_look_note"))
    else:
        summary.append(t("announce_objection", first=_day(window.first), last=_day(window.last)))
        summary.append(t("announce_footer"))
    by_id = {s.who.member_id: s for s in ranked}
    rows = [_row(env, entry.rank, entry.tied, notice.labels[entry.item.member_id], by_id[entry.item.member_id])
            for entry in notice.table]
    size = settings.rows_per_message
    pages = [rows[start:start + size] for start in range(0, len(rows), size)] or [[]]
    messages: list[Planned] = []
    for number, page in enumerate(pages, 1):
        lines = [header + (t("announce_page", page=number, pages=len(pages)) if len(pages) > 1 else "")]
        lines += page
        if number == len(pages):
            lines += summary
        messages.append(OutgoingMessage(chat=chat, text="\n".join(lines)))
    if settings.chart and env.images and notice.table:
        legend = {grade: grade_label(t, grade) for grade in GRADES}
        grades = env.policy.grades
        lines = ((legend["pass"], float(grades.pass_)), (legend["excellent"], float(grades.excellent)))
        table = [by_id[entry.item.member_id] for entry in notice.table]
        for start in range(0, len(table), CHART_BARS):
            chunk = table[start:start + CHART_BARS]
            messages.append(ChartToDraw(
                chat=chat, caption=t("announce_chart_caption", unit=unit),
                file_name=f"成绩公示-{unit}-{start // CHART_BARS + 1}.png",
                title=t("announce_chart_title", unit=unit, period=period.name),
                bars=tuple((notice.labels[s.who.member_id], s.score.points, s.score.grade) for s in chunk),
                legend=legend, thresholds=lines,
            ))
    return messages


def own_lines(env: Env, standing: Standing, today: date) -> str:
    """What one teacher hears privately when the 公示 is published: her points, grade and what is missing."""
    t = env.t
    period = current_period(env.policy, today)
    window = objection_window(today, env.policy.announcements.objection_days)
    missing = missing_text(t, standing.score.missing)
    return t("announce_private", name=standing.who.name, period=period.name,
             points=_hours(standing.score.points), grade=grade_label(t, standing.score.grade),
             missing=t("announce_private_missing", items=missing) if missing else t("announce_private_complete"),
             first=_day(window.first), last=_day(window.last))


def _day(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _row(env: Env, rank: int, tied: bool, label: str, standing: Standing) -> str:
    t = env.t
    missing = missing_text(t, standing.score.missing)
    return t(
        "announce_row", rank=f"{rank}{t('announce_tied') if tied else ''}", name=label,
        hours=_hours(standing.school_hours + standing.online_hours), points=_hours(standing.score.points),
        grade=grade_label(t, standing.score.grade), missing=t("announce_missing", items=missing) if missing else "",
    )


def _hours(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


HOLD, RELEASE = "scores.announce.hold", "scores.announce.release"


def next_announcement(cron: str, env: Env, now: datetime) -> datetime | None:
    """The next scheduled 公示 after `now` (APScheduler's cron, in the program's zone)."""
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger.from_crontab(cron, timezone=env.zone).get_next_fire_time(None, now)


def announcement_key(env: Env, fire: datetime) -> str:
    """The scheduled 公示's outbox key, which a hold names."""
    return f"announce:{fire.astimezone(env.zone):%Y%m%d%H%M}"


async def is_held(repos: Repositories, key: str) -> bool:
    """A coordinator held this scheduled 公示 (and did not release it): the latest decision counts."""
    for entry in await repos.audit.recent(50, "scores.announce."):
        if entry.target == key and entry.action in (HOLD, RELEASE):
            return entry.action == HOLD
    return False
