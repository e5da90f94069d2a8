"""Working days in China: public holidays and their make-up workdays (调休) from chinese-calendar.

chinese-calendar only knows the years up to its release. A program can list its own holidays and
调休 workdays in the policy (`[calendar] holidays`, `workdays`): those win over the package and cover
the years it does not know. Days in a year known to neither fall back to plain weekends; that is
logged once, and `unknown_years` lets start-up and /compliance say so to the people who rely on it.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import chinese_calendar

log = logging.getLogger("yanxiu.calendar")


def is_workday(day: date) -> bool:
    return WorkCalendar().is_workday(day)


@dataclass(frozen=True)
class WorkCalendar:
    """The official calendar with the program's own corrections."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    """Weekend days that are working days (调休), as the program lists them."""

    def is_workday(self, day: date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            _warn_unknown_year(day.year)
            return day.weekday() < 5

    def unknown_years(self, first: date, last: date) -> list[int]:
        """Years of first … last the official calendar does not know and the policy lists nothing for."""
        listed = {day.year for day in self.holidays | self.workdays}
        return [year for year in range(first.year, last.year + 1)
                if not official_year_known(year) and year not in listed]


def official_year_known(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def calendar_of(holidays: Collection[date] = (), workdays: Collection[date] = ()) -> WorkCalendar:
    return WorkCalendar(frozenset(holidays), frozenset(workdays))


@cache
def _warn_unknown_year(year: int) -> None:
    log.warning("no official holiday calendar for %s: treating weekends as the only days off", year)
