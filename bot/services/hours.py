"""Hours by category: the policy's targets, a teacher's progress this semester, school year and
five-year cycle, and the import of the training platform's online-hours export (dry run, then apply).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.hours import (
    COUNTY,
    HIGHER,
    ONLINE,
    SCHOOL,
    CategoryProgress,
    HoursPlanRow,
    HoursRow,
    plan_hours_import,
    progress,
)
from bot.domain.policy import Policy
from bot.domain.quotas import five_years_of, school_year_of
from bot.services.audit import Actor, record
from storage.hours import PLATFORM_SOURCE, HoursTotals
from storage.models import HoursLine
from storage.repositories import Repositories


def targets(policy: Policy) -> dict[str, float]:
    """Hours each category requires per semester (0 = none)."""
    hours = policy.hours
    return {ONLINE: hours.online_per_semester, SCHOOL: hours.school_based_per_semester,
            COUNTY: hours.county_per_semester, HIGHER: hours.higher_per_semester}


def semester_progress(policy: Policy, hours: Mapping[str, float]) -> list[CategoryProgress]:
    return progress(hours, targets(policy))


@dataclass(frozen=True)
class LongTerm:
    """All categories together over the school year and the five-year cycle, against their targets."""

    year_first: date
    year_hours: float
    year_target: float
    cycle_first: date
    cycle_last: date
    cycle_hours: float
    cycle_target: float


async def long_term(uow: Repositories, policy: Policy, member_id: int, today: date) -> LongTerm | None:
    """The yearly (72) and five-year (360) counts of seed 002; None when the policy sets neither."""
    hours = policy.hours
    if hours.per_year <= 0 and hours.per_five_years <= 0:
        return None
    year = school_year_of(today, hours.school_year_starts)
    cycle = five_years_of(today, hours.cycle_start, hours.school_year_starts)
    totals = HoursTotals(uow.db)
    in_year = (await totals.by_category(year.first, today, [member_id])).get(member_id, {})
    in_cycle = (await totals.by_category(cycle.first, today, [member_id])).get(member_id, {})
    return LongTerm(year.first, round(sum(in_year.values()), 2), hours.per_year, cycle.first, cycle.last,
                    round(sum(in_cycle.values()), 2), hours.per_five_years)


# The training platform's export of certified online hours.


async def plan_import(uow: Repositories, rows: Sequence[HoursRow]) -> list[HoursPlanRow]:
    """The dry run: each row matched to a teacher, with the online hours it would add."""
    totals = HoursTotals(uow.db)
    return plan_hours_import(rows, await totals.people(), await totals.platform_booked())


@dataclass(frozen=True)
class ImportResult:
    booked: int
    hours: float
    unchanged: int
    rejected: int


async def apply_import(uow: Repositories, policy: Policy, actor: Actor, rows: Sequence[HoursRow], *,
                       file_name: str, today: date, now: datetime) -> ImportResult:
    """Plan again against the ledger as it is now and book each difference as one online line."""
    plans = await plan_import(uow, rows)
    stamp = now.strftime("%Y%m%d%H%M%S")
    booked, total = 0, 0.0
    for plan in plans:
        if plan.problem or plan.member_id is None or plan.change == 0:
            continue
        await uow.hours.credit(HoursLine(
            member_id=plan.member_id, day=today, category=ONLINE, hours=plan.change,
            minutes=round(plan.change * policy.hours.minutes_per_hour),
            source=f"{PLATFORM_SOURCE}{stamp}:{plan.row.line}"[:60],
            description=f"平台认定学时 {file_name}"[:200], created_at=now,
        ))
        booked += 1
        total += plan.change
    unchanged = sum(1 for p in plans if not p.problem and p.change == 0)
    rejected = sum(1 for p in plans if p.problem)
    await record(uow, actor, now, "hours.import", file_name[:120],
                 after={"booked": booked, "hours": round(total, 2), "unchanged": unchanged, "rejected": rejected})
    return ImportResult(booked, round(total, 2), unchanged, rejected)
