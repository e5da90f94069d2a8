"""What happens around an online session, shared by the chat commands and the scheduler: how a
session is described, who hears about it, and closing it — evaluate, credit hours, ask for a summary.

Everything returns fully addressed `OutgoingMessage`s: a handler returns them with its reply, the
scheduler queues them in the outbox, so both paths say the same thing to the same chats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.policy import Policy
from bot.domain.roles import COORDINATOR, HOST
from bot.domain.session_status import (
    MoveRefused,
    SessionMove,
    SessionStatus,
    SummaryMove,
    SummaryStatus,
    session_after,
    summary_after,
)
from bot.domain.sessions import (
    Presence,
    SessionRules,
    Verdict,
    WriterCandidate,
    evaluate,
    pick_summary_writer,
)
from bot.domain.text import try_number
from bot.i18n import Translator
from bot.kernel.dispatcher import UserError
from bot.kernel.messages import ChatKind, ChatRef, OutgoingMessage
from bot.services.units import partnerships
from storage.models import Attendance, HoursLine, Member, OnlineSession, School
from storage.repositories import Repositories
from storage.sessions import session_end, session_start

WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Env:
    """What composing session messages needs besides storage: rules, words, time zone, platform."""

    policy: Policy
    t: Translator
    zone: ZoneInfo
    platform: str
    images: bool = True
    """Whether the platform can show images (a chart goes with a score announcement)."""


def when(env: Env, moment: datetime) -> str:
    local = moment.astimezone(env.zone)
    return f"{local.month}月{local.day}日（周{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


def describe(env: Env, online: OnlineSession, schools: list[School]) -> str:
    """One line naming the session the same way in every message: id, time, topic, host, schools."""
    end = session_end(online).astimezone(env.zone)
    return env.t(
        "session_line", id=online.id, when=when(env, session_start(online)), end=f"{end:%H:%M}",
        topic=online.topic, host=online.host.name, schools="、".join(school.name for school in schools),
    )


async def group_chats(repos: Repositories, env: Env, schools: list[School]) -> list[ChatRef]:
    bindings = await repos.bindings.for_schools(env.platform, [school.id for school in schools])
    return [ChatRef(b.platform, b.chat_id, ChatKind.GROUP, b.title) for b in bindings]


async def to_groups(repos: Repositories, env: Env, schools: list[School], text: str) -> list[OutgoingMessage]:
    return [OutgoingMessage(chat=chat, text=text) for chat in await group_chats(repos, env, schools)]


async def to_member(
    repos: Repositories, env: Env, member: Member, text: str, fallback: ChatRef | None
) -> list[OutgoingMessage]:
    """A private message (a mention in `fallback` where the platform refuses it); nothing for a
    member without an account on this platform, who hears it in the group messages instead."""
    account = await repos.members.account_on(member.id, env.platform)
    if account is None:
        return []
    return [OutgoingMessage(
        chat=ChatRef(env.platform, account.user_id, ChatKind.PRIVATE), text=text, fallback_chat=fallback,
    )]


async def to_coordinators(repos: Repositories, env: Env, text: str) -> list[OutgoingMessage]:
    """The same private message to every coordinator with an account on this platform."""
    messages = []
    for coordinator in await repos.members.with_role(COORDINATOR):
        messages += await to_member(repos, env, coordinator, text, None)
    return messages


def rules_of(policy: Policy) -> SessionRules:
    sessions = policy.sessions
    return SessionRules(sessions.min_minutes, sessions.min_per_school, sessions.min_presence_share)


async def close(repos: Repositories, env: Env, online: OnlineSession, now: datetime) -> list[OutgoingMessage]:
    """End the session: evaluate it, credit attended time, post the result, ask for the summary."""
    online.status = session_after(online.status, SessionMove.END)
    return await _judge(repos, env, online, now, request_summary=True)


async def rejudge(repos: Repositories, env: Env, online: OnlineSession, now: datetime) -> list[OutgoingMessage]:
    """After a coordinator corrected an ended session's attendance: judge it again, credit the time
    of those added (crediting is once per member and session), post the corrected result."""
    was_valid = bool(online.valid)
    return await _judge(repos, env, online, now, request_summary=not was_valid, corrected=True)


async def _judge(repos: Repositories, env: Env, online: OnlineSession, now: datetime, *,
                 request_summary: bool, corrected: bool = False) -> list[OutgoingMessage]:
    start, end = session_start(online), session_end(online)
    stretches = await repos.attendance.of_session(online.id)
    for stretch, _member in stretches:
        if stretch.left_at is None or stretch.left_at > end:
            stretch.left_at = max(end, stretch.arrived_at)
    schools = await repos.online_sessions.schools_of(online.id)
    presences = [Presence(member.id, member.school_id, s.arrived_at, s.left_at) for s, member in stretches]
    verdict = evaluate(start, end, online.host_member_id, [s.id for s in schools], presences, rules_of(env.policy))
    online.valid, online.updated_at = verdict.valid, now
    online.verdict = _verdict_json(verdict)
    await _credit_hours(repos, env, online, verdict, now)
    names = {member.id: member.name for _stretch, member in stretches}
    text = result_text(env, online, schools, verdict) + attendance_text(env, verdict, names)
    if corrected:
        text = env.t("session_corrected") + "\n" + text
    messages = await to_groups(repos, env, schools, text)
    if verdict.valid and request_summary:
        messages += await _request_summary(repos, env, online, schools, verdict, stretches, now)
    return messages


def _verdict_json(verdict: Verdict) -> dict:
    return {
        "minutes": verdict.minutes,
        "host_present": verdict.host_present,
        "schools": [{"school_id": c.school_id, "present": c.present, "required": c.required} for c in verdict.schools],
        "problems": [{"code": p.code, "school_id": p.school_id, "have": p.have, "need": p.need} for p in verdict.problems],
    }


def result_text(env: Env, online: OnlineSession, schools: list[School], verdict: Verdict) -> str:
    names = {school.id: school.name for school in schools}
    counts = "；".join(
        env.t("session_school_count", school=names.get(c.school_id, "?"), present=c.present, required=c.required)
        for c in verdict.schools
    )
    head = env.t("session_valid" if verdict.valid else "session_invalid", id=online.id, topic=online.topic,
                 minutes=verdict.minutes)
    lines = [head, counts]
    for problem in verdict.problems:
        lines.append("· " + env.t(f"session_problem_{problem.code}", school=names.get(problem.school_id, ""),
                                  have=problem.have, need=problem.need, host=online.host.name))
    return "\n".join(line for line in lines if line)


def attendance_text(env: Env, verdict: Verdict, names: dict[int, str]) -> str:
    """Who was counted, and who was there but too briefly to count (with their minutes)."""
    counted = sorted(names.get(m, "?") for m in verdict.counted)
    short = sorted(f"{names.get(m, '?')}（{minutes}分钟）" for m, minutes in verdict.attended.items()
                   if m not in verdict.counted)
    lines = []
    if counted:
        lines.append(env.t("session_counted", names="、".join(counted)))
    if short:
        lines.append(env.t("session_too_short", names="、".join(short)))
    return "".join("\n" + line for line in lines)


async def short_schools(repos: Repositories, policy: Policy, schools: list[School]) -> list[tuple[str, int]]:
    """Participating schools with fewer rostered people than a valid session needs: (name, how many)."""
    need = policy.sessions.min_per_school
    found = []
    for school in schools:
        have = sum(1 for line in await repos.members.roster(school_id=school.id) if line.member.left_at is None)
        if have < need:
            found.append((school.name, have))
    return found


async def attend(repos: Repositories, online: OnlineSession, members: list[Member], now: datetime,
                 platform: str, chat_id: str, message_id: str) -> list[str]:
    """A coordinator's correction: these members were there for the whole session (audited by the caller)."""
    start, end = session_start(online), session_end(online)
    present = {member.id for _stretch, member in await repos.attendance.of_session(online.id)}
    added = []
    for number, member in enumerate(members):
        if member.id in present:
            continue
        await repos.attendance.arrive(Attendance(
            session_id=online.id, member_id=member.id, arrived_at=start, left_at=end,
            platform=platform, chat_id=chat_id, message_id=f"{message_id}:{number}"))
        added.append(member.name)
    return added


async def _credit_hours(repos: Repositories, env: Env, online: OnlineSession, verdict: Verdict, now: datetime) -> None:
    """Online hours for the time each attendee was there (one 学时 = policy minutes_per_hour)."""
    day = session_start(online).astimezone(env.zone).date()
    per_hour = env.policy.hours.minutes_per_hour
    for member_id, minutes in verdict.attended.items():
        if minutes > 0:
            await repos.hours.credit(HoursLine(
                member_id=member_id, day=day, category="online", minutes=minutes,
                hours=round(minutes / per_hour, 2), source=f"session:{online.id}",
                description=env.t("hours_session", id=online.id, topic=online.topic)[:200], created_at=now,
            ))


async def _request_summary(
    repos: Repositories, env: Env, online: OnlineSession, schools: list[School], verdict: Verdict,
    stretches: list, now: datetime,
) -> list[OutgoingMessage]:
    """Ask a counted partner-school attendee (fair rotation) to write the summary by the deadline."""
    partner_ids = {school.id for school in schools if school.role != "base"}
    members = {member.id: member for _stretch, member in stretches}
    eligible = [
        member_id for member_id in verdict.counted
        if member_id != online.host_member_id and members[member_id].school_id in partner_ids
    ]
    written = await repos.online_sessions.summaries_written(eligible)
    writer_id = pick_summary_writer([
        WriterCandidate(member_id, written.get(member_id, 0), verdict.attended.get(member_id, 0))
        for member_id in eligible
    ])
    if writer_id is None:
        return await to_groups(repos, env, schools, env.t("summary_no_writer", id=online.id))
    return await assign_writer(repos, env, online, schools, members[writer_id], now)


async def assign_writer(
    repos: Repositories, env: Env, online: OnlineSession, schools: list[School], writer: Member, now: datetime,
) -> list[OutgoingMessage]:
    online.summary_writer_id = writer.id
    online.summary_status = summary_after(online.summary_status, SummaryMove.ASSIGN)
    online.summary_due = now + timedelta(days=env.policy.sessions.summary_days)
    text = env.t("summary_requested", id=online.id, topic=online.topic, name=writer.name,
                 due=when(env, online.summary_due), host=online.host.name)
    chats = await group_chats(repos, env, schools)
    messages = [OutgoingMessage(chat=chat, text=text) for chat in chats]
    return messages + await to_member(repos, env, writer, env.t("summary_requested_private", id=online.id,
                                      topic=online.topic, due=when(env, online.summary_due)), chats[0] if chats else None)


# The use cases behind /session: each takes the unit of work and the time, changes the session through
# the status rules, and returns what to say where. Parsing stays in the handler; audit entries too.


@dataclass(frozen=True)
class Outcome:
    """A session after a command: its schools, the line that names it, what the groups are told."""

    online: OnlineSession
    schools: list[School]
    line: str
    text: str
    messages: list[OutgoingMessage]


def _moved(online: OnlineSession, move: SessionMove, now: datetime) -> None:
    try:
        online.status = session_after(online.status, move)
    except MoveRefused:
        raise UserError("session_closed", id=online.id) from None
    online.updated_at = now


async def check_host(repos: Repositories, host: Member) -> Member:
    """The host must hold the host role and belong to the base school (基地校)."""
    if HOST not in await repos.members.roles(host.id):
        raise UserError("session_host_not_host", name=host.name)
    if host.school.role != "base":
        raise UserError("session_host_not_base", name=host.name, school=host.school.name)
    return host


async def participants(repos: Repositories, host: Member, named: list[str], school_label: str) -> list[School]:
    """The named schools, or by default the host's partnership (its 基地校 and partners); always the host's.

    Named schools must belong to that partnership: another 基地校's partners are not this one's to call.
    """
    active = [school for school, _ in await repos.schools.listing()]
    group = (await partnerships(repos)).of_school(host.school_id)
    ours = group.school_ids if group is not None else frozenset({host.school_id})
    if named:
        chosen = [school for school in active if school.name in named]
        missing = set(named) - {school.name for school in chosen}
        if missing:
            raise UserError("unit_not_found", kind=school_label, name="、".join(sorted(missing)))
        outside = [school.name for school in chosen if school.id not in ours]
        if outside:
            raise UserError("session_school_outside_partnership", schools="、".join(outside),
                            base=host.school.name)
    else:
        chosen = [school for school in active if school.id in ours]
    if host.school_id not in {school.id for school in chosen}:
        chosen.append(host.school)
    return sorted(chosen, key=lambda school: (school.role != "base", school.id))


async def schedule(
    repos: Repositories, env: Env, now: datetime, *, start: datetime, minutes: int, topic: str, host: Member,
    link: str, schools: list[School], created_by: int | None, announcement_key: str,
) -> Outcome:
    """A new session, announced to the groups of its schools with the text `announcement_key`."""
    online = await repos.online_sessions.add(OnlineSession(
        topic=topic, host_member_id=host.id, planned_start=start, planned_minutes=minutes, link=link[:500],
        status=SessionStatus.SCHEDULED.value, created_by_member_id=created_by, created_at=now, updated_at=now,
        summary_status=SummaryStatus.NONE.value, summary_text="", summary_attachments=[], summary_comment="",
    ), [school.id for school in schools])
    online = await repos.online_sessions.loaded(online)
    line = describe(env, online, schools)
    text = env.t(announcement_key, line=line, link=link or env.t("session_no_link"))
    return Outcome(online, schools, line, text, await to_groups(repos, env, schools, text))


async def own_session(repos: Repositories, number: str, member: Member | None, organiser: bool) -> OnlineSession:
    """The session `#number`, if the sender hosts it or organises the program."""
    number = number.lstrip("#＃")
    session_id = try_number(number)
    online = await repos.online_sessions.get(session_id) if session_id is not None else None
    if online is None:
        raise UserError("session_not_found", id=number)
    if not organiser and (member is None or online.host_member_id != member.id):
        raise UserError("session_not_yours", id=online.id)
    return online


async def _announce(repos: Repositories, env: Env, online: OnlineSession, key: str, **values) -> Outcome:
    schools = await repos.online_sessions.schools_of(online.id)
    line = describe(env, online, schools)
    text = env.t(key, line=line, **values)
    return Outcome(online, schools, line, text, await to_groups(repos, env, schools, text))


async def start(repos: Repositories, env: Env, online: OnlineSession, now: datetime) -> Outcome | None:
    """Mark the session live; None if it already was."""
    if online.status == SessionStatus.LIVE:
        return None
    _moved(online, SessionMove.START, now)
    online.actual_start = now
    return await _announce(repos, env, online, "session_started")


async def end(repos: Repositories, env: Env, online: OnlineSession, now: datetime) -> list[OutgoingMessage]:
    """The host ends it now: evaluated, hours credited, the result posted, a summary asked for."""
    if not SessionStatus(online.status).is_open:
        raise UserError("session_closed", id=online.id)
    if online.actual_start is None and now < online.planned_start:
        raise UserError("session_not_started", id=online.id)
    online.actual_start = online.actual_start or online.planned_start
    online.actual_end = now
    return await close(repos, env, online, now)


async def cancel(repos: Repositories, env: Env, online: OnlineSession, now: datetime, reason: str) -> Outcome:
    _moved(online, SessionMove.CANCEL, now)
    return await _announce(repos, env, online, "session_cancelled", reason=reason or env.t("session_no_reason"))


async def reschedule(repos: Repositories, env: Env, online: OnlineSession, now: datetime, when: datetime) -> Outcome:
    _moved(online, SessionMove.RESCHEDULE, now)
    online.planned_start = when
    return await _announce(repos, env, online, "session_moved")


async def change_writer(
    repos: Repositories, env: Env, online: OnlineSession, writer: Member, now: datetime,
) -> list[OutgoingMessage]:
    """A coordinator names the summary's writer (a valid session whose summary is not approved yet)."""
    if online.valid is not True or online.summary_status == SummaryStatus.APPROVED:
        raise UserError("summary_not_open", id=online.id)
    schools = await repos.online_sessions.schools_of(online.id)
    return await assign_writer(repos, env, online, schools, writer, now)


@dataclass(frozen=True)
class Listed:
    line: str
    status: SessionStatus
    valid: bool | None


async def recent(repos: Repositories, env: Env, now: datetime) -> list[Listed]:
    """The last month's sessions and every open one, each named as the groups saw it."""
    listed = []
    for online in await repos.online_sessions.listing(now - timedelta(days=31)):
        schools = await repos.online_sessions.schools_of(online.id)
        listed.append(Listed(describe(env, online, schools), SessionStatus(online.status), online.valid))
    return listed
