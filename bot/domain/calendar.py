"""Working days in China: public holidays and their make-up workdays (调休) from chinese-calendar.

chinese-calendar only knows the years up to its release; later years fall back to plain weekends,
and that is logged once so nobody mistakes the guess for the official calendar.
"""

from __future__ import annotations

import logging
from datetime import date
from functools import cache

import chinese_calendar

log = logging.getLogger("yanxiu.calendar")


def is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_unknown_year(day.year)
        return day.weekday() < 5


@cache
def _warn_unknown_year(year: int) -> None:
    log.warning("no official holiday calendar for %s: treating weekends as the only days off", year)
