"""Counting start, joining date and leave: what a teacher owes, checked against hand counts."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.duty import DateSpan, duty, excused_on, leave_days_between, merged

SEMESTER = DateSpan(date(2026, 9, 1), date(2027, 1, 20))


def test_a_program_that_starts_on_1_december_owes_nothing_for_autumn() -> None:
    owed = duty(SEMESTER, date(2027, 1, 2), final=False, counting_from=date(2026, 12, 1))
    assert owed.months == ((2026, 12),)
    assert owed.before_start == ((2026, 9), (2026, 10), (2026, 11))
    # 1 Dec … 1 Jan is 32 of the semester's 142 days
    assert owed.hours_share == pytest.approx(32 / 142)
    assert not owed.observations_due


def test_before_counting_starts_nothing_is_due_at_all() -> None:
    owed = duty(SEMESTER, date(2026, 12, 1), final=False, counting_from=date(2026, 12, 1))
    assert owed.months == ()
    assert owed.hours_share == 0


def test_without_a_counting_start_every_month_that_is_over_is_due() -> None:
    owed = duty(SEMESTER, date(2026, 12, 1), final=False)
    assert owed.months == ((2026, 9), (2026, 10), (2026, 11))
    assert owed.hours_share == pytest.approx(91 / 142)


def test_a_final_period_judges_every_month_and_the_semester_quotas() -> None:
    owed = duty(SEMESTER, date(2027, 2, 1), final=True)
    assert owed.months == ((2026, 9), (2026, 10), (2026, 11), (2026, 12), (2027, 1))
    assert owed.hours_share == 1.0
    assert owed.observations_due


@pytest.mark.parametrize(
    ("joined", "due_november"),
    [(date(2026, 11, 1), True), (date(2026, 11, 21), True), (date(2026, 11, 22), False)],
)
def test_a_teacher_who_joins_late_in_a_month_owes_it_only_with_enough_days(joined, due_november) -> None:
    owed = duty(SEMESTER, date(2026, 12, 1), final=False, joined_on=joined, min_days_in_month=10)
    assert ((2026, 11) in owed.months) is due_november
    assert (2026, 10) in owed.before_start


def test_leave_that_covers_most_of_a_month_excuses_it_and_shrinks_the_hours() -> None:
    sick = [DateSpan(date(2026, 10, 8), date(2026, 10, 31))]
    owed = duty(SEMESTER, date(2026, 12, 1), final=False, leaves=sick, min_days_in_month=10)
    assert owed.months == ((2026, 9), (2026, 11))
    assert owed.on_leave == ((2026, 10),)
    assert owed.leave_days == 24
    assert owed.hours_share == pytest.approx((91 - 24) / 142)


def test_leave_can_be_kept_out_of_the_hours_by_policy() -> None:
    sick = [DateSpan(date(2026, 10, 8), date(2026, 10, 31))]
    owed = duty(SEMESTER, date(2026, 12, 1), final=False, leaves=sick, prorate_hours_for_leave=False)
    assert owed.hours_share == pytest.approx(91 / 142)


def test_overlapping_leave_is_counted_once() -> None:
    spans = [DateSpan(date(2026, 10, 1), date(2026, 10, 10)), DateSpan(date(2026, 10, 5), date(2026, 10, 12)),
             DateSpan(date(2026, 10, 13), date(2026, 10, 13))]
    assert merged(spans) == [DateSpan(date(2026, 10, 1), date(2026, 10, 13))]
    assert leave_days_between(spans, date(2026, 10, 1), date(2026, 10, 31)) == 13
    assert excused_on(spans, date(2026, 10, 13)) and not excused_on(spans, date(2026, 10, 14))


def test_a_span_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError):
        DateSpan(date(2026, 10, 2), date(2026, 10, 1))


def test_the_policy_calendar_covers_years_the_package_does_not_know() -> None:
    from bot.domain.calendar import calendar_of, official_year_known

    unknown = next(year for year in range(2026, 2100) if not official_year_known(year))
    spring = date(unknown, 2, 2)  # a weekday
    plain = calendar_of()
    assert plain.is_workday(spring)
    assert plain.unknown_years(date(unknown - 1, 9, 1), date(unknown, 1, 20)) == [unknown]
    listed = calendar_of(holidays=[spring], workdays=[date(unknown, 2, 7)])
    assert not listed.is_workday(spring)
    assert listed.is_workday(date(unknown, 2, 7)) == True  # noqa: E712 - a listed 调休 Saturday or Sunday
    assert listed.unknown_years(date(unknown - 1, 9, 1), date(unknown, 1, 20)) == []


def test_the_official_calendar_still_decides_known_years() -> None:
    from bot.domain.calendar import calendar_of

    assert not calendar_of().is_workday(date(2026, 10, 1))
    assert calendar_of(workdays=[date(2026, 10, 1)]).is_workday(date(2026, 10, 1))


def test_role_words_schools_write_in_rosters() -> None:
    from bot.domain.roles import person_role

    assert person_role("骨干教师") == "host"
    assert person_role("组员") == "teacher"
    assert person_role("教研组长") == "leader"
    assert person_role("指导教师") == "mentor"
    assert person_role("项目办") == "coordinator"
    assert person_role("校长") is None


def test_everyone_is_assessed_except_pure_office_staff() -> None:
    from bot.domain.roles import is_assessed

    assert is_assessed({"workshop_leader"}) and is_assessed({"host", "leader"}) and is_assessed(set())
    assert is_assessed({"coordinator", "teacher"})
    assert not is_assessed({"coordinator"}) and not is_assessed({"admin", "coordinator"})
    assert not is_assessed({"host"}, excluded=frozenset({"host"}))
