"""The date shapes peers' suites agree on that the first parser missed, and which way a bare date leans."""

from datetime import date, datetime

import pytest

from bot.domain.dates import FUTURE, PAST, parse_date, parse_datetime

NOW = datetime(2026, 11, 23, 10, 0)  # Monday
TODAY = NOW.date()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("明天7点3刻", datetime(2026, 11, 24, 7, 45)),
        ("明天7点1刻", datetime(2026, 11, 24, 7, 15)),
        ("下周周三 19:30", datetime(2026, 12, 2, 19, 30)),
        ("下个星期周五 下午3点", datetime(2026, 12, 4, 15, 0)),
        ("12月3日，周四 19:30", datetime(2026, 12, 3, 19, 30)),
        ("12月3日 星期四 晚上7点", datetime(2026, 12, 3, 19, 0)),
        ("周四（12月3日）19:30", datetime(2026, 12, 3, 19, 30)),
        ("周四，12月3日 下午2点", datetime(2026, 12, 3, 14, 0)),
        ("12/3号 19:30", datetime(2026, 12, 3, 19, 30)),
        ("周三 晚上 7 点", datetime(2026, 11, 25, 19, 0)),
        ("明天 下午 3 点半", datetime(2026, 11, 24, 15, 30)),
        ("下个月3号 19:00", datetime(2026, 12, 3, 19, 0)),
        ("下月3日晚上7点", datetime(2026, 12, 3, 19, 0)),
        ("12-3 19:30", datetime(2026, 12, 3, 19, 30)),
        ("12月3日 19:30:00", datetime(2026, 12, 3, 19, 30)),
        ("下週三 晚上7點", datetime(2026, 12, 2, 19, 0)),
        ("12月3號 19:30", datetime(2026, 12, 3, 19, 30)),
    ],
)
def test_dates_peers_agree_on(text, expected):
    parsed = parse_datetime(text, NOW)
    assert parsed is not None and parsed.value == expected, (text, parsed)


def test_a_weekday_that_contradicts_the_date_is_impossible():
    assert parse_datetime("周五（12月3日）19:30", NOW) is None
    assert parse_datetime("12月3日，周五 19:30", NOW) is None


@pytest.mark.parametrize(
    ("text", "nearest", "future", "past"),
    [
        # Wednesday 11-25: 周一 is this week's (past) Monday, the next one, or the past one
        ("周一", date(2026, 11, 23), date(2026, 11, 30), date(2026, 11, 23)),
        ("3号", date(2026, 12, 3), date(2026, 12, 3), date(2026, 11, 3)),
        ("20号", date(2026, 11, 20), date(2026, 12, 20), date(2026, 11, 20)),
        ("1月5日", date(2027, 1, 5), date(2027, 1, 5), date(2026, 1, 5)),
    ],
)
def test_a_bare_date_leans_to_the_next_one_for_scheduling_and_the_last_one_for_records(text, nearest, future, past):
    wednesday = date(2026, 11, 25)
    assert parse_date(text, wednesday) == nearest
    assert parse_date(text, wednesday, prefer=FUTURE) == future
    assert parse_date(text, wednesday, prefer=PAST) == past


def test_a_week_word_fixes_the_week_whatever_the_preference():
    wednesday = date(2026, 11, 25)
    assert parse_date("本周一", wednesday, prefer=FUTURE) == date(2026, 11, 23)
    assert parse_date("上周五", wednesday, prefer=FUTURE) == date(2026, 11, 20)


def test_next_sunday_said_late_in_the_week_is_flagged_for_asking():
    saturday = datetime(2026, 11, 28, 10, 0)
    assert parse_datetime("下周日 19:30", saturday).ambiguous_day
    assert not parse_datetime("下周日 19:30", NOW).ambiguous_day
    assert not parse_datetime("下周一 19:30", saturday).ambiguous_day
