"""Quotas by period: so many of a thing per week, month, semester, school year or five years.

"A reflection a week" (seed 001) means one in each week, not four on one day: every period is
judged on its own, and a surplus in one period never fills a gap in another unless the program's
document says it may (`carry_over`). Periods that began before counting started, or that are not
over yet, are not judged. Pure functions; the seed numbers are in the tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

PERIODS = ("week", "month", "semester", "year", "five_years")


@dataclass(frozen=True)
class Span:
    first: date
    last: date

    def __contains__(self, day: date) -> bool:
        return self.first <= day <= self.last


def week_of(day: date) -> Span:
    """Monday to Sunday, as Chinese school timetables run."""
    monday = day - timedelta(days=day.weekday())
    return Span(monday, monday + timedelta(days=6))


def month_of(day: date) -> Span:
    first = day.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return Span(first, following - timedelta(days=1))


def school_year_of(day: date, start_month: int = 9) -> Span:
    """The school year holding `day`: from the first of `start_month` to the day before it a year on."""
    year = day.year if day.month >= start_month else day.year - 1
    first = date(year, start_month, 1)
    return Span(first, date(year + 1, start_month, 1) - timedelta(days=1))


def five_years_of(day: date, cycle_start: date | None, start_month: int = 9) -> Span:
    """The five-year cycle holding `day`: counted from `cycle_start` in steps of five years, or, with
    no start given, the five school years ending with the current one."""
    if cycle_start is None:
        current = school_year_of(day, start_month)
        return Span(current.first.replace(year=current.first.year - 4), current.last)
    first = cycle_start
    while _plus_years(first, 5) <= day:
        first = _plus_years(first, 5)
    while first > day:
        first = _plus_years(first, -5)
    return Span(first, _plus_years(first, 5) - timedelta(days=1))


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def periods(kind: str, first: date, last: date, *, start_month: int = 9,
            cycle_start: date | None = None) -> list[Span]:
    """The periods of `kind` that overlap [first, last], in order, each whole."""
    if kind not in PERIODS:
        raise ValueError(f"unknown period {kind!r}")
    if kind == "semester":
        return [Span(first, last)]
    step = {"week": week_of, "month": month_of,
            "year": lambda d: school_year_of(d, start_month),
            "five_years": lambda d: five_years_of(d, cycle_start, start_month)}[kind]
    found, day = [], first
    while day <= last:
        span = step(day)
        found.append(span)
        day = span.last + timedelta(days=1)
    return found


@dataclass(frozen=True)
class Shortfall:
    period: Span
    have: float
    missing: float


def shortfalls(done: Mapping[date, float] | Iterable[date], per_period: float, kind: str, *,
               first: date, last: date, today: date, counting_from: date | None = None,
               carry_over: bool = False, start_month: int = 9,
               cycle_start: date | None = None) -> list[Shortfall]:
    """The periods of [first, last] that are over by `today` and hold less than `per_period`.

    `done` maps a day to what was done that day (a count or hours); a plain list of days counts one
    each. A period that started before `counting_from` is not judged. With `carry_over`, what a
    period holds beyond its quota counts towards the next periods.
    """
    if per_period <= 0:
        return []
    amounts: dict[date, float] = {}
    if isinstance(done, Mapping):
        amounts = {day: float(value) for day, value in done.items()}
    else:
        for day in done:
            amounts[day] = amounts.get(day, 0.0) + 1
    result, surplus = [], 0.0
    for span in periods(kind, first, last, start_month=start_month, cycle_start=cycle_start):
        have = sum(value for day, value in amounts.items() if day in span)
        if carry_over:
            have, surplus = have + surplus, 0.0
        if carry_over and have > per_period:
            surplus = have - per_period
        if span.last >= today or (counting_from is not None and span.first < counting_from):
            continue
        if have < per_period - 1e-9:
            result.append(Shortfall(span, round(have, 2), round(per_period - have, 2)))
    return result
