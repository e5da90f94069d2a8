from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.scoring import (
    Activity,
    Missing,
    Score,
    ScoreLine,
    ScoringRules,
    initials,
    months_between,
    outstanding,
    outstanding_leader,
    score,
)

RULES = ScoringRules()  # the seed: 100 base, 48 hours, −2 per hour capped at 30, 1 reflection + 1 case a month
OCT, NOV, DEC = (2026, 10), (2026, 11), (2026, 12)
FULL_MONTHS = {OCT: 1, NOV: 1}


def teacher(**changes) -> Activity:
    """A teacher who did everything asked in October and November, with no marks."""
    base = Activity(
        member_id=1, school_based_hours=48, reflections=FULL_MONTHS, cases=FULL_MONTHS, observations=1
    )
    return replace(base, **changes)


def run(activity: Activity, rules: ScoringRules = RULES, **kwargs) -> Score:
    kwargs.setdefault("months", [OCT, NOV])
    return score(activity, rules, **kwargs)


def summary(result: Score) -> list[tuple[str, float]]:
    return [(line.key, line.points) for line in result.lines]


# --- months_between -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        pytest.param(date(2026, 9, 1), date(2026, 9, 30), [(2026, 9)], id="one month"),
        pytest.param(date(2026, 9, 15), date(2026, 9, 15), [(2026, 9)], id="one day"),
        pytest.param(date(2026, 9, 1), date(2027, 1, 20), [(2026, m) for m in (9, 10, 11, 12)] + [(2027, 1)],
                     id="autumn semester over new year"),
        pytest.param(date(2026, 9, 30), date(2026, 10, 1), [(2026, 9), (2026, 10)], id="two days two months"),
        pytest.param(date(2026, 10, 1), date(2026, 9, 30), [], id="empty when reversed"),
    ],
)
def test_months_between(first, last, expected):
    assert months_between(first, last) == expected


# --- score: one rule at a time ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "kwargs", "expected"),
    [
        pytest.param({}, {}, [], id="everything done"),
        # hours: 48 required, −2 per missing hour, at most −30
        pytest.param({"school_based_hours": 48}, {}, [], id="exactly 48 hours"),
        pytest.param({"school_based_hours": 60}, {}, [], id="more hours than needed"),
        pytest.param({"school_based_hours": 47}, {}, [("score_hours_missing", -2)], id="47 hours"),
        pytest.param({"school_based_hours": 47.5}, {}, [("score_hours_missing", -2)], id="started missing hour"),
        pytest.param({"school_based_hours": 47.9999999999}, {}, [], id="float noise is not an hour"),
        pytest.param({"school_based_hours": 40}, {}, [("score_hours_missing", -16)], id="40 hours"),
        pytest.param({"school_based_hours": 33}, {}, [("score_hours_missing", -30)], id="15 missing hits the cap"),
        pytest.param({"school_based_hours": 34}, {}, [("score_hours_missing", -28)], id="14 missing under the cap"),
        pytest.param({"school_based_hours": 0}, {}, [("score_hours_missing", -30)], id="no hours is the cap"),
        pytest.param({"school_based_hours": 24}, {"hours_share": 0.5}, [], id="half the semester half the hours"),
        pytest.param({"school_based_hours": 23}, {"hours_share": 0.5}, [("score_hours_missing", -2)],
                     id="half the semester one hour short"),
        pytest.param({"school_based_hours": 0}, {"hours_share": 0}, [], id="semester not started"),
        pytest.param({"school_based_hours": 0}, {"hours_share": 2}, [("score_hours_missing", -30)],
                     id="share above one is clamped"),
        # reflections and cases: per month, 1 each
        pytest.param({"reflections": {OCT: 1}}, {}, [("score_reflection_missing", -2)], id="reflection missing"),
        pytest.param({"cases": {NOV: 1}}, {}, [("score_case_missing", -2)], id="case missing"),
        pytest.param({"reflections": {}}, {}, [("score_reflection_missing", -2)] * 2, id="two months two lines"),
        pytest.param({"reflections": {OCT: 3}}, {}, [("score_reflection_missing", -2)],
                     id="extra in one month does not cover another"),
        pytest.param({"reflections": {DEC: 1}}, {}, [("score_reflection_missing", -2)] * 2,
                     id="records in a month not due do not count"),
        pytest.param({"reflections": {}, "cases": {}}, {"months": []}, [], id="no month due yet"),
        pytest.param({}, {"months": [OCT, NOV, NOV]}, [], id="repeated month judged once"),
        # observations: 1 per semester, worth 0 points by default
        pytest.param({"observations": 0}, {}, [], id="missing observation costs nothing by default"),
        # marks
        pytest.param({"marks": ("excellent",)}, {}, [("score_marks_excellent", 2)], id="one excellent"),
        pytest.param({"marks": ("excellent", "excellent")}, {}, [("score_marks_excellent", 4)], id="two excellent"),
        pytest.param({"marks": ("unqualified",)}, {}, [("score_marks_unqualified", -5)], id="one unqualified"),
        pytest.param({"marks": ("unqualified", "excellent", "unqualified")}, {},
                     [("score_marks_excellent", 2), ("score_marks_unqualified", -10)], id="mixed marks one line each"),
        # adjustments
        pytest.param({"adjustments": ((1.5, "补交反思"),)}, {}, [("score_adjustment", 1.5)], id="adjustment"),
        pytest.param({"adjustments": ((-3, "a"), (2, "b"))}, {}, [("score_adjustment", -3), ("score_adjustment", 2)],
                     id="adjustments one line each"),
        pytest.param({"adjustments": ((0, "nothing"),)}, {}, [], id="zero adjustment left out"),
    ],
)
def test_single_rules(changes, kwargs, expected):
    result = run(teacher(**changes), **kwargs)
    assert summary(result) == expected
    assert result.points == pytest.approx(100 + sum(points for _, points in expected))


def test_line_values_name_what_is_missing():
    result = run(teacher(school_based_hours=47.5, reflections={OCT: 1}, adjustments=((1, "补登"),),
                         marks=("excellent",)))
    assert result.lines == (
        ScoreLine("score_reflection_missing", -2, {"year": 2026, "month": 11, "missing": 1}),
        ScoreLine("score_hours_missing", -2, {"have": 47.5, "target": 48, "missing": 1}),
        ScoreLine("score_marks_excellent", 2, {"count": 1}),
        ScoreLine("score_adjustment", 1, {"reason": "补登"}),
    )
    assert result.missing == (Missing("reflection", 1, NOV), Missing("school_hours", 1))


def test_interim_target_is_rounded_for_display():
    line = run(teacher(school_based_hours=0), hours_share=0.3).lines[0]
    assert line.values == {"have": 0, "target": 14.4, "missing": 15}


@pytest.mark.parametrize(
    ("school", "online", "expected"),
    [
        pytest.param(48, 20, [], id="both done"),
        pytest.param(48, 18, [("score_online_hours_missing", -4)], id="online short only"),
        pytest.param(45, 18, [("score_hours_missing", -6), ("score_online_hours_missing", -4)], id="both short"),
        pytest.param(36, 10, [("score_hours_missing", -24), ("score_online_hours_missing", -6)],
                     id="online gets what is left of the cap"),
        pytest.param(0, 0, [("score_hours_missing", -30)], id="cap used up by school hours"),
        pytest.param(48, 0, [("score_online_hours_missing", -30)], id="online alone can hit the cap"),
    ],
)
def test_online_hours_share_the_cap(school, online, expected):
    rules = replace(RULES, online_hours=20)
    result = run(teacher(school_based_hours=school, online_hours=online), rules)
    assert summary(result) == expected


def test_online_missing_is_listed_even_when_the_cap_leaves_nothing():
    rules = replace(RULES, online_hours=20)
    result = run(teacher(school_based_hours=0, online_hours=0), rules)
    assert result.missing == (Missing("school_hours", 48), Missing("online_hours", 20))


def test_no_online_requirement_ignores_online_hours():
    assert run(teacher(online_hours=0)).missing == ()


@pytest.mark.parametrize(
    ("rules", "observations", "due", "lines", "missing"),
    [
        pytest.param(RULES, 0, True, [], (Missing("observation", 1),), id="missing but free by default"),
        pytest.param(replace(RULES, missing_observation=-3), 0, True, [("score_observation_missing", -3)],
                     (Missing("observation", 1),), id="program sets a price"),
        pytest.param(replace(RULES, missing_observation=-3, observations_per_semester=3), 1, True,
                     [("score_observation_missing", -6)], (Missing("observation", 2),), id="two short"),
        pytest.param(replace(RULES, missing_observation=-3), 0, False, [], (), id="not due yet"),
        pytest.param(replace(RULES, missing_observation=-3), 2, True, [], (), id="enough"),
    ],
)
def test_observations(rules, observations, due, lines, missing):
    result = run(teacher(observations=observations), rules, observations_due=due)
    assert summary(result) == lines
    assert result.missing == missing


def test_unknown_mark_is_refused():
    with pytest.raises(ValueError, match="great"):
        run(teacher(marks=("great",)))


def test_quota_of_two_reflections_a_month():
    rules = replace(RULES, reflections_per_month=2)
    result = run(teacher(reflections={OCT: 1, NOV: 0}), rules)
    assert summary(result) == [("score_reflection_missing", -2), ("score_reflection_missing", -4)]
    assert [m.amount for m in result.missing] == [1, 2]


# --- points and grade ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("adjustment", "points", "grade"),
    [
        pytest.param(0, 100, "excellent", id="100"),
        pytest.param(-10, 90, "excellent", id="90 is excellent"),
        pytest.param(-10.1, 89.9, "pass", id="89.9 passes"),
        pytest.param(-40, 60, "pass", id="60 passes"),
        pytest.param(-40.1, 59.9, "fail", id="59.9 fails"),
        pytest.param(-100, 0, "fail", id="exactly 0"),
        pytest.param(-250, 0, "fail", id="clamped at 0"),
        pytest.param(-10.04, 90, "excellent", id="rounded to a tenth before grading"),
        pytest.param(5, 105, "excellent", id="bonus may exceed base"),
    ],
)
def test_points_and_grade(adjustment, points, grade):
    result = run(teacher(adjustments=((adjustment, "x"),)))
    assert (result.points, result.grade) == (points, grade)


def test_clamped_score_keeps_every_line():
    result = run(teacher(school_based_hours=0, reflections={}, cases={}, marks=("unqualified",) * 20))
    assert result.points == 0
    assert sum(line.points for line in result.lines) == -30 - 8 - 100


def test_grade_bounds_come_from_the_rules():
    rules = replace(RULES, excellent=95, pass_=70)
    assert run(teacher(adjustments=((-6, "x"),)), rules).grade == "pass"
    assert run(teacher(adjustments=((-31, "x"),)), rules).grade == "fail"


def test_seed_example_teacher():
    """44 hours, October's reflection missing, one training marked excellent: 100 − 8 − 2 + 2 = 92."""
    result = run(teacher(school_based_hours=44, reflections={NOV: 1}, marks=("excellent",)))
    assert summary(result) == [
        ("score_reflection_missing", -2),
        ("score_hours_missing", -8),
        ("score_marks_excellent", 2),
    ]
    assert result.lines[0].values == {"year": 2026, "month": 10, "missing": 1}
    assert (result.points, result.grade) == (92, "excellent")
    assert result.missing == (Missing("reflection", 1, OCT), Missing("school_hours", 4))


def test_lines_in_stable_order():
    rules = replace(RULES, online_hours=10, missing_observation=-1)
    activity = Activity(
        member_id=7,
        school_based_hours=40,
        online_hours=5,
        reflections={},
        cases={},
        observations=0,
        marks=("unqualified", "excellent"),
        adjustments=((3, "late fix"), (-1, "second fix")),
    )
    result = score(activity, rules, months=[NOV, OCT])  # given out of order
    assert [line.key for line in result.lines] == [
        "score_reflection_missing",
        "score_case_missing",
        "score_reflection_missing",
        "score_case_missing",
        "score_hours_missing",
        "score_online_hours_missing",
        "score_observation_missing",
        "score_marks_excellent",
        "score_marks_unqualified",
        "score_adjustment",
        "score_adjustment",
    ]
    assert [line.values.get("month") for line in result.lines[:4]] == [10, 10, 11, 11]
    assert [m.item for m in result.missing] == [
        "reflection", "case", "reflection", "case", "school_hours", "online_hours", "observation"
    ]
    assert result.member_id == 7


# --- property -----------------------------------------------------------------------------------

_MONTHS = [(2026, m) for m in range(9, 13)]


@given(
    hours=st.floats(0, 80, allow_nan=False),
    online=st.floats(0, 30, allow_nan=False),
    online_required=st.sampled_from([0, 10, 20]),
    reflections=st.dictionaries(st.sampled_from(_MONTHS), st.integers(0, 3)),
    cases=st.dictionaries(st.sampled_from(_MONTHS), st.integers(0, 3)),
    observations=st.integers(0, 3),
    marks=st.lists(st.sampled_from(["excellent", "unqualified"]), max_size=8),
    adjustments=st.lists(st.tuples(st.floats(-20, 20, allow_nan=False), st.just("r")), max_size=4),
    months=st.lists(st.sampled_from(_MONTHS), max_size=4),
    share=st.floats(0, 1),
    missing_observation=st.sampled_from([0, -1, -3]),
)
def test_points_stay_in_bounds(hours, online, online_required, reflections, cases, observations, marks,
                               adjustments, months, share, missing_observation):
    rules = replace(RULES, online_hours=online_required, missing_observation=missing_observation)
    activity = Activity(1, hours, online, reflections, cases, observations, tuple(marks), tuple(adjustments))
    result = score(activity, rules, months=months, hours_share=share)

    bonus = marks.count("excellent") * rules.attendance_excellent + sum(p for p, _ in adjustments if p > 0)
    assert 0 <= result.points <= rules.base + bonus + 0.05
    assert result.points == round(result.points, 1)
    assert all(line.points != 0 for line in result.lines)
    hours_lines = [ln for ln in result.lines if ln.key in ("score_hours_missing", "score_online_hours_missing")]
    assert sum(ln.points for ln in hours_lines) >= -rules.hours_item
    total = sum(line.points for line in result.lines)
    if rules.base + total >= 0:
        assert result.points == pytest.approx(rules.base + total, abs=0.05 + 1e-9)
    else:
        assert result.points == 0


# --- outstanding ------------------------------------------------------------------------------


def scored(member_id: int, points: float) -> Score:
    grade = "excellent" if points >= 90 else "pass" if points >= 60 else "fail"
    return Score(member_id, points, grade, (), ())


@pytest.mark.parametrize(
    ("scores", "workshop_of", "kwargs", "expected"),
    [
        pytest.param([scored(1, 95), scored(2, 98), scored(3, 91)], {1: 10, 2: 10, 3: 10}, {},
                     {10: [2, 1]}, id="best two"),
        pytest.param([scored(1, 95), scored(2, 85), scored(3, 70)], {1: 10, 2: 10, 3: 10}, {},
                     {10: [1]}, id="only excellent grades"),
        pytest.param([scored(1, 80)], {1: 10}, {}, {10: []}, id="workshop with nobody excellent"),
        pytest.param([scored(3, 95), scored(1, 95), scored(2, 95)], {1: 10, 2: 10, 3: 10}, {},
                     {10: [1, 2]}, id="tie by lower member id"),
        pytest.param([scored(3, 95), scored(1, 95), scored(2, 95)], {1: 10, 2: 10, 3: 10},
                     {"tiebreak": {3: 60, 2: 50, 1: 50}}, {10: [3, 1]}, id="tie by hours first"),
        pytest.param([scored(1, 99), scored(2, 95), scored(3, 97)], {1: None, 2: 10}, {},
                     {10: [2]}, id="members without workshop skipped"),
        pytest.param([scored(1, 99), scored(2, 95), scored(3, 97), scored(4, 92)], {1: 20, 2: 10, 3: 10, 4: 20},
                     {"per_workshop": 1}, {10: [3], 20: [1]}, id="per workshop count"),
        pytest.param([], {}, {}, {}, id="nobody"),
    ],
)
def test_outstanding(scores, workshop_of, kwargs, expected):
    assert outstanding(scores, workshop_of, **kwargs) == expected


@pytest.mark.parametrize(
    ("scores", "workshop_of", "leaders", "expected"),
    [
        pytest.param([scored(1, 90), scored(2, 80), scored(3, 70)], {1: 10, 2: 10, 3: 20},
                     {10: 100, 20: 200}, 100, id="higher mean"),
        pytest.param([scored(1, 90), scored(2, 80), scored(3, 85)], {1: 10, 2: 10, 3: 20},
                     {10: 100, 20: 200}, 100, id="same mean more members"),
        pytest.param([scored(1, 90.1), scored(2, 89.9), scored(3, 90)], {1: 20, 2: 20, 3: 10},
                     {10: 100, 20: 200}, 200, id="exact mean tie then more members"),
        pytest.param([scored(1, 90), scored(2, 90)], {1: 20, 2: 10},
                     {10: 100, 20: 200}, 100, id="full tie lower workshop id"),
        pytest.param([scored(1, 99), scored(2, 80)], {1: 10, 2: 20}, {20: 200}, 200,
                     id="workshop without leader skipped"),
        pytest.param([scored(1, 99)], {1: None}, {10: 100}, None, id="no workshop at all"),
        pytest.param([], {}, {10: 100}, None, id="no scores"),
    ],
)
def test_outstanding_leader(scores, workshop_of, leaders, expected):
    assert outstanding_leader(scores, workshop_of, leaders) == expected


# --- initials -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("王芳", "王*"),
        ("李建国", "李**"),
        ("欧阳娜娜", "欧阳**"),
        ("司马光", "司马*"),
        ("诸葛亮", "诸葛*"),
        ("欧阳", "欧*"),  # too short for a compound surname: 欧 with given name 阳
        ("王", "王"),
        (" 王 芳 ", "王*"),
        ("买买提·艾力", "买**·**"),
        ("Li Ming", "L. M."),
        ("li  ming", "L. M."),
        ("Anna", "A."),
        ("Zoë O'Brien", "Z. O."),
        ("", ""),
        ("   ", ""),
    ],
)
def test_initials(name, expected):
    assert initials(name) == expected


def test_an_added_line_works_points_and_grade_out_again_from_every_line():
    from bot.domain.scoring import ScoreLine, with_line

    base = Score(1, 90.0, "excellent", (ScoreLine("score_missing_reflection", -10.0, {}),), ())
    lower = with_line(base, ScoreLine("score_activity_absence", -2.0, {"count": 1}), RULES)
    assert (lower.points, lower.grade) == (88.0, "pass") and len(lower.lines) == 2
    raised = with_line(lower, ScoreLine("score_lesson_grades", 4.0, {"lessons": "《秋天的雨》精品"}), RULES)
    assert (raised.points, raised.grade) == (92.0, "excellent")
    floor = with_line(base, ScoreLine("score_activity_absence", -200.0, {"count": 100}), RULES)
    assert floor.points == 0.0 and floor.grade == "fail", "never below zero"
