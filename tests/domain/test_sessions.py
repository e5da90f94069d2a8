from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from bot.domain.sessions import (
    HeldSession,
    MonthCompliance,
    Presence,
    Problem,
    SchoolCount,
    SessionRules,
    WriterCandidate,
    attended_minutes,
    compliance,
    evaluate,
    month_needs_warning,
    parse_minutes,
    pick_summary_writer,
    schedule_warnings,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
RULES = SessionRules()  # 30 minutes, 5 per school, half the session
BASE, PARTNER, THIRD, OUTSIDER = 1, 2, 3, 9
HOST = 100
START = datetime(2026, 11, 25, 19, 0, tzinfo=SHANGHAI)
HOUR_LATER = START + timedelta(minutes=60)


def at(minutes: float, base: datetime = START) -> datetime:
    return base + timedelta(minutes=minutes)


def stay(member: int, school: int, arrive: float = 0, leave: float | None = None, base: datetime = START):
    return Presence(member, school, at(arrive, base), None if leave is None else at(leave, base))


def school(school_id: int, count: int, *, base: datetime = START) -> list[Presence]:
    """`count` members of a school who stay for the whole session; ids are school_id*100 + 1..count."""
    return [stay(school_id * 100 + n, school_id, base=base) for n in range(1, count + 1)]


HOST_STAYS = [stay(HOST, BASE)]  # the host counts toward the base school: 4 more make five
FULL_BASE = HOST_STAYS + school(BASE, 4)


# --- attended_minutes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stretches", "expected"),
    [
        pytest.param([], 0, id="nothing"),
        pytest.param([(0, None)], 60, id="left None stays to the end"),
        pytest.param([(10, 40)], 30, id="plain stretch"),
        pytest.param([(-30, 20)], 20, id="arrived before start counts from start"),
        pytest.param([(50, 90)], 10, id="stayed after end is clipped"),
        pytest.param([(-30, -5)], 0, id="left before start"),
        pytest.param([(70, 80)], 0, id="arrived after end"),
        pytest.param([(0, 20), (10, 25)], 25, id="overlapping rejoin counted once"),
        pytest.param([(0, 20), (40, 55)], 35, id="separate stretches add up"),
        pytest.param([(0, 30), (5, 10), (20, None)], 60, id="nested and open stretches"),
        pytest.param([(40, 55), (0, 20)], 35, id="order does not matter"),
        pytest.param([(30, 20)], 0, id="left before arriving"),
    ],
)
def test_attended_minutes_is_the_union_of_clipped_stretches(stretches, expected):
    presences = [stay(7, PARTNER, arrive, leave) for arrive, leave in stretches]
    assert attended_minutes(presences, START, HOUR_LATER) == expected


def test_attended_minutes_keeps_seconds():
    presences = [Presence(7, PARTNER, START, START + timedelta(minutes=10, seconds=30))]
    assert attended_minutes(presences, START, HOUR_LATER) == 10.5


# --- evaluate ---------------------------------------------------------------------------------

VALIDITY = [
    pytest.param(30, [BASE, PARTNER], FULL_BASE + school(PARTNER, 5), (), id="exactly 30 minutes"),
    pytest.param(
        29, [BASE, PARTNER], FULL_BASE + school(PARTNER, 5), (Problem("too_short", have=29, need=30),),
        id="29 minutes",
    ),
    pytest.param(
        29 + 59 / 60, [BASE, PARTNER], FULL_BASE + school(PARTNER, 5),
        (Problem("too_short", have=29, need=30),), id="29m59s",
    ),
    pytest.param(60, [BASE, PARTNER], FULL_BASE + school(PARTNER, 5), (), id="five per school"),
    pytest.param(
        60, [BASE, PARTNER], FULL_BASE + school(PARTNER, 4), (Problem("too_few", PARTNER, 4, 5),),
        id="four in a school",
    ),
    pytest.param(
        60, [BASE, PARTNER], HOST_STAYS + school(BASE, 3) + school(PARTNER, 5),
        (Problem("too_few", BASE, 4, 5),), id="host counts toward the base school",
    ),
    pytest.param(
        60, [BASE, PARTNER], FULL_BASE + school(PARTNER, 4) + [stay(299, PARTNER, 0, 5)],
        (Problem("too_few", PARTNER, 4, 5),), id="five minutes of sixty does not count",
    ),
    pytest.param(
        60, [BASE, PARTNER], FULL_BASE + school(PARTNER, 4) + [stay(299, PARTNER, 30)], (),
        id="exactly half the session counts",
    ),
    pytest.param(
        60, [BASE, PARTNER], FULL_BASE + school(PARTNER, 4) + [stay(299, PARTNER, 31)],
        (Problem("too_few", PARTNER, 4, 5),), id="a minute under half does not",
    ),
    pytest.param(
        60, [BASE, PARTNER, THIRD], FULL_BASE + school(PARTNER, 5) + school(THIRD, 5), (), id="three schools",
    ),
    pytest.param(
        60, [BASE, PARTNER, THIRD], FULL_BASE + school(PARTNER, 5) + school(THIRD, 3),
        (Problem("too_few", THIRD, 3, 5),), id="three schools, one short",
    ),
    pytest.param(
        60, [BASE, PARTNER], school(BASE, 5) + school(PARTNER, 5), (Problem("host_absent"),), id="host absent",
    ),
    pytest.param(
        60, [BASE, PARTNER], [stay(HOST, BASE, 0, 10)] + school(BASE, 5) + school(PARTNER, 5),
        (Problem("host_absent"),), id="host present 10 of 60 minutes",
    ),
    pytest.param(
        60, [BASE, PARTNER],
        FULL_BASE + school(PARTNER, 4) + [stay(299, PARTNER, 0, 20), stay(299, PARTNER, 10, 25)],
        (Problem("too_few", PARTNER, 4, 5),), id="overlapping rejoin is not double-counted",
    ),
    pytest.param(
        60, [BASE, PARTNER],
        FULL_BASE + school(PARTNER, 4) + [stay(299, PARTNER, 0, 20), stay(299, PARTNER, 45)],
        (), id="leave and rejoin adds up",
    ),
    pytest.param(
        60, [BASE, PARTNER], FULL_BASE + school(PARTNER, 4) + [stay(299, PARTNER, -30, 25)],
        (Problem("too_few", PARTNER, 4, 5),), id="time before the start does not count",
    ),
    pytest.param(
        60, [BASE, PARTNER], FULL_BASE + school(PARTNER, 4) + school(OUTSIDER, 9),
        (Problem("too_few", PARTNER, 4, 5),), id="a non-participating school does not help",
    ),
    pytest.param(
        60, [BASE, PARTNER], [stay(HOST, OUTSIDER)] + school(BASE, 4) + school(PARTNER, 5),
        (Problem("too_few", BASE, 4, 5),), id="a member's school is the one on their presences",
    ),
    pytest.param(
        60, [], FULL_BASE, (Problem("no_schools"),), id="no schools",
    ),
    pytest.param(
        20, [BASE, PARTNER, THIRD], school(BASE, 5) + school(PARTNER, 2) + school(THIRD, 5),
        (Problem("too_short", have=20, need=30), Problem("host_absent"), Problem("too_few", PARTNER, 2, 5)),
        id="problems in order",
    ),
    pytest.param(
        0, [BASE, PARTNER], FULL_BASE + school(PARTNER, 5),
        (Problem("too_short", have=0, need=30), Problem("host_absent"),
         Problem("too_few", BASE, 0, 5), Problem("too_few", PARTNER, 0, 5)),
        id="no length: nobody can be present",
    ),
]


@pytest.mark.parametrize(("minutes", "school_ids", "presences", "problems"), VALIDITY)
def test_evaluate(minutes, school_ids, presences, problems):
    verdict = evaluate(START, at(minutes), HOST, school_ids, presences, RULES)
    assert verdict.problems == problems
    assert verdict.valid == (not problems)
    assert verdict.minutes == int(minutes)
    assert verdict.host_present == (Problem("host_absent") not in problems)
    assert [count.school_id for count in verdict.schools] == list(school_ids)


def test_end_before_start_is_too_short():
    verdict = evaluate(START, at(-10), HOST, [BASE], FULL_BASE, RULES)
    assert (verdict.valid, verdict.minutes) == (False, 0)
    assert verdict.problems[0] == Problem("too_short", have=0, need=30)
    assert verdict.counted == frozenset()


def test_evaluate_reports_counts_and_minutes_of_everyone():
    presences = (
        FULL_BASE
        + school(PARTNER, 4)
        + [stay(299, PARTNER, 0, 5), stay(298, PARTNER, 20, 35), stay(298, PARTNER, 30, 50)]
        + [stay(901, OUTSIDER, 10)]
    )
    verdict = evaluate(START, HOUR_LATER, HOST, [BASE, PARTNER], presences, RULES)
    assert verdict.schools == (SchoolCount(BASE, 5, 5), SchoolCount(PARTNER, 5, 5))
    assert verdict.attended[299] == 5  # below the share, still listed for hours credit
    assert verdict.attended[298] == 30  # 20..50, the overlap counted once
    assert verdict.attended[901] == 50  # not participating, still listed
    assert verdict.attended[HOST] == 60
    assert len(verdict.attended) == 1 + 4 + 4 + 3
    assert verdict.counted == frozenset({HOST, 101, 102, 103, 104, 201, 202, 203, 204, 298})


def test_a_session_crossing_midnight():
    start = datetime(2026, 11, 25, 23, 40, tzinfo=SHANGHAI)
    end = datetime(2026, 11, 26, 0, 20, tzinfo=SHANGHAI)
    late = Presence(299, PARTNER, datetime(2026, 11, 25, 23, 50, tzinfo=SHANGHAI),
                    datetime(2026, 11, 26, 0, 10, tzinfo=SHANGHAI))
    presences = [stay(HOST, BASE, base=start)] + school(BASE, 4, base=start) + school(PARTNER, 4, base=start)
    verdict = evaluate(start, end, HOST, [BASE, PARTNER], [*presences, late], RULES)
    assert (verdict.valid, verdict.minutes, verdict.attended[299]) == (True, 40, 20)


def test_presences_in_another_zone_are_compared_as_instants():
    in_utc = Presence(299, PARTNER, START.astimezone(UTC), (START + timedelta(minutes=45)).astimezone(UTC))
    verdict = evaluate(START, HOUR_LATER, HOST, [BASE, PARTNER], FULL_BASE + school(PARTNER, 4) + [in_utc], RULES)
    assert verdict.valid and verdict.attended[299] == 45


def test_rules_are_configurable():
    rules = SessionRules(min_minutes=45, min_per_school=2, min_presence_share=0.8)
    presences = HOST_STAYS + school(BASE, 1) + school(PARTNER, 1) + [stay(299, PARTNER, 0, 40)]
    verdict = evaluate(START, HOUR_LATER, HOST, [BASE, PARTNER], presences, rules)
    assert verdict.problems == (Problem("too_few", PARTNER, 1, 2),)  # 40 of 60 is under 80 %
    presences[-1] = stay(299, PARTNER, 0, 48)
    assert evaluate(START, HOUR_LATER, HOST, [BASE, PARTNER], presences, rules).valid


# --- compliance -------------------------------------------------------------------------------

SEM_START, SEM_END = date(2026, 9, 1), date(2027, 1, 20)
WINTER_BREAK = (date(2027, 1, 21), date(2027, 2, 28))  # after the semester: changes nothing
NATIONAL_DAY = (date(2026, 10, 1), date(2026, 10, 7))
MONTHS = [(2026, 9), (2026, 10), (2026, 11), (2026, 12), (2027, 1)]


def semester(sessions, today, breaks=(WINTER_BREAK, NATIONAL_DAY), per_month=1, per_semester=3):
    return compliance(
        sessions, semester_start=SEM_START, semester_end=SEM_END, breaks=breaks,
        today=today, per_month=per_month, per_semester=per_semester,
    )


def held(month: int, day: int, valid: bool | None = True, year: int | None = None) -> HeldSession:
    return HeldSession(date(year or (2027 if month == 1 else 2026), month, day), valid)


HAND_COUNT = [
    held(9, 15), held(10, 20), held(11, 5), held(11, 19), held(12, 10, False), held(1, 8, None),
]


def test_hand_counted_semester():
    result = semester(HAND_COUNT, today=date(2027, 1, 5))
    assert result.months == (
        MonthCompliance(2026, 9, 1, 0, 1, "ok"),
        MonthCompliance(2026, 10, 1, 0, 1, "ok"),
        MonthCompliance(2026, 11, 2, 0, 1, "ok"),
        MonthCompliance(2026, 12, 0, 0, 1, "missed"),  # the December session was invalid
        MonthCompliance(2027, 1, 0, 1, 1, "planned"),
    )
    assert (result.valid, result.pending, result.required, result.status) == (4, 1, 3, "ok")


@pytest.mark.parametrize(
    ("today", "statuses", "semester_status"),
    [
        pytest.param(date(2026, 8, 20), ["upcoming", "planned", "upcoming", "upcoming", "upcoming"],
                     "at_risk", id="before the semester"),
        pytest.param(date(2026, 9, 10), ["at_risk", "planned", "upcoming", "upcoming", "upcoming"],
                     "at_risk", id="early September"),
        pytest.param(date(2026, 9, 30), ["at_risk", "planned", "upcoming", "upcoming", "upcoming"],
                     "at_risk", id="last day of September"),
        pytest.param(date(2026, 10, 1), ["missed", "planned", "upcoming", "upcoming", "upcoming"],
                     "at_risk", id="first day of October"),
        pytest.param(date(2026, 10, 31), ["missed", "planned", "upcoming", "upcoming", "upcoming"],
                     "at_risk", id="last day of October, session still pending"),
        pytest.param(date(2026, 11, 1), ["missed", "missed", "at_risk", "upcoming", "upcoming"],
                     "at_risk", id="a pending session does not rescue a finished month"),
    ],
)
def test_statuses_as_the_semester_goes_by(today, statuses, semester_status):
    result = semester([held(10, 15, None)], today)
    assert [month.status for month in result.months] == statuses
    assert result.status == semester_status


@pytest.mark.parametrize(
    ("sessions", "today", "january", "semester_status"),
    [
        pytest.param([held(9, 1), held(10, 9), held(1, 20, None)], date(2027, 1, 20), "planned", "planned",
                     id="last day, third session pending"),
        pytest.param([held(9, 1), held(10, 9), held(1, 20, None)], date(2027, 1, 21), "missed", "missed",
                     id="the day after"),
        pytest.param([held(9, 1), held(10, 9), held(1, 20)], date(2027, 1, 20), "ok", "ok",
                     id="last day, third session valid"),
        pytest.param([held(9, 1), held(10, 9), held(1, 20)], date(2027, 3, 1), "ok", "ok",
                     id="long after, all done"),
        pytest.param([held(9, 1), held(10, 9)], date(2027, 1, 20), "at_risk", "at_risk",
                     id="last day, nothing planned"),
    ],
)
def test_end_of_semester(sessions, today, january, semester_status):
    result = semester(sessions, today)
    assert (result.months[-1].status, result.status) == (january, semester_status)


def test_months_cover_the_semester_and_sessions_outside_are_ignored():
    sessions = [held(8, 31), held(9, 30), held(10, 1), held(1, 21), held(1, 20, None)]
    result = semester(sessions, today=date(2026, 9, 5))
    assert [(m.year, m.month) for m in result.months] == MONTHS
    assert [(m.valid, m.pending) for m in result.months] == [(1, 0), (1, 0), (0, 0), (0, 0), (0, 1)]
    assert (result.valid, result.pending) == (2, 1)


def test_a_week_of_break_does_not_excuse_october():
    result = semester([], today=date(2026, 9, 5), breaks=[NATIONAL_DAY, WINTER_BREAK])
    assert [m.required for m in result.months] == [1, 1, 1, 1, 1]


@pytest.mark.parametrize(
    ("breaks", "excused"),
    [
        pytest.param([(date(2026, 12, 1), date(2026, 12, 31))], (2026, 12), id="whole December"),
        pytest.param([(date(2026, 11, 25), date(2027, 1, 3))], (2026, 12), id="a break spanning December"),
        pytest.param([(date(2026, 12, 28), date(2027, 1, 20))], (2027, 1), id="all of January in the semester"),
        pytest.param([(date(2026, 12, 1), date(2026, 12, 15)), (date(2026, 12, 16), date(2026, 12, 31))],
                     (2026, 12), id="two breaks together"),
    ],
)
def test_a_month_entirely_in_breaks_requires_nothing(breaks, excused):
    result = semester([], today=date(2027, 2, 1), breaks=breaks)
    by_month = {(m.year, m.month): m for m in result.months}
    assert (by_month[excused].required, by_month[excused].status) == (0, "ok")
    assert all(m.required == 1 and m.status == "missed" for key, m in by_month.items() if key != excused)
    assert (result.required, result.status) == (3, "missed")


def test_planned_future_months():
    result = semester([held(9, 3), held(10, 12, None), held(11, 12, None)], today=date(2026, 9, 20))
    assert [m.status for m in result.months] == ["ok", "planned", "planned", "upcoming", "upcoming"]
    assert result.status == "planned"


def test_a_month_with_two_required():
    result = semester([held(9, 3), held(9, 24, None)], today=date(2026, 9, 20), per_month=2)
    assert result.months[0] == MonthCompliance(2026, 9, 1, 1, 2, "planned")


# --- month_needs_warning ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "sessions", "expected"),
    [
        pytest.param(date(2026, 11, 19), [], False, id="19th, too early to warn"),
        pytest.param(date(2026, 11, 20), [], True, id="20th, nothing this month"),
        pytest.param(date(2026, 11, 30), [], True, id="last day"),
        pytest.param(date(2026, 11, 20), [held(11, 27, None)], False, id="one scheduled"),
        pytest.param(date(2026, 11, 20), [held(11, 3)], False, id="one valid"),
        pytest.param(date(2026, 11, 20), [held(11, 3, False)], True, id="only an invalid one"),
        pytest.param(date(2026, 11, 20), [held(10, 30), held(12, 1, None)], True, id="other months"),
        pytest.param(date(2026, 11, 20), [held(11, 25, year=2025)], True, id="same month of another year"),
    ],
)
def test_month_needs_warning(today, sessions, expected):
    assert month_needs_warning(today, sessions, warn_day=20, per_month=1) is expected


def test_month_needs_warning_with_two_per_month():
    assert month_needs_warning(date(2026, 11, 20), [held(11, 3)], warn_day=20, per_month=2)
    assert not month_needs_warning(date(2026, 11, 20), [held(11, 3), held(11, 27, None)], warn_day=20, per_month=2)


# --- schedule_warnings ------------------------------------------------------------------------

TEST_BREAK = (date(2026, 11, 9), date(2026, 11, 13))


def warnings(day: date, start: date = SEM_START, end: date = SEM_END):
    return schedule_warnings(day, semester_start=start, semester_end=end, breaks=[TEST_BREAK])


def working_weekend_day(year: int) -> date:
    """A Saturday or Sunday that is a working day (调休), as chinese_calendar knows it."""
    day = date(year, 1, 1)
    while day.year == year:
        if day.weekday() >= 5 and chinese_calendar.is_workday(day):
            return day
        day += timedelta(days=1)
    raise AssertionError(f"no 调休 working weekend day in {year}")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(date(2026, 10, 1), (("holiday", "国庆节"),), id="National Day"),
        pytest.param(date(2026, 10, 3), (("holiday", "国庆节"),), id="a Saturday inside the holiday"),
        pytest.param(date(2026, 11, 21), (), id="an ordinary Saturday"),
        pytest.param(date(2026, 11, 25), (), id="an ordinary Wednesday"),
        pytest.param(date(2026, 11, 11), (("break", ""),), id="in a break"),
        pytest.param(date(2026, 8, 31), (("outside_semester", ""),), id="before the semester"),
        pytest.param(date(2027, 1, 21), (("outside_semester", ""),), id="after the semester"),
    ],
)
def test_schedule_warnings(day, expected):
    assert warnings(day) == expected


def test_a_working_weekend_day_gives_no_warning():
    day = working_weekend_day(2026)
    assert warnings(day, date(2026, 1, 1), date(2026, 12, 31)) == ()


@pytest.mark.parametrize(
    ("name", "chinese"),
    [
        ("New Year's Day", "元旦"),
        ("Spring Festival", "春节"),
        ("Tomb-sweeping Day", "清明节"),
        ("Labour Day", "劳动节"),
        ("Dragon Boat Festival", "端午节"),
        ("National Day", "国庆节"),
        ("Mid-autumn Festival", "中秋节"),
    ],
    ids=str,
)
def test_holidays_have_chinese_names(name, chinese):
    days = (date(2026, 1, 1) + timedelta(days=n) for n in range(365))
    first = next(
        day for day in days if chinese_calendar.get_holiday_detail(day) == (True, name) and day.weekday() < 5
    )
    assert warnings(first, date(2026, 1, 1), date(2026, 12, 31)) == (("holiday", chinese),)


def test_several_warnings_at_once():
    day = date(2026, 10, 2)
    assert schedule_warnings(day, semester_start=date(2026, 10, 8), semester_end=SEM_END,
                             breaks=[NATIONAL_DAY]) == (("holiday", "国庆节"), ("break", ""), ("outside_semester", ""))


def test_a_year_the_calendar_does_not_know_gives_no_holiday_warning():
    assert warnings(date(2035, 10, 1), date(2035, 9, 1), date(2036, 1, 20)) == ()


# --- pick_summary_writer ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        pytest.param([], None, id="nobody"),
        pytest.param([(5, 0, 40)], 5, id="one"),
        pytest.param([(5, 2, 60), (6, 1, 31), (7, 1, 45)], 7, id="fewest written, then longest present"),
        pytest.param([(9, 0, 45), (4, 0, 45), (6, 0, 30)], 4, id="then the lowest id"),
        pytest.param([(3, 1, 90), (8, 0, 30)], 8, id="written count beats minutes"),
    ],
)
def test_pick_summary_writer(candidates, expected):
    assert pick_summary_writer([WriterCandidate(*c) for c in candidates]) == expected


# --- parse_minutes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90", 90),
        ("90分钟", 90),
        ("90 分", 90),
        ("1.5小时", 90),
        ("1小时30分", 90),
        ("1小时30分钟", 90),
        ("1小时30", 90),
        ("1小时半", 90),
        ("一个半小时", 90),
        ("1个半小时", 90),
        ("半小时", 30),
        ("半个小时", 30),
        ("两小时", 120),
        ("两个小时", 120),
        ("一小时", 60),
        ("2个钟头", 120),
        ("四十五分钟", 45),
        ("十五分钟", 15),
        ("一百二十分钟", 120),
        ("45min", 45),
        ("45 mins", 45),
        ("1h30m", 90),
        ("1.5h", 90),
        ("2 hours", 120),
        ("１２０分钟", 120),
        (" 60 ", 60),
        ("24小时", 1440),
        ("1440", 1440),
    ],
)
def test_parse_minutes(text, expected):
    assert parse_minutes(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "  ", "分钟", "小时", "半", "abc", "0", "0分钟", "零分钟", "-5", "1441", "25小时", "90.5", "1.5",
     "一二分钟", "九十分钟左右", "明天", "一个半小时半"],
)
def test_parse_minutes_rejects(text):
    assert parse_minutes(text) is None


def test_a_reminder_that_can_no_longer_be_on_time_is_skipped() -> None:
    from bot.domain.sessions import reminder_lateness

    assert reminder_lateness(60, 60) == 15, "“1小时后” at most a quarter of an hour late"
    assert reminder_lateness(1440, 60) == 60
    assert reminder_lateness(0, 60) == 10
    assert reminder_lateness(30, 5) == 5
