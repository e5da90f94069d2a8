from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.checkins import current_streak, month_bounds, program_day

SHANGHAI = ZoneInfo("Asia/Shanghai")
MON, TUE, WED, THU, FRI, SAT, SUN = (date(2026, 11, d) for d in range(16, 23))
NEXT_MON = date(2026, 11, 23)


def weekdays_only(day: date) -> bool:
    return day.weekday() < 5


@pytest.mark.parametrize(
    ("days", "today", "expected"),
    [
        ([], NEXT_MON, 0),
        ([NEXT_MON], NEXT_MON, 1),
        ([FRI], NEXT_MON, 1),  # today still open, the weekend does not break it
        ([THU, FRI, NEXT_MON], NEXT_MON, 3),
        ([MON, TUE, WED, THU, FRI, NEXT_MON], NEXT_MON, 6),
        ([MON, TUE, THU, FRI], FRI, 2),  # Wednesday missed
        ([FRI, SAT, NEXT_MON], NEXT_MON, 3),  # a Saturday check-in counts
        ([WED], FRI, 0),  # Thursday missed, Friday still open
        ([THU], FRI, 1),
        ([TUE], THU, 0),
    ],
)
def test_streak(days, today, expected):
    assert current_streak(days, today, weekdays_only) == expected


def test_streak_uses_the_official_calendar_by_default():
    around_national_day = [date(2026, 9, 30), date(2026, 10, 8)]  # 10月1日–7日 off, the 8th a workday
    assert current_streak(around_national_day, date(2026, 10, 8)) == 2
    assert current_streak([date(2026, 10, 8)], date(2026, 10, 10)) == 0  # Saturday the 10th is a 调休 workday


@pytest.mark.parametrize(
    ("utc_moment", "expected"),
    [
        (datetime(2026, 11, 23, 15, 59, tzinfo=UTC), date(2026, 11, 23)),  # 23:59 Shanghai
        (datetime(2026, 11, 23, 16, 0, tzinfo=UTC), date(2026, 11, 24)),  # 00:00 Shanghai
        (datetime(2026, 12, 31, 16, 30, tzinfo=UTC), date(2027, 1, 1)),
    ],
)
def test_program_day_is_the_shanghai_date(utc_moment, expected):
    assert program_day(utc_moment, SHANGHAI) == expected


def test_program_day_refuses_naive_times():
    with pytest.raises(ValueError):
        program_day(datetime(2026, 11, 23, 12), SHANGHAI)


@pytest.mark.parametrize(
    ("day", "first", "last"),
    [
        (date(2026, 11, 23), date(2026, 11, 1), date(2026, 11, 30)),
        (date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
        (date(2027, 2, 10), date(2027, 2, 1), date(2027, 2, 28)),
        (date(2028, 2, 1), date(2028, 2, 1), date(2028, 2, 29)),
    ],
)
def test_month_bounds(day, first, last):
    assert month_bounds(day) == (first, last)
