"""A teacher's own standing (what /me and a question like 我还差几篇 answer): check-ins and quotas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.checkins import month_bounds
from bot.domain.policy import Policy
from bot.domain.quotas import week_of
from bot.domain.records import Progress, RecordKind, progress, weekly_progress
from bot.services.checkins import CheckInFigures, figures
from storage.repositories import Repositories


@dataclass(frozen=True)
class HoursSoFar:
    category: str
    """"school" (校本) or "online" (网络)."""
    done: float
    required: float


@dataclass(frozen=True)
class MyProgress:
    checkins: CheckInFigures
    records: tuple[Progress, ...]
    """Only the kinds the policy asks for or the teacher has written."""
    hours: tuple[HoursSoFar, ...] = ()
    """This semester's hours by category, where the policy asks for some or some were earned."""


async def my_progress(uow: Repositories, member_id: int, today: date, policy: Policy) -> MyProgress:
    semester = policy.semester
    first, _ = month_bounds(today)
    written = await uow.records.days_by_kind(member_id, min(first, semester.start, week_of(today).first), today)
    statuses = []
    for kind in RecordKind:
        days = written.get(kind.value, [])
        status = progress(kind, days, today, policy.records, semester)
        weekly = weekly_progress(kind, days, today, policy.records)
        if status.required or (status.done and weekly is None):
            statuses.append(status)
        if weekly is not None:
            statuses.append(weekly)
    totals = await uow.hours.totals(member_id, semester.start, semester.end)
    targets = {"school": policy.hours.school_based_per_semester, "online": policy.hours.online_per_semester}
    hours = tuple(
        HoursSoFar(category, round(totals.get(category, 0.0), 1), required)
        for category, required in targets.items()
        if required or totals.get(category)
    )
    return MyProgress(await figures(uow, member_id, today), tuple(statuses), hours)
