"""Quotas by period with the seed documents' numbers: each period judged on its own."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.quotas import Span, five_years_of, month_of, periods, school_year_of, shortfalls, week_of

D = date


@pytest.mark.parametrize(("day", "span"), [
    (D(2026, 11, 23), Span(D(2026, 11, 23), D(2026, 11, 29))),  # a Monday
    (D(2026, 11, 29), Span(D(2026, 11, 23), D(2026, 11, 29))),  # its Sunday
    (D(2027, 1, 1), Span(D(2026, 12, 28), D(2027, 1, 3))),  # across the new year
])
def test_weeks_run_monday_to_sunday(day, span):
    assert week_of(day) == span


@pytest.mark.parametrize(("day", "span"), [
    (D(2027, 2, 14), Span(D(2027, 2, 1), D(2027, 2, 28))),
    (D(2028, 2, 14), Span(D(2028, 2, 1), D(2028, 2, 29))),
    (D(2026, 12, 31), Span(D(2026, 12, 1), D(2026, 12, 31))),
])
def test_months(day, span):
    assert month_of(day) == span


@pytest.mark.parametrize(("day", "span"), [
    (D(2026, 11, 23), Span(D(2026, 9, 1), D(2027, 8, 31))),
    (D(2027, 8, 31), Span(D(2026, 9, 1), D(2027, 8, 31))),
    (D(2027, 9, 1), Span(D(2027, 9, 1), D(2028, 8, 31))),
])
def test_school_year_starts_in_september(day, span):
    assert school_year_of(day) == span


@pytest.mark.parametrize(("day", "start", "span"), [
    # seed 002: "从2016年暑期开始 … 每位教师每五年完成360学时"
    (D(2020, 6, 1), D(2016, 9, 1), Span(D(2016, 9, 1), D(2021, 8, 31))),
    (D(2026, 11, 23), D(2016, 9, 1), Span(D(2026, 9, 1), D(2031, 8, 31))),
    (D(2015, 1, 1), D(2016, 9, 1), Span(D(2011, 9, 1), D(2016, 8, 31))),
    (D(2026, 11, 23), None, Span(D(2022, 9, 1), D(2027, 8, 31))),
])
def test_five_year_cycles(day, start, span):
    assert five_years_of(day, start) == span


def test_a_reflection_a_week_means_each_week_not_four_on_one_day():
    """Seed 001: 每周撰写一篇教育教学反思. Four written on Monday 2 November fill that week only."""
    done = [D(2026, 11, 2)] * 4
    missing = shortfalls(done, 1, "week", first=D(2026, 11, 2), last=D(2026, 11, 29), today=D(2026, 11, 30))
    assert [(s.period.first, s.have, s.missing) for s in missing] == [
        (D(2026, 11, 9), 0, 1), (D(2026, 11, 16), 0, 1), (D(2026, 11, 23), 0, 1)]
    # Written as "4 a month", the same four would have satisfied November.
    assert shortfalls(done, 4, "month", first=D(2026, 11, 1), last=D(2026, 11, 30), today=D(2026, 12, 1)) == []


def test_weeks_not_over_or_before_counting_started_are_not_judged():
    missing = shortfalls([], 1, "week", first=D(2026, 11, 2), last=D(2026, 11, 29), today=D(2026, 11, 20),
                         counting_from=D(2026, 11, 9))
    assert [s.period.first for s in missing] == [D(2026, 11, 9)]  # week of 16 Nov is still running


@pytest.mark.parametrize(("done", "per", "kind", "expected"), [
    # seed 003: 各學科每月整理乙份教學反思 — one a month, September to December
    ([D(2026, 9, 3), D(2026, 11, 5), D(2026, 11, 6)], 1, "month", [(D(2026, 10, 1), 1), (D(2026, 12, 1), 1)]),
    # seed 001: 每个教师每学期至少观摩一次其他老师的课堂 — once a semester
    ([], 1, "semester", [(D(2026, 9, 1), 1)]),
    ([D(2026, 12, 24)], 1, "semester", []),
    # seed 000: 网络研讨 该项活动每月至少一次，每学期至少3次 — one a month
    ([D(2026, 9, 10), D(2026, 10, 9), D(2026, 12, 1)], 1, "month", [(D(2026, 11, 1), 1)]),
])
def test_table_of_seed_quotas(done, per, kind, expected):
    missing = shortfalls(done, per, kind, first=D(2026, 9, 1), last=D(2026, 12, 31), today=D(2027, 1, 5))
    assert [(s.period.first, s.missing) for s in missing] == expected


def test_yearly_72_and_five_year_360_hours_are_counted():
    """Seed 002: 每人每年不少于72学时; 每五年完成360学时."""
    hours = {D(2026, 10, 10): 30.0, D(2027, 3, 5): 24.0, D(2027, 9, 20): 80.0, D(2028, 10, 1): 72.0}
    yearly = shortfalls(hours, 72, "year", first=D(2026, 9, 1), last=D(2031, 8, 31), today=D(2029, 9, 1))
    assert [(s.period.first.year, s.have, s.missing) for s in yearly] == [(2026, 54.0, 18.0)]
    cycle = shortfalls(hours, 360, "five_years", first=D(2026, 9, 1), last=D(2031, 8, 31), today=D(2031, 9, 1),
                       cycle_start=D(2016, 9, 1))
    assert [(s.period.first, s.have, s.missing) for s in cycle] == [(D(2026, 9, 1), 206.0, 154.0)]


def test_carry_over_only_when_asked():
    hours = {D(2027, 3, 1): 100.0, D(2027, 10, 1): 50.0}
    strict = shortfalls(hours, 72, "year", first=D(2026, 9, 1), last=D(2028, 8, 31), today=D(2028, 9, 1))
    assert [(s.period.first.year, s.missing) for s in strict] == [(2027, 22.0)]
    carried = shortfalls(hours, 72, "year", first=D(2026, 9, 1), last=D(2028, 8, 31), today=D(2028, 9, 1),
                         carry_over=True)
    assert carried == []  # the 28 hours over in 2026—27 make up 2027—28 (50 + 28 ≥ 72)


def test_periods_cover_the_span_whole():
    weeks = periods("week", D(2026, 9, 1), D(2026, 9, 30))
    assert weeks[0] == Span(D(2026, 8, 31), D(2026, 9, 6)) and weeks[-1].last == D(2026, 10, 4) and len(weeks) == 5
    with pytest.raises(ValueError):
        periods("fortnight", D(2026, 9, 1), D(2026, 9, 30))
