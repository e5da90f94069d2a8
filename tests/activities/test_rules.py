"""The pure rules of activities: each person's line on the roll, whether an activity counts,
fortnights and quotas per period, stages — and the policy's checks on declared types and stages."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from pydantic import ValidationError

from bot.domain import activities as rules
from bot.domain.policy import Policy
from bot.domain.quotas import Span
from tests.conftest import SHANGHAI

START = datetime(2026, 11, 25, 15, 0, tzinfo=SHANGHAI)
SEMESTER = Span(date(2026, 9, 1), date(2027, 1, 15))  # seed 001's semester; 1 September is a Tuesday
RULES = rules.RollRules(min_minutes=60, min_present_share=0.8, late_after_minutes=10)


def minutes(n: int) -> datetime:
    return START + timedelta(minutes=n)


@pytest.mark.parametrize(("arrived", "excused", "expected"), [
    (minutes(-5), False, rules.PRESENT),
    (minutes(10), False, rules.PRESENT),   # exactly the grace: still on time
    (minutes(11), False, rules.LATE),
    (None, False, rules.ABSENT),
    (None, True, rules.EXCUSED),
    (minutes(30), True, rules.LATE),      # on leave but came anyway: counted as there
])
def test_each_person_on_the_roll(arrived, excused, expected):
    assert rules.outcome(arrived, START, 10, excused) == expected


def test_a_group_of_six_with_one_late_one_on_leave_and_one_absent_counts_at_80_percent():
    roll = [1, 2, 3, 4, 5, 6]
    arrivals = {1: minutes(0), 2: minutes(3), 3: minutes(25), 4: minutes(1), 9: minutes(0)}
    verdict = rules.judge(roll, arrivals, start=START, minutes=90, excused=[5], rules=RULES)
    assert verdict.present == (1, 2, 4) and verdict.late == (3,) and verdict.excused == (5,)
    assert verdict.absent == (6,) and verdict.guests == (9,)
    assert verdict.share == 0.8 and verdict.counted and verdict.problems == ()
    assert set(verdict.attended) == {1, 2, 3, 4, 9}


def test_too_few_or_too_short_does_not_count_and_says_why():
    roll = [1, 2, 3, 4, 5]
    few = rules.judge(roll, {1: START, 2: START, 3: START}, start=START, minutes=90, excused=[], rules=RULES)
    assert few.share == 0.6 and not few.counted and few.problems == ("too_few",)
    short = rules.judge(roll, dict.fromkeys(roll, START), start=START, minutes=59, excused=[], rules=RULES)
    assert not short.counted and short.problems == ("too_short",)
    everyone_excused = rules.judge([1, 2], {}, start=START, minutes=60, excused=[1, 2], rules=RULES)
    assert everyone_excused.share == 1.0 and everyone_excused.counted


def test_held_minutes_from_the_bot_or_from_the_plan():
    assert rules.held_minutes(START, 90, minutes(2), minutes(62)) == 60
    assert rules.held_minutes(START, 90, None, minutes(10)) == 90  # only a roll was taken: as planned


def test_fortnights_run_from_the_monday_of_the_semesters_first_week():
    assert rules.fortnight_of(date(2026, 9, 1), SEMESTER.first) == Span(date(2026, 8, 31), date(2026, 9, 13))
    assert rules.fortnight_of(date(2026, 9, 14), SEMESTER.first) == Span(date(2026, 9, 14), date(2026, 9, 27))
    assert rules.fortnight_of(date(2026, 11, 25), SEMESTER.first) == Span(date(2026, 11, 23), date(2026, 12, 6))
    spans = rules.periods("fortnight", SEMESTER)
    assert len(spans) == 10 and spans[-1] == Span(date(2027, 1, 4), date(2027, 1, 17))
    assert rules.period_of("week", date(2026, 11, 25), SEMESTER) == Span(date(2026, 11, 23), date(2026, 11, 29))
    assert rules.period_of("month", date(2026, 11, 25), SEMESTER) == Span(date(2026, 11, 1), date(2026, 11, 30))
    assert rules.period_of("semester", date(2026, 11, 25), SEMESTER) == SEMESTER
    with pytest.raises(ValueError):
        rules.period_of("year", date(2026, 11, 25), SEMESTER)


def test_two_months_pair_calendar_months_from_the_semesters_first():
    """Seed 000: 每兩月至少開展一次 — September–October, November–December, January–February."""
    assert [(s.first, s.last) for s in rules.periods("two_months", SEMESTER)] == [
        (date(2026, 9, 1), date(2026, 10, 31)), (date(2026, 11, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), date(2027, 2, 28))]
    spring = Span(date(2027, 2, 20), date(2027, 7, 10))
    assert rules.period_of("two_months", date(2027, 3, 31), spring) == Span(date(2027, 2, 1), date(2027, 3, 31))
    assert rules.period_of("two_months", date(2027, 4, 1), spring) == Span(date(2027, 4, 1), date(2027, 5, 31))
    held = [date(2026, 9, 20), date(2026, 10, 8), date(2026, 12, 30)]
    counts = rules.quota(held, count=1, per="two_months", semester=SEMESTER, today=date(2027, 1, 10))
    assert [(c.held, c.met, c.over) for c in counts] == [(2, True, True), (1, True, True), (0, False, False)]


def test_a_fortnightly_quota_is_judged_in_each_fortnight_on_its_own():
    """Seed 001: 每两周举行一次小组研讨 — two meetings in one fortnight do not cover the next."""
    held = [date(2026, 9, 2), date(2026, 9, 10), date(2026, 9, 30)]
    counts = rules.quota(held, count=1, per="fortnight", semester=SEMESTER, today=date(2026, 10, 14))
    assert [(c.period.first, c.held, c.met, c.over) for c in counts] == [
        (date(2026, 8, 31), 2, True, True),
        (date(2026, 9, 14), 0, False, True),
        (date(2026, 9, 28), 1, True, True),
        (date(2026, 10, 12), 0, False, False),
    ]
    current = rules.current_quota(held, count=1, per="fortnight", semester=SEMESTER, today=date(2026, 10, 14))
    assert current.period.first == date(2026, 10, 12) and current.held == 0 and not current.met
    assert rules.quota(held, count=0, per="week", semester=SEMESTER, today=date(2026, 10, 14)) == []
    after = rules.current_quota(held, count=1, per="semester", semester=SEMESTER, today=date(2027, 3, 1))
    assert after.held == 3 and after.met


def test_stages_past_current_upcoming_and_what_was_held_in_each():
    assert rules.stage_state(date(2026, 9, 1), date(2026, 10, 15), date(2026, 10, 15)) == rules.CURRENT
    assert rules.stage_state(date(2026, 9, 1), date(2026, 10, 15), date(2026, 10, 16)) == rules.PAST
    assert rules.stage_state(date(2026, 9, 1), date(2026, 10, 15), date(2026, 8, 31)) == rules.UPCOMING
    held = [("示范课", date(2026, 9, 20)), ("示范课", date(2026, 10, 20)), ("磨课", date(2026, 9, 21))]
    assert rules.held_in_stage(["示范课", "课堂诊断"], held, date(2026, 9, 1), date(2026, 10, 15)) == {
        "示范课": 1, "课堂诊断": 0}


def test_types_are_named_by_name_or_keyword():
    words = {"集体备课": ("集体备课", "备课"), "小组研讨": ("小组研讨", "研讨")}
    assert rules.match_type(words, "备课") == "集体备课"
    assert rules.match_type(words, "小组研讨") == "小组研讨"
    assert rules.match_type(words, "论坛") is None


def stage(name: str, start: str, end: str, *activities: str) -> dict:
    return {"name": name, "start": start, "end": end, "activities": list(activities)}


def test_the_policy_checks_declared_types_and_stages():
    good = Policy.model_validate({
        "activities": [{"name": "示范课", "stage": "诊断示范"}, {"name": "集体备课", "keywords": ["备课"]}],
        "stages": [stage("诊断示范", "2026-09-01", "2026-10-15", "示范课"),
                   stage("研课磨课", "2026-10-16", "2026-12-15", "集体备课")],
    })
    assert [s.name for s in good.stages] == ["诊断示范", "研课磨课"]
    roles = Policy.model_validate({"activities": [{"name": "常规诊断", "unit": "school", "school_roles": ["帮扶校", "lead"],
                                                   "per": "two_months", "per_semester": 2}]})
    assert roles.activities[0].school_roles == ["supported", "lead"]
    assert Policy().activities == [] and Policy().stages == []
    bad = {
        "share a name": {"activities": [{"name": "集体备课"}, {"name": "备课会", "keywords": ["集体备课"]}]},
        "unknown stage": {"activities": [{"name": "示范课", "stage": "展示"}]},
        "unknown type in a stage": {"stages": [stage("诊断示范", "2026-09-01", "2026-10-15", "示范课")]},
        "overlapping stages": {"stages": [stage("甲阶段", "2026-09-01", "2026-10-15"),
                                          stage("乙阶段", "2026-10-15", "2026-11-15")]},
        "stages out of order": {"stages": [stage("甲阶段", "2026-10-01", "2026-10-15"),
                                           stage("乙阶段", "2026-09-01", "2026-09-15")]},
        "repeated stage": {"stages": [stage("甲阶段", "2026-09-01", "2026-09-15"),
                                      stage("甲阶段", "2026-10-01", "2026-10-15")]},
        "backwards stage": {"stages": [stage("甲阶段", "2026-10-01", "2026-09-15")]},
        "unknown unit": {"activities": [{"name": "集体备课", "unit": "class"}]},
        "unknown period": {"activities": [{"name": "集体备课", "per": "year"}]},
        "unknown host role": {"activities": [{"name": "集体备课", "hosts": ["teacher"]}]},
        "unknown attendee role": {"activities": [{"name": "集体备课", "attendee_roles": ["班主任"]}]},
        "unknown category": {"activities": [{"name": "集体备课", "hours_category": "课时"}]},
        "positive absence points": {"activities": [{"name": "集体备课", "absence_points": 2}]},
        "share above one": {"activities": [{"name": "集体备课", "min_present_share": 1.5}]},
        "school roles off a school": {"activities": [{"name": "集体备课", "school_roles": ["帮扶校"]}]},
        "unknown school role": {"activities": [{"name": "常规诊断", "unit": "school", "school_roles": ["乡村校"]}]},
        "a semester total on a semester": {"activities": [{"name": "论坛", "per": "semester", "per_semester": 2}]},
    }
    for why, data in bad.items():
        with pytest.raises(ValidationError):
            Policy.model_validate(data)
            pytest.fail(why)
