"""Views over the activities: what is coming, each unit's count against its quota this period, the
program's stages and what each held, and the absences /score counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain import activities as rules
from bot.domain.policy import ActivityRule, Policy
from bot.domain.quotas import Span
from bot.i18n import Translator
from bot.services.activities import concerns, describe
from bot.services.sessions import Env
from storage.models import Activity, Member
from storage.repositories import Repositories


def semester_span(policy: Policy) -> Span:
    return Span(policy.semester.start, policy.semester.end)


async def counted_activities(uow: Repositories, zone: ZoneInfo, first: date, last: date) -> list[tuple[Activity, date]]:
    """Ended activities that counted, planned to start on [first, last], with their local day."""
    start = datetime.combine(first, time.min, zone)
    end = datetime.combine(last + timedelta(days=1), time.min, zone)
    return [(activity, (activity.started_at or activity.planned_start).astimezone(zone).date())
            for activity in await uow.activities.between(start, end, rules.ENDED) if activity.counted]


@dataclass(frozen=True)
class UnitQuota:
    kind: str
    per: str
    unit: str
    count: rules.PeriodCount
    unit_kind: str
    unit_id: int | None


async def quotas(uow: Repositories, policy: Policy, zone: ZoneInfo, today: date) -> list[UnitQuota]:
    """This period's counted activities against the quota, per required type and unit that owes it;
    then the semester's total where the type also asks for one."""
    semester = semester_span(policy)
    held = await counted_activities(uow, zone, semester.first, semester.last)
    found = []
    for rule in policy.activities:
        owed = [(rule.count, rule.per)] if rule.count > 0 else []
        if rule.per_semester > 0 and rule.per != "semester":
            owed.append((rule.per_semester, "semester"))
        if not owed:
            continue
        for unit_id, name in await _owing_units(uow, policy, rule):
            days = [day for activity, day in held
                    if activity.kind == rule.name and activity.unit_kind == rule.unit and activity.unit_id == unit_id]
            for count, per in owed:
                counted = rules.current_quota(days, count=count, per=per, semester=semester, today=today)
                if counted is not None:
                    found.append(UnitQuota(rule.name, per, name, counted, rule.unit, unit_id))
    return found


async def _owing_units(uow: Repositories, policy: Policy, rule: ActivityRule) -> list[tuple[int | None, str]]:
    """The units that owe activities of this type: the program, or each unit of its kind (only the
    schools of the named roles, when the type names some)."""
    if rule.unit == "program":
        return [(None, policy.name)]
    listed = [unit for unit, _ in await uow.units(rule.unit).listing()]
    if rule.unit == "school":
        listed = [school for school in listed if rule.owed_by(school.role)]
    return [(unit.id, unit.name) for unit in listed]


def quota_line(t: Translator, quota: UnitQuota) -> str:
    span = quota.count.period
    return t("activity_quota_met" if quota.count.met else "activity_quota_short", kind=quota.kind, unit=quota.unit,
             period=t(f"activity_per_{quota.per}"), first=f"{span.first.month}.{span.first.day}",
             last=f"{span.last.month}.{span.last.day}", held=quota.count.held, required=quota.count.required)


@dataclass(frozen=True)
class Listed:
    line: str
    status: str


async def coming(uow: Repositories, env: Env, everything: bool, member: Member | None) -> list[Listed]:
    """Scheduled or running activities in time order: `everything` for an organiser, else the
    program's and those of the member's own units."""
    return [Listed(await describe(uow, env, activity), activity.status)
            for activity in await uow.activities.with_status(*rules.OPEN_STATUSES)
            if everything or concerns(member, activity.unit_kind, activity.unit_id)]


async def compliance_lines(uow: Repositories, policy: Policy, t: Translator, zone: ZoneInfo, today: date) -> list[str]:
    """/compliance's "活动" section: per unit, this period's count against the quota (empty when
    the policy requires no activities)."""
    found = await quotas(uow, policy, zone, today)
    if not found:
        return []
    return [t("activity_compliance_header"), *(quota_line(t, quota) for quota in found)]


async def stage_lines(uow: Repositories, policy: Policy, t: Translator, zone: ZoneInfo, today: date) -> list[str]:
    """Each stage with its dates and state, and whether each expected activity type was held in it."""
    if not policy.stages:
        return []
    held = await counted_activities(uow, zone, policy.stages[0].start, policy.stages[-1].end)
    lines = []
    for stage in policy.stages:
        state = rules.stage_state(stage.start, stage.end, today)
        lines.append(t(f"stage_{state}", name=stage.name, first=f"{stage.start.month}月{stage.start.day}日",
                       last=f"{stage.end.month}月{stage.end.day}日"))
        counts = rules.held_in_stage(stage.activities, [(a.kind, day) for a, day in held], stage.start, stage.end)
        for kind, count in counts.items():
            key = "stage_activity_held" if count else ("stage_activity_missed" if state == rules.PAST
                                                         else "stage_activity_pending")
            lines.append("  " + t(key, kind=kind, count=count))
    return lines


async def absences(uow: Repositories, policy: Policy, zone: ZoneInfo, first: date,
                   last: date) -> dict[int, tuple[int, float]]:
    """Per member: unexcused absences from ended activities whose type costs points, and the points."""
    costs = {rule.name: rule.absence_points for rule in policy.activities if rule.absence_points}
    if not costs:
        return {}
    start = datetime.combine(first, time.min, zone)
    end = datetime.combine(last + timedelta(days=1), time.min, zone)
    found: dict[int, tuple[int, float]] = {}
    for activity in await uow.activities.between(start, end, rules.ENDED):
        cost = costs.get(activity.kind)
        if not cost or not activity.verdict:
            continue
        for member_id in activity.verdict.get("absent", []):
            count, points = found.get(member_id, (0, 0.0))
            found[member_id] = (count + 1, points + cost)
    return found
