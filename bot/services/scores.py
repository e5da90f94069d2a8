"""Scores for the program: which period is assessed, the rules from the policy, every teacher's
score from SQL aggregates, frozen periods with their adjustments, and how scores read in chat.

Shared by /score, /scores, /announce, the scheduled announcements, nudges and exports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.duty import DateSpan, Duty, duty
from bot.domain.scoring import (
    Activity,
    DeclaredQuota,
    Missing,
    Score,
    ScoreLine,
    ScoringRules,
    grade_of,
    months_between,
    score,
    with_line,
)
from bot.i18n import Translator
from bot.services.activity_views import absences as activity_absences
from bot.services.declared import authors_of
from bot.services.lessons import lesson_lines
from bot.services.quotas import weeks_due, with_record_days
from bot.domain.policy import Policy
from bot.kernel.dispatcher import UserError
from storage.models import FrozenScore, HoursLine, Member, ScoreAdjustment, TrainingMark
from storage.repositories import Repositories
from storage.scores import Assessed, period_key


@dataclass(frozen=True)
class Period:
    key: str
    name: str
    first: date
    last: date
    months: tuple[tuple[int, int], ...]
    """Months whose reflection and case quotas are due: those already over (all, once it ends)."""
    hours_share: float
    final: bool


def current_period(policy: Policy, today: date) -> Period:
    semester = policy.semester
    final = today > semester.end
    months = [
        (year, month) for year, month in months_between(semester.start, semester.end)
        if final or _month_end(year, month) < today
    ]
    total = (semester.end - semester.start).days + 1
    elapsed = min(max((today - semester.start).days, 0), total)
    return Period(period_key(semester.start), semester.name, semester.start, semester.end,
                  tuple(months), 1.0 if final else elapsed / total, final)


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def rules_of(policy: Policy) -> ScoringRules:
    points, hours, records, grades = policy.points, policy.hours, policy.records, policy.grades
    return ScoringRules(
        base=points.base, hours_item=points.hours_item, missing_hour=points.missing_hour,
        missing_reflection=points.missing_reflection, missing_case=points.missing_case,
        missing_observation=points.missing_observation, attendance_excellent=points.attendance_excellent,
        attendance_unqualified=points.attendance_unqualified, school_based_hours=hours.school_based_per_semester,
        online_hours=hours.online_per_semester, county_hours=hours.county_per_semester,
        higher_hours=hours.higher_per_semester, reflections_per_month=records.reflections_per_month,
        cases_per_month=records.cases_per_month, observations_per_semester=records.observations_per_semester,
        reflections_per_week=records.reflections_per_week, cases_per_week=records.cases_per_week,
        declared=tuple(DeclaredQuota(kind.name, kind.per, kind.count, kind.missing_points)
                       for kind in records.kinds if kind.count > 0),
        excellent=grades.excellent, pass_=grades.pass_,
    )


@dataclass(frozen=True)
class Standing:
    """One teacher's place in a ranking: who, their hours, and their score."""

    who: Assessed
    school_hours: float
    online_hours: float
    score: Score
    frozen: bool
    duty: Duty | None = None
    """What she owed this period (counting start, joining date, approved leave); None when frozen."""
    hours: Mapping[str, float] = field(default_factory=dict)
    """This semester's hours by category (线上, 校本, 县级, 县级以上)."""


def duty_of(policy: Policy, period: Period, today: date, joined_on: date | None,
            leaves: list[DateSpan]) -> Duty:
    """The months and hour share one teacher owes: the policy's counting start, her joining, her leave."""
    program = policy.program
    return duty(DateSpan(period.first, period.last), today, final=period.final,
                counting_from=program.counting_from, joined_on=joined_on, leaves=leaves,
                min_days_in_month=program.min_days_in_month,
                prorate_hours_for_leave=program.prorate_hours_for_leave)


async def standings(
    repos: Repositories, policy: Policy, today: date, *, school_id: int | None = None,
    workshop_id: int | None = None, group_id: int | None = None,
) -> list[Standing]:
    """Every assessed teacher (of one school or workshop), best first."""
    period = current_period(policy, today)
    rules = rules_of(policy)
    people = await repos.scores.assessed(school_id=school_id, workshop_id=workshop_id, group_id=group_id,
                                         staff_roles=policy.program.staff_roles)
    activities = await repos.scores.activities(period.key, period.first, period.last)
    frozen = await repos.scores.frozen(period.key)
    leaves = await repos.leaves.approved_between(period.first, period.last)
    zone = ZoneInfo(policy.timezone)
    absent = await activity_absences(repos, policy, zone, period.first, period.last)
    duties: dict[tuple[date | None, tuple], Duty] = {}  # most teachers owe the same: worked out once
    weekly = rules.reflections_per_week or rules.cases_per_week or any(q.per == "week" for q in rules.declared)
    weeks = weeks_due(policy, period, today) if weekly else []
    if weeks or rules.declared:
        activities = await with_record_days(repos, activities, period.first, period.last,
                                            declared=bool(rules.declared))
    writers = await authors_of(repos, policy)
    lessons = await lesson_lines(repos, policy, period.first, period.last)
    result = []
    for who in people:
        activity = activities.get(who.member_id) or Activity(who.member_id)
        exempt = {kind for kind, ids in writers.items() if who.member_id not in ids}
        own_rules = replace(rules, declared=tuple(q for q in rules.declared if q.name not in exempt)) if exempt else rules
        if who.member_id in frozen:
            current, owed = _thawed(frozen[who.member_id], activity.adjustments, rules), None
        else:
            joined = who.joined_at.astimezone(zone).date() if who.joined_at else None
            if joined is not None and joined < period.first:
                joined = period.first  # duty() counts from the later of the two anyway
            spans = tuple(leaves.get(who.member_id, ()))
            owed = duties.get((joined, spans))
            if owed is None:
                owed = duties[joined, spans] = duty_of(policy, period, today, joined,
                                                       [DateSpan(first, last) for first, last in spans])
            current = score(activity, own_rules, months=owed.months, hours_share=owed.hours_share,
                            observations_due=owed.observations_due,
                            weeks=[monday for monday in weeks if joined is None or monday >= joined])
            if who.member_id in absent:
                current = with_absences(current, *absent[who.member_id], rules)
            if who.member_id in lessons:
                current = with_line(current, lessons[who.member_id], rules)
        result.append(Standing(who, activity.school_based_hours, activity.online_hours, current,
                               who.member_id in frozen, owed, hours=activity.hours_by_category))
    result.sort(key=lambda s: (-s.score.points, -(s.school_hours + s.online_hours), s.who.member_id))
    return result


def with_absences(current: Score, count: int, points: float, rules: ScoringRules) -> Score:
    """The score with a line for unexcused absences from activities whose type costs points."""
    return with_line(current, ScoreLine("score_activity_absence", round(points, 1), {"count": count}), rules)


def _thawed(row: FrozenScore, adjustments: tuple[tuple[float, str], ...], rules: ScoringRules) -> Score:
    """A frozen score with the adjustments made to it since, each as its own line."""
    lines = tuple(ScoreLine(line["key"], line["points"], line.get("values", {})) for line in row.lines)
    lines += tuple(ScoreLine("score_adjustment", points, {"reason": reason}) for points, reason in adjustments)
    points = round(max(0.0, row.points + sum(points for points, _ in adjustments)), 1)
    missing = tuple(Missing(m["item"], m["amount"], tuple(m["month"]) if m.get("month") else None,
                            date.fromisoformat(m["week"]) if m.get("week") else None)
                    for m in row.missing)
    return Score(row.member_id, points, grade_of(points, rules), lines, missing)


def frozen_row(standing: Standing, period: Period, now) -> FrozenScore:
    """What is kept when a period closes: the score without adjustments (those stay separate)."""
    kept = replace(standing.score, lines=tuple(line for line in standing.score.lines if line.key != "score_adjustment"))
    adjustment = sum(line.points for line in standing.score.lines if line.key == "score_adjustment")
    return FrozenScore(
        period=period.key, member_id=standing.who.member_id, points=round(kept.points - adjustment, 1),
        grade=kept.grade, frozen_at=now,
        lines=[{"key": line.key, "points": line.points, "values": dict(line.values)} for line in kept.lines],
        missing=[{"item": m.item, "amount": m.amount, "month": list(m.month) if m.month else None,
                  **({"week": m.week.isoformat()} if m.week else {})} for m in kept.missing],
    )


def signed(points: float) -> str:
    text = f"{points:+.1f}".replace(".0", "")
    return text.replace("-", "−")


def line_text(t: Translator, line: ScoreLine) -> str:
    return t(line.key, **dict(line.values)) + " " + signed(line.points)


def missing_text(t: Translator, items: tuple[Missing, ...]) -> str:
    """What a teacher still owes, in a few words: "11月案例、学时4"."""
    words = []
    for item in items:
        if item.item.startswith("kind:"):
            when = (f"{item.week.month}.{item.week.day}起那周" if item.week
                    else f"{item.month[1]}月" if item.month else "")
            words.append(t("missing_declared", period=when, name=item.item[5:], amount=int(item.amount)))
        elif item.week:
            words.append(t(f"missing_{item.item}_week", week=f"{item.week.month}.{item.week.day}",
                           amount=int(item.amount)))
        elif item.month:
            words.append(t(f"missing_{item.item}_month", month=item.month[1], amount=int(item.amount)))
        else:
            words.append(t(f"missing_{item.item}", amount=_number(item.amount)))
    return "、".join(words)


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def grade_label(t: Translator, grade: str) -> str:
    return t(f"grade_{grade}")


# The coordinator's changes behind /credit, /mark, /freeze and /adjust.


async def session_attendees(repos: Repositories, session_id: int) -> list[Member]:
    """Everyone who was in the online session `#id`, once each."""
    online = await repos.online_sessions.get(session_id)
    if online is None:
        raise UserError("session_not_found", id=session_id)
    return list({member.id: member for _, member in await repos.attendance.of_session(online.id)}.values())


async def credit_hours(
    repos: Repositories, policy: Policy, people: list[Member], *, hours: float, title: str, source: str,
    day: date, now: datetime, category: str = "school",
) -> int:
    """Hours of one category (校本 unless told) for a training; a second credit from the same message is
    ignored."""
    minutes = round(hours * policy.hours.minutes_per_hour)
    credited = 0
    for member in people:
        credited += await repos.hours.credit(HoursLine(
            member_id=member.id, day=day, category=category, minutes=minutes, hours=hours,
            source=source, description=title, created_at=now,
        ))
    return credited


async def mark_training(repos: Repositories, people: list[Member], *, mark: str, title: str, day: date,
                        now: datetime) -> None:
    for member in people:
        await repos.scores.mark(TrainingMark(member_id=member.id, title=title, day=day, mark=mark, created_at=now))


async def freeze(repos: Repositories, policy: Policy, today: date, now: datetime, *, force: bool) -> tuple[Period, int]:
    """Close the semester's assessment: scores kept as they are; later changes are adjustments."""
    period = current_period(policy, today)
    if not period.final and not force:
        raise UserError("freeze_not_over", end=f"{policy.semester.end:%Y-%m-%d}")
    if await repos.scores.frozen(period.key):
        raise UserError("freeze_already", period=period.name)
    ranked = await standings(repos, policy, today)
    await repos.scores.freeze([frozen_row(standing, period, now) for standing in ranked])
    return period, len(ranked)


async def adjust(repos: Repositories, policy: Policy, member: Member, *, points: float, reason: str, actor: str,
                 today: date, now: datetime) -> None:
    """A correction of this period's score, kept with its reason."""
    period = current_period(policy, today)
    await repos.scores.adjust(ScoreAdjustment(period=period.key, member_id=member.id, points=points,
                                              reason=reason, actor=actor[:120], created_at=now))
