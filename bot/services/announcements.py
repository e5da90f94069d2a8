"""Score announcements (成绩公示): a ranked table per bound group, paginated to the platform's
limits, with a chart image; and the gentle private nudges before a monthly deadline."""

from __future__ import annotations

from datetime import date

from bot.services.scores import Standing, current_period, grade_label, missing_text, standings
from bot.render import charts
from bot.render.charts import MAX_BARS, Bar, score_chart, text_chart
from bot.domain.scoring import initials
from bot.kernel.messages import ChatKind, ChatRef, OutgoingFile, OutgoingMessage
from bot.services.sessions import Env
from storage.models import ChatBinding
from storage.repositories import Repositories


async def announcements(repos: Repositories, env: Env, today: date) -> list[OutgoingMessage]:
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
            messages += announcement(env, binding, unit, ranked, today)
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


def announcement(env: Env, binding: ChatBinding, unit: str, ranked: list[Standing], today: date) -> list[OutgoingMessage]:
    """The table in pages of `rows_per_message` (each page says which it is), then the chart."""
    t, settings = env.t, env.policy.announcements
    chat = ChatRef(binding.platform, binding.chat_id, ChatKind.GROUP, binding.title)
    period = current_period(env.policy, today)
    header = t("announce_header", unit=unit, period=period.name, date=f"{today.month}月{today.day}日")
    counts = {grade: sum(1 for s in ranked if s.score.grade == grade) for grade in ("excellent", "pass", "fail")}
    summary = t("announce_counts", total=len(ranked), **counts)
    if settings.show == "grades":
        return [OutgoingMessage(chat=chat, text=f"{header}\n{summary}")]
    rows = [_row(env, rank, standing) for rank, standing in enumerate(ranked, 1)]
    size = settings.rows_per_message
    pages = [rows[start:start + size] for start in range(0, len(rows), size)]
    messages = []
    for number, page in enumerate(pages, 1):
        lines = [header + (t("announce_page", page=number, pages=len(pages)) if len(pages) > 1 else "")]
        lines += page
        if number == len(pages):
            lines += [summary, t("announce_footer")]
        messages.append(OutgoingMessage(chat=chat, text="\n".join(lines)))
    if not (settings.chart and env.images):
        return messages
    legend = {grade: grade_label(t, grade) for grade in ("excellent", "pass", "fail")}
    for start in range(0, len(ranked), MAX_BARS):
        title = t("announce_chart_title", unit=unit, period=period.name)
        chunk = ranked[start:start + MAX_BARS]
        bars = [Bar(shown_name(env, s.who.name), s.score.points, s.score.grade) for s in chunk]
        if not charts.available():  # the charts extra is not installed: the same bars in text
            messages.append(OutgoingMessage(chat=chat, text=text_chart(title, bars, legend=legend)))
            continue
        messages.append(OutgoingMessage(
            chat=chat, text=t("announce_chart_caption", unit=unit),
            file=OutgoingFile(file_name=f"成绩公示-{unit}-{start // MAX_BARS + 1}.png",
                              content=score_chart(title, bars, legend=legend), mime_type="image/png"),
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
