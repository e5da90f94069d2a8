"""Activities with an attendance roll (集体备课, 小组研讨, 同课异构, 集中研修日 …) and program stages.

A program declares its activity types in the policy; each activity belongs to one unit (a study
group, a workshop, a school or the whole program). Its roll is the unit's members: each is
present, late, absent, or excused by approved leave. The activity counts when it lasted long
enough and enough of the roll came; a unit owes so many counted activities per week, fortnight,
month, two months or semester. Pure functions; datetimes are aware, days are program-local.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.quotas import Span, month_of, week_of

PRESENT, LATE, ABSENT, EXCUSED = "present", "late", "absent", "excused"
SCHEDULED, RUNNING, ENDED, CANCELLED = "scheduled", "running", "ended", "cancelled"
OPEN_STATUSES = (SCHEDULED, RUNNING)


def outcome(arrived_at: datetime | None, start: datetime, late_after_minutes: int, excused: bool) -> str:
    """One person's line on the roll: an arrival after start + the grace is late; no arrival is an
    absence, excused when approved leave covers the day (coming anyway still counts as present)."""
    if arrived_at is None:
        return EXCUSED if excused else ABSENT
    if arrived_at > start + timedelta(minutes=late_after_minutes):
        return LATE
    return PRESENT


@dataclass(frozen=True)
class RollRules:
    min_minutes: int = 60
    min_present_share: float = 0.8
    late_after_minutes: int = 10


@dataclass(frozen=True)
class RollVerdict:
    present: tuple[int, ...]
    late: tuple[int, ...]
    absent: tuple[int, ...]
    excused: tuple[int, ...]
    guests: tuple[int, ...]
    """Marked present but not on the roll (the host from elsewhere, a visitor): credited, not counted."""
    minutes: int
    share: float
    """Present or late members of the roll over the roll without the excused (1 for an empty roll)."""
    counted: bool
    problems: tuple[str, ...]
    """Why it does not count: "too_short", "too_few"."""

    @property
    def attended(self) -> tuple[int, ...]:
        return self.present + self.late + self.guests


def judge(roll: Sequence[int], arrivals: Mapping[int, datetime], *, start: datetime, minutes: int,
          excused: Iterable[int], rules: RollRules) -> RollVerdict:
    """Everyone on `roll` with their outcome, and whether the activity counts.

    `arrivals` maps a member to when they were marked present; `excused` are those on approved
    leave that day. The share is taken over the people who owed attendance (the excused do not).
    """
    excused = set(excused)
    found: dict[str, list[int]] = {PRESENT: [], LATE: [], ABSENT: [], EXCUSED: []}
    for member_id in dict.fromkeys(roll):
        found[outcome(arrivals.get(member_id), start, rules.late_after_minutes, member_id in excused)].append(member_id)
    guests = tuple(sorted(m for m in arrivals if m not in set(roll)))
    owed = len(found[PRESENT]) + len(found[LATE]) + len(found[ABSENT])
    share = 1.0 if owed == 0 else (len(found[PRESENT]) + len(found[LATE])) / owed
    problems = []
    if minutes < rules.min_minutes:
        problems.append("too_short")
    if share + 1e-9 < rules.min_present_share:
        problems.append("too_few")
    return RollVerdict(tuple(found[PRESENT]), tuple(found[LATE]), tuple(found[ABSENT]), tuple(found[EXCUSED]),
                       guests, minutes, round(share, 3), not problems, tuple(problems))


def held_minutes(planned_start: datetime, planned_minutes: int, started_at: datetime | None,
                 ended_at: datetime | None) -> int:
    """How long it ran: from its start to its end when the host started it with the bot; an
    activity whose roll was only taken (an offline training day) ran the minutes it was planned for."""
    if started_at is None or ended_at is None:
        return planned_minutes
    return max(0, int((ended_at - started_at).total_seconds() // 60))


# Periods: a fortnight is two weeks counted from the Monday of the week the semester starts in;
# two months are calendar months paired from the semester's first month (9–10, 11–12, 1–2).


def fortnight_of(day: date, anchor: date) -> Span:
    first_monday = week_of(anchor).first
    index = (day - first_monday).days // 14
    first = first_monday + timedelta(days=14 * index)
    return Span(first, first + timedelta(days=13))


def two_months_of(day: date, anchor: date) -> Span:
    months = (day.year - anchor.year) * 12 + day.month - anchor.month
    first_index = anchor.year * 12 + anchor.month - 1 + 2 * (months // 2)
    first = date(first_index // 12, first_index % 12 + 1, 1)
    return Span(first, month_of(date(first.year + first.month // 12, first.month % 12 + 1, 1)).last)


def period_of(per: str, day: date, semester: Span) -> Span:
    """The week, fortnight, month, two months or semester holding `day`."""
    if per == "week":
        return week_of(day)
    if per == "fortnight":
        return fortnight_of(day, semester.first)
    if per == "month":
        return month_of(day)
    if per == "two_months":
        return two_months_of(day, semester.first)
    if per == "semester":
        return semester
    raise ValueError(f"unknown period {per!r}")


def periods(per: str, semester: Span) -> list[Span]:
    """Every period of kind `per` overlapping the semester, in order, each whole."""
    found, day = [], semester.first
    while day <= semester.last:
        span = period_of(per, day, semester)
        found.append(span)
        day = span.last + timedelta(days=1)
    return found


@dataclass(frozen=True)
class PeriodCount:
    period: Span
    held: int
    required: int
    over: bool
    """The period has ended by today: a shortfall is final."""

    @property
    def met(self) -> bool:
        return self.held >= self.required


def quota(counted_days: Iterable[date], *, count: int, per: str, semester: Span, today: date) -> list[PeriodCount]:
    """Counted activities of one unit per period of the semester up to the current one; none when
    nothing is required (count 0)."""
    if count <= 0:
        return []
    days = list(counted_days)
    return [
        PeriodCount(span, sum(1 for day in days if day in span), count, span.last < today)
        for span in periods(per, semester) if span.first <= today
    ]


def current_quota(counted_days: Iterable[date], *, count: int, per: str, semester: Span,
                  today: date) -> PeriodCount | None:
    """This period's count against the quota (the last period, once the semester is over)."""
    counts = quota(counted_days, count=count, per=per, semester=semester, today=min(today, semester.last))
    return counts[-1] if counts else None


# Stages.

PAST, CURRENT, UPCOMING = "past", "current", "upcoming"


def stage_state(first: date, last: date, today: date) -> str:
    if today > last:
        return PAST
    if today < first:
        return UPCOMING
    return CURRENT


def held_in_stage(expected: Sequence[str], counted: Iterable[tuple[str, date]], first: date,
                  last: date) -> dict[str, int]:
    """For each expected activity type, how many counted activities of it fell within the stage."""
    held = dict.fromkeys(expected, 0)
    for kind, day in counted:
        if kind in held and first <= day <= last:
            held[kind] += 1
    return held


def match_type(words: Mapping[str, Sequence[str]], text: str) -> str | None:
    """The declared type `text` names (its name or one of its keywords), or None."""
    text = text.strip()
    for name, names in words.items():
        if text == name or text in names:
            return name
    return None
