from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.dates import ParsedDateTime, find_date_prefix, parse_date, parse_datetime, school_day_reading

TODAY = date(2026, 11, 23)  # a Monday; its week runs 11-23 .. 11-29
NOW = datetime(2026, 11, 23, 10, 0)

CHATTER = [
    "收到", "好的👍", "谢谢王老师！", "", "分数的初步认识",
    "   ", "明白了", "晚安", "早上好", "周末", "下周",
]


def at(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute)


RELATIVE_DAYS = [
    ("今天", date(2026, 11, 23)),
    ("今日", date(2026, 11, 23)),
    ("昨天", date(2026, 11, 22)),
    ("昨日", date(2026, 11, 22)),
    ("前天", date(2026, 11, 21)),
    ("大前天", date(2026, 11, 20)),
    ("明天", date(2026, 11, 24)),
    ("明日", date(2026, 11, 24)),
    ("后天", date(2026, 11, 25)),
    ("大后天", date(2026, 11, 26)),
]

WEEKDAYS = [
    ("周一", date(2026, 11, 23)),
    ("周三", date(2026, 11, 25)),
    ("周五", date(2026, 11, 27)),
    ("周六", date(2026, 11, 28)),
    ("周日", date(2026, 11, 29)),
    ("周天", date(2026, 11, 29)),
    ("周5", date(2026, 11, 27)),
    ("星期一", date(2026, 11, 23)),
    ("星期四", date(2026, 11, 26)),
    ("星期日", date(2026, 11, 29)),
    ("星期天", date(2026, 11, 29)),
    ("礼拜一", date(2026, 11, 23)),
    ("礼拜三", date(2026, 11, 25)),
    ("礼拜天", date(2026, 11, 29)),
    ("本周五", date(2026, 11, 27)),
    ("这周五", date(2026, 11, 27)),
    ("这个周五", date(2026, 11, 27)),
    ("这星期二", date(2026, 11, 24)),
    ("上周三", date(2026, 11, 18)),
    ("上个周五", date(2026, 11, 20)),
    ("上星期一", date(2026, 11, 16)),
    ("上个礼拜三", date(2026, 11, 18)),
    ("上上周一", date(2026, 11, 9)),
    ("下周三", date(2026, 12, 2)),
    ("下个周五", date(2026, 12, 4)),
    ("下星期日", date(2026, 12, 6)),
    ("下礼拜一", date(2026, 11, 30)),
    ("下下周一", date(2026, 12, 7)),
]

ABSOLUTE_DATES = [
    ("12月3日", date(2026, 12, 3)),
    ("12月3号", date(2026, 12, 3)),
    ("12月3", date(2026, 12, 3)),
    ("12.3", date(2026, 12, 3)),
    ("12/3", date(2026, 12, 3)),
    ("2026-12-03", date(2026, 12, 3)),
    ("2026/12/3", date(2026, 12, 3)),
    ("2026.12.3", date(2026, 12, 3)),
    ("2026年12月3日", date(2026, 12, 3)),
    ("2026年十二月三日", date(2026, 12, 3)),
    ("11月20日", date(2026, 11, 20)),
    ("十二月三日", date(2026, 12, 3)),
    ("十一月二十日", date(2026, 11, 20)),
    ("十二月三十一日", date(2026, 12, 31)),
    ("二十三号", date(2026, 11, 23)),
    ("廿三号", date(2026, 11, 23)),
    ("三十号", date(2026, 11, 30)),
    ("20号", date(2026, 11, 20)),
    ("三号", date(2026, 12, 3)),
    ("１２月３日", date(2026, 12, 3)),
    ("２０２６－１２－０３", date(2026, 12, 3)),
    ("１２／３", date(2026, 12, 3)),
    ("2025-01-15", date(2025, 1, 15)),
    ("1月3日", date(2027, 1, 3)),
    ("6月1日", date(2026, 6, 1)),
    ("5月20日", date(2027, 5, 20)),
    ("12月3日(周四)", date(2026, 12, 3)),
    ("12月3日（星期四）", date(2026, 12, 3)),
    ("12月3日 周四", date(2026, 12, 3)),
    ("明天(周二)", date(2026, 11, 24)),
    ("  明天  ", date(2026, 11, 24)),
    ("明天。", date(2026, 11, 24)),
]

INVALID_DATES = [
    "2月30日",
    "13月1日",
    "十三月一日",
    "0月5日",
    "12月0日",
    "12月32日",
    "2月29日",
    "32号",
    "13.1",
    "2026-02-30",
    "2026/13/01",
    "0000-01-01",
    "12月3日（周五）",
    "明天(周三)",
]

NOT_A_WHOLE_DATE = ["12月3日开会", "12月3日19:30", "今晚", "3月份", "12", "2026", "12.3.5", "第3节课", "作业明天交"]


@pytest.mark.parametrize(("text", "expected"), RELATIVE_DAYS + WEEKDAYS + ABSOLUTE_DATES, ids=lambda v: str(v))
def test_parse_date_understands_teacher_dates(text, expected):
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text", INVALID_DATES, ids=str)
def test_parse_date_rejects_impossible_dates(text):
    assert parse_date(text, TODAY) is None


@pytest.mark.parametrize("text", CHATTER + NOT_A_WHOLE_DATE, ids=lambda v: v or "<empty>")
def test_parse_date_ignores_text_that_is_not_just_a_date(text):
    assert parse_date(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("1月3日", date(2026, 12, 28), date(2027, 1, 3)),
        ("12月28日", date(2027, 1, 5), date(2026, 12, 28)),
        ("12.1", date(2026, 12, 28), date(2026, 12, 1)),
        ("3号", date(2026, 12, 28), date(2027, 1, 3)),
        ("30号", date(2027, 1, 2), date(2026, 12, 30)),
        ("5号", date(2026, 11, 10), date(2026, 11, 5)),
        ("31号", date(2026, 12, 20), date(2026, 12, 31)),
        ("2月29日", date(2027, 12, 1), date(2028, 2, 29)),
        ("2月29日", date(2024, 3, 10), date(2024, 2, 29)),
        ("周日", date(2026, 11, 29), date(2026, 11, 29)),
        ("周一", date(2026, 11, 29), date(2026, 11, 23)),
        ("下周一", date(2026, 12, 31), date(2027, 1, 4)),
        ("明天", date(2026, 12, 31), date(2027, 1, 1)),
    ],
    ids=lambda v: str(v),
)
def test_dates_without_a_year_pick_the_nearest_occurrence(text, today, expected):
    assert parse_date(text, today) == expected


TIMES_TODAY = [
    ("19:30", at(11, 23, 19, 30), False),
    ("19：30", at(11, 23, 19, 30), False),
    ("07:30", at(11, 23, 7, 30), False),
    ("7:30", at(11, 23, 7, 30), True),
    ("10:00", at(11, 23, 10), True),
    ("7点", at(11, 23, 7), True),
    ("7点半", at(11, 23, 7, 30), True),
    ("7点15", at(11, 23, 7, 15), True),
    ("7点15分", at(11, 23, 7, 15), True),
    ("7时30分", at(11, 23, 7, 30), True),
    ("7点钟", at(11, 23, 7), True),
    ("七点半", at(11, 23, 7, 30), True),
    ("七点零五", at(11, 23, 7, 5), True),
    ("七点十五分", at(11, 23, 7, 15), True),
    ("七点一刻", at(11, 23, 7, 15), True),
    ("七点三刻", at(11, 23, 7, 45), True),
    ("两点", at(11, 23, 2), True),
    ("十九点", at(11, 23, 19), False),
    ("二十三点五十九分", at(11, 23, 23, 59), False),
    ("12点", at(11, 23, 12), False),
    ("0点", at(11, 23, 0), False),
    ("晚上7点", at(11, 23, 19), False),
    ("晚7点半", at(11, 23, 19, 30), False),
    ("下午四点半", at(11, 23, 16, 30), False),
    ("下午12点", at(11, 23, 12), False),
    ("下午3:00", at(11, 23, 15), False),
    ("上午9点", at(11, 23, 9), False),
    ("中午12点", at(11, 23, 12), False),
    ("中午1点", at(11, 23, 13), False),
    ("早上8点", at(11, 23, 8), False),
    ("早8点", at(11, 23, 8), False),
    ("凌晨1点", at(11, 23, 1), False),
    ("凌晨12点", at(11, 23, 0), False),
    ("傍晚6点", at(11, 23, 18), False),
    ("夜里11点", at(11, 23, 23), False),
    ("晚上 7点", at(11, 23, 19), False),
    ("晚上19点", at(11, 23, 19), False),
    ("晚上12点", at(11, 24, 0), False),
    ("晚上1点", at(11, 24, 1), False),
]

DATES_WITH_TIMES = [
    ("下周三晚上7点", at(12, 2, 19), False),
    ("12月3日19:30", at(12, 3, 19, 30), False),
    ("12月3日 19:30", at(12, 3, 19, 30), False),
    ("12月3日（周四）19:30", at(12, 3, 19, 30), False),
    ("12.3 19:30", at(12, 3, 19, 30), False),
    ("明天下午四点半", at(11, 24, 16, 30), False),
    ("周五晚七点半", at(11, 27, 19, 30), False),
    ("2026-12-03 19:30", at(12, 3, 19, 30), False),
    ("今天晚上7点", at(11, 23, 19), False),
    ("十二月三日晚上七点", at(12, 3, 19), False),
    ("今晚7点", at(11, 23, 19), False),
    ("明早8点", at(11, 24, 8), False),
    ("１２月３日　１９：３０", at(12, 3, 19, 30), False),
    ("周五7点", at(11, 27, 7), True),
    ("1月3日9:00", at(1, 3, 9, year=2027), True),
]

PERIODS_WITHOUT_HOUR = [
    ("周五晚上", at(11, 27, 19)),
    ("周五晚", at(11, 27, 19)),
    ("周五早上", at(11, 27, 8)),
    ("明天上午", at(11, 24, 9)),
    ("明天中午", at(11, 24, 12)),
    ("明天下午", at(11, 24, 14)),
    ("明天傍晚", at(11, 24, 18)),
    ("明天夜里", at(11, 24, 22)),
    ("明天凌晨", at(11, 24, 0)),
    ("今晚", at(11, 23, 19)),
    ("明早", at(11, 24, 8)),
]


@pytest.mark.parametrize(("text", "expected", "ambiguous"), TIMES_TODAY + DATES_WITH_TIMES, ids=lambda v: str(v))
def test_parse_datetime_reads_dates_and_times(text, expected, ambiguous):
    parsed = parse_datetime(text, NOW)
    assert parsed is not None
    assert (parsed.value, parsed.ambiguous_hour, parsed.rest) == (expected, ambiguous, "")


@pytest.mark.parametrize(("text", "expected"), PERIODS_WITHOUT_HOUR, ids=lambda v: str(v))
def test_a_period_without_an_hour_is_ambiguous_at_its_usual_start(text, expected):
    assert parse_datetime(text, NOW) == ParsedDateTime(expected, ambiguous_hour=True, day=expected.date())


@pytest.mark.parametrize(("text", "expected"), [
    ("11月25日 9:00", at(11, 25, 9)),
    ("11月25日 11点", at(11, 25, 11)),
    ("11月25日 8点半", at(11, 25, 8, 30)),
    ("11月25日 2点半", at(11, 25, 14, 30)),
    ("11月25日 3:30", at(11, 25, 15, 30)),
    ("11月25日 6点", at(11, 25, 18)),
    ("11月25日 7点", None),          # a 7:00 start or an evening study: still a question
    ("11月25日下午", None),          # a period with no hour: still a question
    ("周五上午", None),
    ("11月25日 15:00", None),        # never ambiguous: nothing to read
])
def test_an_activitys_bare_hour_is_read_within_the_school_day(text, expected):
    assert school_day_reading(parse_datetime(text, NOW)) == expected


def test_late_night_readings_keep_the_named_day():
    parsed = parse_datetime("周五晚上12点", NOW)
    assert parsed == ParsedDateTime(at(11, 28, 0), day=date(2026, 11, 27))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("明天", ParsedDateTime(None, day=date(2026, 11, 24))),
        ("12月3日", ParsedDateTime(None, day=date(2026, 12, 3))),
        ("周五 线上研讨", ParsedDateTime(None, day=date(2026, 11, 27), rest="线上研讨")),
        ("今天晚了", ParsedDateTime(None, day=date(2026, 11, 23), rest="晚了")),
        ("明天下午3点 交作业", ParsedDateTime(at(11, 24, 15), day=date(2026, 11, 24), rest="交作业")),
        ("下周三晚上7点开会", ParsedDateTime(at(12, 2, 19), day=date(2026, 12, 2), rest="开会")),
        ("晚上7点，线上会议", ParsedDateTime(at(11, 23, 19), day=date(2026, 11, 23), rest="线上会议")),
    ],
    ids=lambda v: str(v),
)
def test_parse_datetime_reports_date_only_and_the_rest(text, expected):
    assert parse_datetime(text, NOW) == expected


@pytest.mark.parametrize(
    "text",
    ["25点", "24:00", "19:75", "明天25点", "7点75分", "2月30日 19:00", "13月1日晚上7点", "12月3日（周五）19:30"],
    ids=str,
)
def test_parse_datetime_rejects_impossible_dates_and_times(text):
    assert parse_datetime(text, NOW) is None


@pytest.mark.parametrize("text", CHATTER + ["第3节课", "作业明天交", "晚上好"], ids=lambda v: v or "<empty>")
def test_parse_datetime_ignores_chatter(text):
    assert parse_datetime(text, NOW) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("明天 交作业", (date(2026, 11, 24), "交作业")),
        ("  12月3日：提交教案", (date(2026, 12, 3), "提交教案")),
        ("周五，线上研讨", (date(2026, 11, 27), "线上研讨")),
        ("12/3 19:30 开会", (date(2026, 12, 3), "19:30 开会")),
        ("下周三晚上7点", (date(2026, 12, 2), "晚上7点")),
        ("今晚7点", (date(2026, 11, 23), "晚7点")),
        ("１２月３日　开会", (date(2026, 12, 3), "开会")),
        ("11月20日（周五）听课", (date(2026, 11, 20), "听课")),
        ("明天", (date(2026, 11, 24), "")),
        ("收到", None),
        ("", None),
        ("2月30日 开会", None),
        ("作业明天交", None),
        ("7点开会", None),
    ],
    ids=lambda v: str(v),
)
def test_find_date_prefix_splits_date_from_message(text, expected):
    assert find_date_prefix(text, TODAY) == expected


@given(st.text())
def test_parsers_never_raise(text):
    parse_date(text, TODAY)
    parse_datetime(text, NOW)
    find_date_prefix(text, TODAY)


DATE_LIKE_ALPHABET = (
    "0123456789０１２３年月日号点时分半刻:：./-() "
    "周星期礼拜上下本这个今明昨天前后大早晚午夜凌晨傍中一二两三四五六七八九十廿零〇"
)


@given(st.text(alphabet=DATE_LIKE_ALPHABET))
def test_parsers_never_raise_on_date_like_text(text):
    parse_date(text, TODAY)
    parse_datetime(text, NOW)
    find_date_prefix(text, TODAY)


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)))
def test_written_out_dates_round_trip(day):
    assert parse_date(day.isoformat(), TODAY) == day
    assert parse_date(f"{day.year}年{day.month}月{day.day}日", TODAY) == day
    assert parse_date(f"{day.year}/{day.month}/{day.day}", TODAY) == day


@given(st.integers(min_value=-150, max_value=150))
def test_month_day_within_five_months_is_that_date(offset):
    day = TODAY + timedelta(days=offset)
    assert parse_date(f"{day.month}月{day.day}日", TODAY) == day
    assert parse_date(f"{day.month}.{day.day}", TODAY) == day


@given(st.times().filter(lambda moment: moment.hour not in (10, 11)))
def test_zero_padded_clock_times_are_explicit(moment):
    parsed = parse_datetime(f"{moment.hour:02d}:{moment.minute:02d}", NOW)
    assert parsed is not None
    assert parsed.value == datetime.combine(NOW.date(), time(moment.hour, moment.minute))
    assert not parsed.ambiguous_hour


SESSION_SCHEDULING = [
    ("下周三晚上7点", at(12, 2, 19)),
    ("12月3日 19:30", at(12, 3, 19, 30)),
    ("明天下午四点半", at(11, 24, 16, 30)),
    ("今晚8点", at(11, 23, 20)),
    ("周五下午3点", at(11, 27, 15)),
    ("12月3日晚上七点半", at(12, 3, 19, 30)),
]


@pytest.mark.parametrize(("text", "expected"), SESSION_SCHEDULING, ids=lambda v: str(v))
def test_parse_datetime_reads_how_sessions_are_scheduled(text, expected):
    assert parse_datetime(text, NOW) == ParsedDateTime(expected, ambiguous_hour=False, day=expected.date())
