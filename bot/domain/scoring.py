"""Assessment scores (考核): points, grade and the reasons behind them, for one teacher and one period.

The seed rules: start from 100; every missing monthly reflection or teaching case costs 2 points;
every missing training hour costs 2, but the hours item as a whole can cost at most 30; a training
marked excellent earns 2, one marked unqualified costs 5. 优秀 from 90, 合格 from 60. Every number
comes in through `ScoringRules`, so a program can change them without touching this module.

A score is explained line by line (an i18n key, its points and the values to fill in), so the
teacher sees why, not just how much. Everything here is pure; the caller aggregates the activity.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from fractions import Fraction


@dataclass(frozen=True)
class DeclaredQuota:
    """A policy-declared record kind's quota: `count` of `name` per week, month or semester."""

    name: str
    per: str  # "week" | "month" | "semester"
    count: int
    points: float  # for each one missing


@dataclass(frozen=True)
class ScoringRules:
    base: float = 100
    hours_item: float = 30  # the most the hours item can take away
    missing_hour: float = -2
    missing_reflection: float = -2
    missing_case: float = -2
    missing_observation: float = 0  # not in the seed; programs may set it
    attendance_excellent: float = 2
    attendance_unqualified: float = -5
    school_based_hours: float = 48  # required per semester
    online_hours: float = 0  # required per semester; 0 = no online requirement
    county_hours: float = 0  # 县级 training hours required per semester; 0 = none
    higher_hours: float = 0  # 县级以上 training hours required per semester; 0 = none
    reflections_per_month: int = 1
    cases_per_month: int = 1
    observations_per_semester: int = 1
    reflections_per_week: int = 0  # seed 001: 每周撰写一篇教育教学反思; each week judged on its own
    cases_per_week: int = 0
    declared: tuple[DeclaredQuota, ...] = ()
    excellent: float = 90
    pass_: float = 60


@dataclass(frozen=True)
class Activity:
    """What one teacher did in the period, already aggregated (by SQL, by the caller)."""

    member_id: int
    school_based_hours: float = 0
    online_hours: float = 0
    reflections: Mapping[tuple[int, int], int] = field(default_factory=dict)  # (year, month) → count
    cases: Mapping[tuple[int, int], int] = field(default_factory=dict)
    observations: int = 0
    marks: tuple[str, ...] = ()  # one per marked training: "excellent" | "unqualified"
    adjustments: tuple[tuple[float, str], ...] = ()  # (points, reason) corrections after freezing
    hours_by_category: Mapping[str, float] = field(default_factory=dict)  # every category, "school" included
    record_days: Mapping[str, Mapping[date, int]] = field(default_factory=dict)  # kind → day → count (weekly quotas)


@dataclass(frozen=True)
class ScoreLine:
    key: str  # an i18n key naming the rule, e.g. "score_reflection_missing"
    points: float  # the effect, e.g. -2
    values: Mapping[str, object] = field(default_factory=dict)  # format values, e.g. {"month": 11}


@dataclass(frozen=True)
class Missing:
    item: str  # "reflection" | "case" | "observation" | "<category>_hours"
    amount: float  # how many reflections/cases/observations or hours are missing
    month: tuple[int, int] | None = None
    week: date | None = None  # the Monday of a week whose weekly quota is missing


@dataclass(frozen=True)
class Score:
    member_id: int
    points: float  # rounded to 1 decimal, never below 0
    grade: str  # "excellent" | "pass" | "fail"
    lines: tuple[ScoreLine, ...]  # one per rule applied that changed the points, in a stable order
    missing: tuple[Missing, ...]


MARKS = ("excellent", "unqualified")
_EPSILON = 1e-9  # 47.9999999 hours from summed minutes is 48, not one hour short


def month_key(day: date) -> int:
    """A calendar month as one sortable number (2026-11 → 202611): stored on records so scoring groups
    by a plain column, not by a date function evaluated on every row."""
    return day.year * 100 + day.month


def month_of_key(key: int) -> tuple[int, int]:
    return divmod(key, 100)


def months_between(first: date, last: date) -> list[tuple[int, int]]:
    """Calendar months overlapping [first, last], in order."""
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def grade_of(points: float, rules: ScoringRules) -> str:
    """Both bounds are inclusive: exactly 90 is excellent, exactly 60 passes."""
    if points >= rules.excellent:
        return "excellent"
    return "pass" if points >= rules.pass_ else "fail"


def with_line(current: Score, line: ScoreLine, rules: ScoringRules) -> Score:
    """The score with one more additive line (an activity absence, graded lessons): points and grade
    worked out again from all its lines."""
    lines = (*current.lines, line)
    points = float(round(max(0.0, rules.base + math.fsum(item.points for item in lines)), 1)) + 0.0
    return replace(current, points=points, grade=grade_of(points, rules), lines=lines)


def _monthly(
    activity: Activity, rules: ScoringRules, months: Sequence[tuple[int, int]]
) -> Iterator[tuple[ScoreLine, Missing]]:
    """Each month on its own: a surplus in one month never makes up for a gap in another."""
    kinds = (
        ("reflection", activity.reflections, rules.reflections_per_month, rules.missing_reflection),
        ("case", activity.cases, rules.cases_per_month, rules.missing_case),
    )
    for year, month in sorted(set(months)):
        for item, counts, per_month, each in kinds:
            missing = max(0, per_month - counts.get((year, month), 0))
            if missing:
                values = {"year": year, "month": month, "missing": missing}
                line = ScoreLine(f"score_{item}_missing", missing * each, values)
                yield line, Missing(item, missing, (year, month))


def _weekly(
    activity: Activity, rules: ScoringRules, weeks: Sequence[date]
) -> Iterator[tuple[ScoreLine, Missing]]:
    """Each week (given by its Monday) on its own: four reflections on one day fill one week only."""
    kinds = (
        ("reflection", rules.reflections_per_week, rules.missing_reflection),
        ("case", rules.cases_per_week, rules.missing_case),
    )
    for monday in sorted(set(weeks)):
        sunday = monday + timedelta(days=6)
        for item, per_week, each in kinds:
            if per_week <= 0:
                continue
            days = activity.record_days.get(item, {})
            have = sum(count for day, count in days.items() if monday <= day <= sunday)
            missing = max(0, per_week - have)
            if missing:
                values = {"first": f"{monday.month}.{monday.day}", "last": f"{sunday.month}.{sunday.day}",
                          "missing": missing}
                yield (ScoreLine(f"score_{item}_week_missing", missing * each, values),
                       Missing(item, missing, week=monday))


def _declared(activity: Activity, rules: ScoringRules, months: Sequence[tuple[int, int]],
              weeks: Sequence[date], semester_due: bool) -> Iterator[tuple[ScoreLine, Missing]]:
    """Policy-declared kinds, each period on its own, like the built-in ones."""
    for quota in rules.declared:
        if quota.count <= 0:
            continue
        days = activity.record_days.get(quota.name, {})
        item = f"kind:{quota.name}"
        if quota.per == "month":
            for year, month in sorted(set(months)):
                missing = max(0, quota.count - sum(n for d, n in days.items() if (d.year, d.month) == (year, month)))
                if missing:
                    values = {"name": quota.name, "period": f"{month}月", "missing": missing}
                    yield (ScoreLine("score_declared_missing", missing * quota.points, values),
                           Missing(item, missing, (year, month)))
        elif quota.per == "week":
            for monday in sorted(set(weeks)):
                sunday = monday + timedelta(days=6)
                missing = max(0, quota.count - sum(n for d, n in days.items() if monday <= d <= sunday))
                if missing:
                    values = {"name": quota.name, "period": f"{monday.month}.{monday.day}—{sunday.month}.{sunday.day}",
                              "missing": missing}
                    yield (ScoreLine("score_declared_missing", missing * quota.points, values),
                           Missing(item, missing, week=monday))
        elif semester_due:
            missing = max(0, quota.count - sum(days.values()))
            if missing:
                values = {"name": quota.name, "period": "本学期", "missing": missing}
                yield ScoreLine("score_declared_missing", missing * quota.points, values), Missing(item, missing)


def _hours(activity: Activity, rules: ScoringRules, share: float) -> Iterator[tuple[ScoreLine, Missing]]:
    """School-based, online, county and higher-level hours, each against its own target; together they never take more than the hours item is worth."""
    left = abs(rules.hours_item)
    kinds = (
        ("school_hours", "score_hours_missing", activity.school_based_hours, rules.school_based_hours),
        ("online_hours", "score_online_hours_missing", activity.online_hours, rules.online_hours),
        ("county_hours", "score_county_hours_missing", activity.hours_by_category.get("county", 0.0),
         rules.county_hours),
        ("higher_hours", "score_higher_hours_missing", activity.hours_by_category.get("higher", 0.0),
         rules.higher_hours),
    )
    for item, key, have, required in kinds:
        target = required * share
        if required <= 0 or have >= target:
            continue
        missing = max(0, math.ceil(target - have - _EPSILON))  # a started missing hour counts whole
        if not missing:
            continue
        raw = missing * rules.missing_hour
        points = math.copysign(min(abs(raw), left), raw)
        left -= abs(points)
        values = {"have": round(have, 1), "target": round(target, 1), "missing": missing}
        yield ScoreLine(key, points, values), Missing(item, missing)


def score(
    activity: Activity,
    rules: ScoringRules,
    *,
    months: Sequence[tuple[int, int]],
    hours_share: float = 1.0,
    observations_due: bool = True,
    weeks: Sequence[date] = (),
) -> Score:
    """Points, grade, the lines explaining them and what is still missing.

    `months` are the months whose reflection/case quota is due; `hours_share` is the elapsed
    share of the semester (clamped to 0..1), so an interim score asks only for hours due so far.
    Observations are a semester quota, judged only when `observations_due`.
    """
    found: list[tuple[ScoreLine, Missing | None]] = []
    found.extend(_monthly(activity, rules, months))
    found.extend(_weekly(activity, rules, weeks))
    found.extend(_declared(activity, rules, months, weeks, observations_due))
    found.extend(_hours(activity, rules, min(max(hours_share, 0.0), 1.0)))

    if observations_due:
        missing = max(0, rules.observations_per_semester - activity.observations)
        if missing:
            line = ScoreLine("score_observation_missing", missing * rules.missing_observation, {})
            found.append((line, Missing("observation", missing)))

    unknown = set(activity.marks) - set(MARKS)
    if unknown:
        raise ValueError(f"unknown training marks: {sorted(unknown)}")
    for mark, each in zip(MARKS, (rules.attendance_excellent, rules.attendance_unqualified), strict=True):
        count = activity.marks.count(mark)
        if count:
            found.append((ScoreLine(f"score_marks_{mark}", count * each, {"count": count}), None))

    for points, reason in activity.adjustments:
        found.append((ScoreLine("score_adjustment", points, {"reason": reason}), None))

    lines = tuple(line for line, _ in found if line.points != 0)
    total = rules.base + math.fsum(line.points for line in lines)
    points = float(round(max(0.0, total), 1)) + 0.0  # + 0.0 turns -0.0 into 0.0
    return Score(
        activity.member_id,
        points,
        grade_of(points, rules),
        lines,
        tuple(m for _, m in found if m is not None),
    )


def outstanding(
    scores: Sequence[Score],
    workshop_of: Mapping[int, int | None],
    *,
    per_workshop: int = 2,
    tiebreak: Mapping[int, float] | None = None,
) -> dict[int, list[int]]:
    """Per workshop id, up to `per_workshop` member ids with grade excellent, best points first; ties by
    tiebreak value (e.g. hours) descending, then lower member id. Members without a workshop are skipped.

    Every workshop with a scored member appears, with an empty list when nobody there is excellent,
    so an announcement can say so instead of leaving the workshop out.
    """
    tiebreak = tiebreak or {}
    candidates: dict[int, list[Score]] = {}
    for s in scores:
        workshop = workshop_of.get(s.member_id)
        if workshop is None:
            continue
        candidates.setdefault(workshop, [])
        if s.grade == "excellent":
            candidates[workshop].append(s)
    return {
        workshop: [
            s.member_id
            for s in sorted(found, key=lambda s: (-s.points, -tiebreak.get(s.member_id, 0), s.member_id))
        ][: max(per_workshop, 0)]
        for workshop, found in sorted(candidates.items())
    }


def outstanding_leader(
    scores: Sequence[Score], workshop_of: Mapping[int, int | None], leaders: Mapping[int, int]
) -> int | None:
    """The leader (member id) of the workshop with the highest mean points; ties: more members, then lower
    workshop id. `leaders` maps workshop id → leader member id; workshops without a leader are skipped;
    None if none.

    Means are compared exactly (points are in tenths), so 90.1 and 89.9 average to exactly 90.
    """
    tenths: dict[int, list[int]] = {}
    for s in scores:
        workshop = workshop_of.get(s.member_id)
        if workshop is not None and workshop in leaders:
            tenths.setdefault(workshop, []).append(round(s.points * 10))
    if not tenths:
        return None
    best = min(tenths, key=lambda w: (-Fraction(sum(tenths[w]), len(tenths[w])), -len(tenths[w]), w))
    return leaders[best]


COMPOUND_SURNAMES = frozenset(
    {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙"}
    | {"慕容", "长孙", "宇文", "司徒", "夏侯", "轩辕", "令狐"}
)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
_NAME_DOTS = "·•・."  # minority names such as 买买提·艾力 keep their separator


def initials(name: str) -> str:
    """For privacy in announcements: a Chinese name keeps its surname and masks the rest (王芳 → 王*,
    欧阳娜娜 → 欧阳**; two-character surnames from a small built-in list are kept whole), any other
    name becomes its initials with dots ("Li Ming" → "L. M.").
    """
    text = name.strip()
    if _HAN.match(text):
        text = "".join(text.split())
        keep = 2 if text[:2] in COMPOUND_SURNAMES and len(text) > 2 else 1
        return text[:keep] + "".join(c if c in _NAME_DOTS else "*" for c in text[keep:])
    letters = (next((c for c in word if c.isalnum()), "") for word in text.split())
    return " ".join(f"{c.upper()}." for c in letters if c)
