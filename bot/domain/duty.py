"""What a teacher is answerable for in a period: counting start, joining date and approved leave.

A program that starts on 1 December must not fail its teachers for September–November, and a
teacher on sick leave is not absent. So before any score is computed, the period is cut down to the
days each teacher owed: from the later of the program's counting start and her joining date, minus
the days of approved leave. A month's quotas are due only when she owed enough of its days
(`min_days_in_month`), and the hour targets shrink with the share of the period she owed.
Everything here is pure: plain dates in, plain numbers out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.scoring import months_between


@dataclass(frozen=True)
class DateSpan:
    """Days `first` … `last`, both included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("a span ends before it starts")

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def overlap(self, first: date, last: date) -> int:
        """Days this span shares with `first` … `last`."""
        return max(0, (min(self.last, last) - max(self.first, first)).days + 1)

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last


@dataclass(frozen=True)
class Duty:
    """The part of a period one teacher owes, and why the rest is excused."""

    months: tuple[tuple[int, int], ...]
    """Months whose monthly quotas are due (over, or the period is final, and owed enough days)."""
    hours_share: float
    """Share of the period's hour targets due so far (0..1)."""
    observations_due: bool
    """Semester quotas (observations) are judged: the period is final and she owed part of it."""
    before_start: tuple[tuple[int, int], ...] = ()
    """Months not due because counting had not started or she had not joined yet."""
    on_leave: tuple[tuple[int, int], ...] = ()
    """Months not due because approved leave left too few days."""
    leave_days: int = 0
    """Days of approved leave inside the period so far."""


def merged(spans: Iterable[DateSpan]) -> list[DateSpan]:
    """Overlapping or touching spans joined, in order, so no leave day is counted twice."""
    result: list[DateSpan] = []
    for span in sorted(spans, key=lambda s: s.first):
        if result and span.first <= result[-1].last + timedelta(days=1):
            if span.last > result[-1].last:
                result[-1] = DateSpan(result[-1].first, span.last)
        else:
            result.append(span)
    return result


def leave_days_between(leaves: Sequence[DateSpan], first: date, last: date) -> int:
    if last < first:
        return 0
    return sum(span.overlap(first, last) for span in merged(leaves))


def month_span(year: int, month: int) -> DateSpan:
    following = date(year + month // 12, month % 12 + 1, 1)
    return DateSpan(date(year, month, 1), following - timedelta(days=1))


def duty(
    period: DateSpan,
    today: date,
    *,
    final: bool,
    counting_from: date | None = None,
    joined_on: date | None = None,
    leaves: Sequence[DateSpan] = (),
    min_days_in_month: int = 10,
    prorate_hours_for_leave: bool = True,
) -> Duty:
    """The months, hour share and semester quotas one teacher owes in `period` as of `today`.

    A month is due once it is over (every month, once the period is final) and she owed at least
    `min_days_in_month` of its days. Hours: the days she owed so far over the period's length, so a
    full semester without leave asks for the whole target and a teacher who joined halfway for half.
    """
    start = max(d for d in (period.first, counting_from, joined_on) if d is not None)
    horizon = period.last if final else min(period.last, today - timedelta(days=1))
    owed_leaves = merged(leaves)
    months: list[tuple[int, int]] = []
    before: list[tuple[int, int]] = []
    on_leave: list[tuple[int, int]] = []
    for year, month in months_between(period.first, period.last):
        span = month_span(year, month)
        if not final and span.last >= today:
            continue
        first, last = max(span.first, start, period.first), min(span.last, period.last)
        if last < first:
            before.append((year, month))
            continue
        owed = (last - first).days + 1 - leave_days_between(owed_leaves, first, last)
        if owed >= min(min_days_in_month, span.days):
            months.append((year, month))
        elif (last - first).days + 1 >= min(min_days_in_month, span.days):
            on_leave.append((year, month))
        else:
            before.append((year, month))
    leave_days = leave_days_between(owed_leaves, start, horizon) if horizon >= start else 0
    owed_days = max(0, (horizon - start).days + 1) if horizon >= start else 0
    if prorate_hours_for_leave:
        owed_days -= leave_days
    share = min(1.0, max(0.0, owed_days / period.days))
    return Duty(
        months=tuple(months),
        hours_share=share,
        observations_due=final and owed_days > 0,
        before_start=tuple(before),
        on_leave=tuple(on_leave),
        leave_days=leave_days,
    )


def excused_on(leaves: Sequence[DateSpan], day: date) -> bool:
    """Approved leave covers `day` (a session held then does not count her absent)."""
    return any(span.contains(day) for span in leaves)
