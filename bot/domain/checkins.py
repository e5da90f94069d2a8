"""Check-in rules: which program day a moment belongs to, and how long a streak is."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.calendar import is_workday as official_workday


def program_day(moment: datetime, zone: ZoneInfo) -> date:
    """The calendar day in the program's zone: 00:30 in Shanghai is the new day, whatever UTC says."""
    if moment.tzinfo is None:
        raise ValueError("program_day needs an aware datetime")
    return moment.astimezone(zone).date()


def month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    return first, next_month - timedelta(days=1)


def current_streak(
    days: Iterable[date], today: date, is_workday: Callable[[date], bool] = official_workday
) -> int:
    """Consecutive check-in days ending today (or yesterday, while today is still open).

    Days off (weekends, holidays) without a check-in neither break nor extend a streak, so a
    teacher who checks in every school day keeps it over the weekend; a check-in on a day off
    still counts.
    """
    checked = set(days)
    streak = 0
    cursor = today
    if cursor not in checked:
        cursor -= timedelta(days=1)
    misses_allowed_until = min(checked, default=today)
    while cursor >= misses_allowed_until:
        if cursor in checked:
            streak += 1
        elif is_workday(cursor):
            break
        cursor -= timedelta(days=1)
    return streak
