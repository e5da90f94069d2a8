"""What happens around an online session, shared by the chat commands and the scheduler: how a
session is described, who hears about it, and closing it — evaluate, credit hours, ask for a summary.

Everything returns fully addressed `OutgoingMessage`s: a handler returns them with its reply, the
scheduler queues them in the outbox, so both paths say the same thing to the same chats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.sessions import (
    HeldSession,
    Presence,
    SessionRules,
    Verdict,
    WriterCandidate,
    compliance,
    evaluate,
    pick_summary_writer,
)
from bot.i18n import Translator
from bot.kernel.messages import ChatKind, ChatRef, OutgoingMessage
from bot.domain.policy import Policy
from storage.models import HoursLine, Member, OnlineSession, School
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


def rules_of(policy: Policy) -> SessionRules:
    sessions = policy.sessions
    return SessionRules(sessions.min_minutes, sessions.min_per_school, sessions.min_presence_share)


async def close(repos: Repositories, env: Env, online: OnlineSession, now: datetime) -> list[OutgoingMessage]:
    """End the session: evaluate it, credit attended time, post the result, ask for the summary."""
    start, end = session_start(online), session_end(online)
    stretches = await repos.attendance.of_session(online.id)
    for stretch, _member in stretches:
        if stretch.left_at is None or stretch.left_at > end:
            stretch.left_at = max(end, stretch.arrived_at)
    schools = await repos.online_sessions.schools_of(online.id)
    presences = [Presence(member.id, member.school_id, s.arrived_at, s.left_at) for s, member in stretches]
    verdict = evaluate(start, end, online.host_member_id, [s.id for s in schools], presences, rules_of(env.policy))
    online.status, online.valid, online.updated_at = "ended", verdict.valid, now
    online.verdict = _verdict_json(verdict)
    await _credit_hours(repos, env, online, verdict, now)
    messages = await to_groups(repos, env, schools, result_text(env, online, schools, verdict))
    if verdict.valid:
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
    online.summary_writer_id, online.summary_status = writer.id, "requested"
    online.summary_due = now + timedelta(days=env.policy.sessions.summary_days)
    text = env.t("summary_requested", id=online.id, topic=online.topic, name=writer.name,
                 due=when(env, online.summary_due), host=online.host.name)
    chats = await group_chats(repos, env, schools)
    messages = [OutgoingMessage(chat=chat, text=text) for chat in chats]
    return messages + await to_member(repos, env, writer, env.t("summary_requested_private", id=online.id,
                                      topic=online.topic, due=when(env, online.summary_due)), chats[0] if chats else None)


async def held_sessions(repos: Repositories, zone: ZoneInfo, first: date, last: date) -> list[HeldSession]:
    """The sessions starting on [first, last] as compliance counts them: not cancelled, valid once ended."""
    start = datetime.combine(first, time.min, zone)
    end = datetime.combine(last + timedelta(days=1), time.min, zone)
    return [
        HeldSession(session_start(online).astimezone(zone).date(), online.valid if online.status == "ended" else None)
        for online in await repos.online_sessions.between(start, end) if online.status != "cancelled"
    ]


async def compliance_lines(repos: Repositories, policy: Policy, t: Translator, zone: ZoneInfo, today: date) -> list[str]:
    """Month by month and for the semester: valid sessions against the rule, as /compliance and the briefing say it."""
    semester, rules = policy.semester, policy.sessions
    result = compliance(
        await held_sessions(repos, zone, semester.start, semester.end), semester_start=semester.start,
        semester_end=semester.end, breaks=semester.breaks, today=today, per_month=rules.per_month,
        per_semester=rules.per_semester,
    )
    lines = [t(f"compliance_month_{m.status}", month=m.month, valid=m.valid, pending=m.pending, required=m.required)
             for m in result.months]
    return lines + [t(f"compliance_semester_{result.status}", valid=result.valid, pending=result.pending,
                      required=result.required)]
