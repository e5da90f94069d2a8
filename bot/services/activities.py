"""Activities the policy declares (集体备课, 小组研讨, 集中研修日 …): scheduling one for a unit, its
roll (check-ins while it runs, the host's marks), closing it — who came, whether it counted, hours
credited. What is made of them afterwards (quotas per unit, stages, absences) is in activity_views.

Messages come back fully addressed, as for online sessions: a handler returns them with its
reply, the planner queues them in the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain import activities as rules
from bot.domain.duty import DateSpan, excused_on
from bot.domain.hours import category_of
from bot.domain.policy import ActivityRule, Policy
from bot.domain.roles import is_assessed
from bot.domain.text import try_number
from bot.kernel.access import is_organiser_roles
from bot.kernel.dispatcher import UserError
from bot.kernel.messages import ChatKind, ChatRef, OutgoingMessage
from bot.services.sessions import Env, when
from storage.models import Activity, HoursLine, Member
from storage.repositories import Repositories

UNIT_COLUMNS = {"school": "school_id", "workshop": "workshop_id", "group": "group_id"}


# The type and the unit.


def rule_named(policy: Policy, text: str) -> ActivityRule:
    """The declared type `text` names (by name or keyword), or a UserError listing the types."""
    words = {rule.name: rule.words for rule in policy.activities}
    name = rules.match_type(words, text)
    if name is None:
        raise UserError("activity_type_unknown", text=text,
                        types="、".join(words) or "—")
    return rule_of(policy, name)


def rule_of(policy: Policy, kind: str) -> ActivityRule | None:
    return next((rule for rule in policy.activities if rule.name == kind), None)


def own_unit(member: Member | None, unit_kind: str) -> int | None:
    if member is None or unit_kind == "program":
        return None
    return getattr(member, UNIT_COLUMNS[unit_kind])


async def find_unit(uow: Repositories, policy: Policy, unit_kind: str, name: str,
                    member: Member | None) -> tuple[int | None, str]:
    """The unit the activity is for: named, or else the sender's own; (None, program name) for the program."""
    if unit_kind == "program":
        return None, policy.name
    if name:
        unit = await uow.units(unit_kind).by_name(name.strip())
        if unit is None or unit.archived_at is not None:
            raise UserError(f"activity_unit_unknown_{unit_kind}", unit=name)
        return unit.id, unit.name
    unit_id = own_unit(member, unit_kind)
    if unit_id is None:
        raise UserError(f"activity_unit_needed_{unit_kind}")
    unit = await uow.units(unit_kind).get(unit_id)
    return unit.id, unit.name


async def owes(uow: Repositories, rule: ActivityRule, unit_id: int | None) -> bool:
    """Whether this unit's activities of the type count towards a quota: a type held only by the
    schools of some roles (常规诊断 by 帮扶校) counts for no other school."""
    if not rule.school_roles or rule.unit != "school" or unit_id is None:
        return True
    school = await uow.units("school").get(unit_id)
    return school is not None and rule.owed_by(school.role)


async def unit_name(uow: Repositories, policy: Policy, activity: Activity) -> str:
    if activity.unit_kind == "program" or activity.unit_id is None:
        return policy.name
    unit = await uow.units(activity.unit_kind).get(activity.unit_id)
    return unit.name if unit else "?"


def may_run(member: Member | None, roles: frozenset[str], rule: ActivityRule, unit_kind: str,
            unit_id: int | None) -> bool:
    """Coordinators run every activity; a host role of the type runs its own unit's."""
    if is_organiser_roles(roles):
        return True
    if member is None or not roles & set(rule.hosts):
        return False
    return concerns(member, unit_kind, unit_id)


def concerns(member: Member | None, unit_kind: str, unit_id: int | None) -> bool:
    """Whether an activity of this unit is the member's: the whole program's, or one of her units'."""
    return unit_kind == "program" or (member is not None and own_unit(member, unit_kind) == unit_id)


async def own_activity(uow: Repositories, policy: Policy, number: str, member: Member | None,
                       roles: frozenset[str]) -> tuple[Activity, ActivityRule]:
    """The activity `#number`, if the sender may run it."""
    number = number.lstrip("#＃")
    activity_id = try_number(number)
    activity = await uow.activities.get(activity_id) if activity_id is not None else None
    if activity is None:
        raise UserError("activity_not_found", id=number)
    rule = rule_of(policy, activity.kind)
    if rule is None:
        raise UserError("activity_type_gone", id=activity.id, kind=activity.kind)
    if not may_run(member, roles, rule, activity.unit_kind, activity.unit_id):
        raise UserError("activity_not_yours", id=activity.id)
    return activity, rule


# Where its messages go.


async def unit_chats(uow: Repositories, env: Env, unit_kind: str, unit_id: int | None) -> list[ChatRef]:
    """The chats bound to the unit (a study group's: its workshop's); the program's chats when the
    unit has none, so an activity is never announced nowhere."""
    bindings = [b for b in await uow.bindings.all() if b.platform == env.platform]
    scope, scope_id = unit_kind, unit_id
    if unit_kind == "group":
        group = await uow.groups.get(unit_id) if unit_id is not None else None
        scope, scope_id = "workshop", group.workshop_id if group else None
    own = [b for b in bindings if scope != "program" and b.scope == scope and scope_id is not None
           and (b.school_id if scope == "school" else b.workshop_id) == scope_id]
    chosen = own or [b for b in bindings if b.scope == "program"]
    return [ChatRef(b.platform, b.chat_id, ChatKind.GROUP, b.title) for b in chosen]


async def to_unit(uow: Repositories, env: Env, activity: Activity, text: str) -> list[OutgoingMessage]:
    return [OutgoingMessage(chat=chat, text=text)
            for chat in await unit_chats(uow, env, activity.unit_kind, activity.unit_id)]


def activity_end(activity: Activity) -> datetime:
    return activity.planned_start + timedelta(minutes=activity.planned_minutes)


async def describe(uow: Repositories, env: Env, activity: Activity) -> str:
    """One line naming the activity the same way everywhere: id, type, topic, time, unit, place, host."""
    host = await uow.members.get(activity.host_member_id) if activity.host_member_id else None
    end = activity_end(activity).astimezone(env.zone)
    return env.t("activity_line", id=activity.id, kind=activity.kind, topic=activity.topic,
                 when=when(env, activity.planned_start), end=f"{end:%H:%M}",
                 unit=await unit_name(uow, env.policy, activity),
                 place=f" @{activity.place}" if activity.place else "",
                 host=env.t("activity_line_host", name=host.name) if host else "")


# Scheduling and running it.


@dataclass(frozen=True)
class Outcome:
    activity: Activity
    line: str
    text: str
    messages: list[OutgoingMessage]


async def schedule(uow: Repositories, env: Env, now: datetime, *, rule: ActivityRule, unit_kind: str,
                   unit_id: int | None, host: Member | None, start: datetime, minutes: int, topic: str,
                   place: str = "", created_by: int | None = None) -> Outcome:
    activity = await uow.activities.add(Activity(
        kind=rule.name, unit_kind=unit_kind, unit_id=unit_id, host_member_id=host.id if host else None,
        planned_start=start, planned_minutes=minutes, topic=topic, place=place, status=rules.SCHEDULED,
        created_by_member_id=created_by, created_at=now, updated_at=now,
    ))
    return await _announce(uow, env, activity, "activity_announced")


async def _announce(uow: Repositories, env: Env, activity: Activity, key: str, **values: object) -> Outcome:
    line = await describe(uow, env, activity)
    text = env.t(key, line=line, **values)
    return Outcome(activity, line, text, await to_unit(uow, env, activity, text))


async def start(uow: Repositories, env: Env, activity: Activity, host: Member | None, now: datetime) -> Outcome:
    """Open the roll: members checking in from now on are marked present (the one starting it first,
    when of the unit)."""
    if activity.status != rules.SCHEDULED:
        raise UserError("activity_not_scheduled", id=activity.id)
    activity.status, activity.started_at, activity.updated_at = rules.RUNNING, now, now
    if host is not None and (activity.unit_kind == "program" or own_unit(host, activity.unit_kind) == activity.unit_id):
        await uow.activities.mark(activity.id, host.id, now, host.name)  # a coordinator from outside is not marked
    return await _announce(uow, env, activity, "activity_started")


async def cancel(uow: Repositories, env: Env, activity: Activity, now: datetime, reason: str) -> Outcome:
    if activity.status not in rules.OPEN_STATUSES:
        raise UserError("activity_closed", id=activity.id)
    activity.status, activity.updated_at = rules.CANCELLED, now
    return await _announce(uow, env, activity, "activity_cancelled", reason=reason or env.t("session_no_reason"))


async def mark(uow: Repositories, activity: Activity, people: list[Member], now: datetime,
               marked_by: str) -> list[str]:
    """The host's roll (an offline training day's): these people were there. The roll taker vouches
    for presence, not for lateness, so the mark counts from the start. An ended activity's roll may
    still be corrected (then judged again: `rejudge`); a cancelled one's not."""
    _correctable(activity)
    at = min(now, activity.started_at or activity.planned_start)
    return [member.name for member in people if await uow.activities.mark(activity.id, member.id, at, marked_by)]


async def unmark(uow: Repositories, activity: Activity, people: list[Member]) -> list[str]:
    """Take marks back; after the end, the hours they earned from this activity go with them."""
    _correctable(activity)
    removed = []
    for member in people:
        if await uow.activities.unmark(activity.id, member.id):
            removed.append(member.name)
            if activity.status == rules.ENDED:
                await uow.hours.remove(member.id, f"activity:{activity.id}")
    return removed


def _correctable(activity: Activity) -> None:
    if activity.status not in (*rules.OPEN_STATUSES, rules.ENDED):
        raise UserError("activity_closed", id=activity.id)


@dataclass(frozen=True)
class Arrival:
    activity_id: int
    kind: str
    arrived_at: datetime
    late_minutes: int
    already: bool


async def arrive(uow: Repositories, env: Env, member: Member, chat: ChatRef, at: datetime) -> list[Arrival]:
    """A check-in while activities of the member's units run: present in each (late after the grace),
    when sent privately or in a chat bound to the activity's unit."""
    found = []
    for activity in await uow.activities.with_status(rules.RUNNING):
        rule = rule_of(env.policy, activity.kind)
        if rule is None or at >= closing_time(activity, rule):
            continue
        if activity.unit_kind != "program" and own_unit(member, activity.unit_kind) != activity.unit_id:
            continue
        if chat.kind != ChatKind.PRIVATE:
            chats = await unit_chats(uow, env, activity.unit_kind, activity.unit_id)
            if not any(c.chat_id == chat.chat_id and c.platform == chat.platform for c in chats):
                continue
        existing = await uow.activities.arrival(activity.id, member.id)
        if existing is not None:
            found.append(Arrival(activity.id, activity.kind, existing.arrived_at, 0, True))
            continue
        await uow.activities.mark(activity.id, member.id, at, "self")
        begun = activity.started_at or activity.planned_start
        late = int((at - begun).total_seconds() // 60)
        found.append(Arrival(activity.id, activity.kind, at,
                             late if late > rule.late_after_minutes else 0, False))
    return found


# Closing it: the roll judged, hours credited, the unit told.


async def roll_of(uow: Repositories, policy: Policy, activity: Activity, rule: ActivityRule) -> dict[int, Member]:
    """Who must attend: the unit's assessed members (only the type's attendee roles, when it names any)."""
    staff = frozenset(policy.program.staff_roles)
    roll = {}
    for member, roles in await uow.activities.unit_members(activity.unit_kind, activity.unit_id):
        if not is_assessed(roles, staff):
            continue
        if rule.attendee_roles and not roles & set(rule.attendee_roles):
            continue
        roll[member.id] = member
    return roll


def roll_rules(rule: ActivityRule) -> rules.RollRules:
    return rules.RollRules(rule.min_minutes, rule.min_present_share, rule.late_after_minutes)


def closing_time(activity: Activity, rule: ActivityRule) -> datetime:
    """When a started activity nobody ended is ended for its host."""
    return activity_end(activity) + timedelta(minutes=rule.close_after_minutes)


async def end(uow: Repositories, env: Env, activity: Activity, rule: ActivityRule, now: datetime, *,
              forgotten: bool = False) -> tuple[str, list[OutgoingMessage]]:
    """End it now (or, `forgotten` by its host, at its planned end): judge the roll, credit hours to
    those present; the result, and the same to the unit's chats."""
    if activity.status not in rules.OPEN_STATUSES:
        raise UserError("activity_closed", id=activity.id)
    if activity.started_at is None and now < activity.planned_start and not await uow.activities.arrivals(activity.id):
        raise UserError("activity_not_started", id=activity.id)
    ended_at = max(activity_end(activity), activity.started_at or now) if forgotten else now
    activity.status, activity.ended_at = rules.ENDED, ended_at
    text = await _judge(uow, env, activity, rule, now)
    if forgotten:
        text = env.t("activity_closed_for_host", id=activity.id) + "\n" + text
    return text, await to_unit(uow, env, activity, text)


async def rejudge(uow: Repositories, env: Env, activity: Activity, rule: ActivityRule,
                  now: datetime) -> tuple[str, list[OutgoingMessage]]:
    """After the roll of an ended activity was corrected: judged again, the corrected result posted."""
    text = env.t("activity_corrected") + "\n" + await _judge(uow, env, activity, rule, now)
    return text, await to_unit(uow, env, activity, text)


async def _judge(uow: Repositories, env: Env, activity: Activity, rule: ActivityRule, now: datetime) -> str:
    """Judge an ended activity's roll, keep the verdict, credit hours to those present (once each);
    the result text."""
    ended_at = activity.ended_at or now
    activity.updated_at = now
    roll = await roll_of(uow, env.policy, activity, rule)
    arrivals = await uow.activities.arrivals(activity.id)
    begun = activity.started_at or activity.planned_start
    day = begun.astimezone(env.zone).date()
    leaves = await uow.leaves.approved_between(day, day)
    excused = [member_id for member_id in roll
               if excused_on([DateSpan(first, last) for first, last in leaves.get(member_id, ())], day)]
    minutes = rules.held_minutes(activity.planned_start, activity.planned_minutes, activity.started_at, ended_at)
    verdict = rules.judge(list(roll), arrivals, start=begun, minutes=minutes, excused=excused,
                          rules=roll_rules(rule))
    activity.counted = verdict.counted
    activity.verdict = {
        "present": list(verdict.present), "late": list(verdict.late), "absent": list(verdict.absent),
        "excused": list(verdict.excused), "guests": list(verdict.guests), "minutes": verdict.minutes,
        "share": verdict.share, "problems": list(verdict.problems),
    }
    await _credit(uow, env, activity, rule, verdict.attended, day, now)
    names = {member_id: member.name for member_id, member in roll.items()}
    for member_id in verdict.guests:
        guest = await uow.members.get(member_id)
        names[member_id] = guest.name if guest else "?"
    return result_text(env, activity, rule, verdict, names)


async def _credit(uow: Repositories, env: Env, activity: Activity, rule: ActivityRule,
                  attended: Iterable[int], day: date, now: datetime) -> None:
    if rule.hours <= 0:
        return
    category = category_of(rule.hours_category) or "school"
    minutes = round(rule.hours * env.policy.hours.minutes_per_hour)
    description = env.t("hours_activity", id=activity.id, kind=activity.kind, topic=activity.topic)[:200]
    for member_id in attended:
        await uow.hours.credit(HoursLine(
            member_id=member_id, day=day, category=category, minutes=minutes, hours=rule.hours,
            source=f"activity:{activity.id}", description=description, created_at=now,
        ))


def result_text(env: Env, activity: Activity, rule: ActivityRule, verdict: rules.RollVerdict,
                names: dict[int, str]) -> str:
    t = env.t

    def listed(ids: Iterable[int]) -> str:
        return "、".join(names.get(member_id, "?") for member_id in ids) or t("activity_nobody")

    head = t("activity_counted" if verdict.counted else "activity_not_counted", id=activity.id,
             kind=activity.kind, topic=activity.topic, minutes=verdict.minutes,
             share=f"{verdict.share:.0%}", need=f"{rule.min_present_share:.0%}")
    lines = [head, t("activity_present", names=listed(verdict.present + verdict.guests))]
    if verdict.late:
        lines.append(t("activity_late", names=listed(verdict.late)))
    lines.append(t("activity_absent", names=listed(verdict.absent)))
    if verdict.excused:
        lines.append(t("activity_excused", names=listed(verdict.excused)))
    for problem in verdict.problems:
        lines.append("· " + t(f"activity_problem_{problem}", minutes=verdict.minutes, min=rule.min_minutes,
                              share=f"{verdict.share:.0%}", need=f"{rule.min_present_share:.0%}"))
    if rule.hours > 0 and verdict.attended:
        lines.append(t("activity_hours", hours=_number(rule.hours), category=rule.hours_category))
    return "\n".join(lines)


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
