"""What is due around online sessions: reminders before a session, its result when its time is up,
summary deadlines, and the warn-day notice that a month has no session yet. Planned into the
outbox by reminders/planner.py; keys make each item once, whatever restarts or second processes do.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.domain.checkins import month_bounds
from bot.domain.partnerships import Partnerships
from bot.domain.session_status import SessionStatus
from bot.domain.sessions import month_needs_warning, reminder_lateness
from bot.kernel.messages import ChatKind, ChatRef, OutgoingMessage
from bot.services.compliance import held_sessions, sessions_by_partnership, several
from bot.services.sessions import (
    Env,
    close,
    describe,
    group_chats,
    to_coordinators,
    to_groups,
    to_member,
    when,
)
from bot.services.units import partnerships
from reminders.outbox import queue_messages
from storage.models import OnlineSession
from storage.repositories import Repositories
from storage.sessions import session_end


async def plan_sessions(repos: Repositories, env: Env, now: datetime) -> int:
    """Queue what sessions need now; returns how many items were queued."""
    queued = 0
    for online in await repos.online_sessions.open_sessions():
        queued += await _reminders(repos, env, online, now)
        if now >= session_end(online):
            queued += await _result(repos, env, online, now)
    for online in await repos.online_sessions.awaiting_summary():
        queued += await _summary_deadline(repos, env, online, now)
    return queued + await _month_warning(repos, env, now)


async def _reminders(repos: Repositories, env: Env, online: OnlineSession, now: datetime) -> int:
    queued = 0
    for offset in sorted(set(env.policy.sessions.remind_before_minutes), reverse=True):
        due = online.planned_start - timedelta(minutes=offset)
        grace = timedelta(minutes=reminder_lateness(offset, env.policy.sessions.reminder_grace_minutes))
        if not due <= now <= due + grace or now >= session_end(online) or online.status != SessionStatus.SCHEDULED:
            continue
        key = f"session:{online.id}:remind:{offset}:{online.planned_start:%Y%m%d%H%M}"
        if await repos.outbox.has(key):
            continue
        schools = await repos.online_sessions.schools_of(online.id)
        text = env.t(
            "session_reminder_now" if offset == 0 else "session_reminder", line=describe(env, online, schools),
            link=online.link or env.t("session_no_link"), within=_within(env, offset),
        )
        queued += await queue_messages(repos, key, "reminder", await to_groups(repos, env, schools, text), now, due + grace)
    return queued


def _within(env: Env, minutes: int) -> str:
    if minutes % 1440 == 0:
        return env.t("within_days", n=minutes // 1440)
    if minutes % 60 == 0:
        return env.t("within_hours", n=minutes // 60)
    return env.t("within_minutes", n=minutes)


async def _result(repos: Repositories, env: Env, online: OnlineSession, now: datetime) -> int:
    """Close a session whose time is up; the outbox key makes sure only one process does it."""
    key = f"session:{online.id}:result"
    if await repos.outbox.has(key):
        return 0
    async with repos.db.begin_nested() as savepoint:
        messages = await close(repos, env, online, now)
        if not await queue_messages(repos, key, "result", messages, now):
            await savepoint.rollback()
            return 0
    return 1


async def _summary_deadline(repos: Repositories, env: Env, online: OnlineSession, now: datetime) -> int:
    due = online.summary_due
    schools = await repos.online_sessions.schools_of(online.id)
    writer = await repos.members.get(online.summary_writer_id)
    chats = await group_chats(repos, env, schools)
    if writer is None:
        return 0
    if due - timedelta(days=1) <= now < due:
        key = f"session:{online.id}:summary-remind:{due:%Y%m%d%H%M}"
        text = env.t("summary_reminder", id=online.id, topic=online.topic, name=writer.name, due=when(env, due))
        if not await repos.outbox.has(key):
            messages = await to_member(repos, env, writer, text, chats[0] if chats else None)
            return await queue_messages(repos, key, "summary", messages, now, due)
    if now >= due:
        key = f"session:{online.id}:summary-overdue:{due:%Y%m%d%H%M}"
        if not await repos.outbox.has(key):
            text = env.t("summary_overdue", id=online.id, topic=online.topic, name=writer.name, host=online.host.name)
            return await queue_messages(repos, key, "summary", [OutgoingMessage(chat=c, text=text) for c in chats], now)
    return 0


async def _month_warning(repos: Repositories, env: Env, now: datetime) -> int:
    """On the policy's warn day, tell coordinators a month has no valid or scheduled session yet."""
    rules, semester = env.policy.sessions, env.policy.semester
    today = now.astimezone(env.zone).date()
    if today.day < rules.warn_day or not semester.start <= today <= semester.end or _in_break(today, semester.breaks):
        return 0
    key = f"month-warning:{today:%Y-%m}"
    if await repos.outbox.has(key):
        return 0
    first, last = month_bounds(today)
    parts = await partnerships(repos)
    if several(parts):
        return await _partnership_warnings(repos, env, now, today, parts)
    held = await held_sessions(repos, env.zone, first, last)
    if not month_needs_warning(today, held, warn_day=rules.warn_day, per_month=rules.per_month):
        return 0
    text = env.t("month_warning", month=today.month, required=rules.per_month)
    return await queue_messages(repos, key, "warning", await _coordinators(repos, env, text), now)


async def _partnership_warnings(repos: Repositories, env: Env, now: datetime, today: date,
                                parts: Partnerships) -> int:
    """Each partnership short of sessions this month hears it in its own groups (coordinators
    privately when it has none bound); the quota is its own, other partnerships' sessions do not count."""
    rules = env.policy.sessions
    first, last = month_bounds(today)
    queued = 0
    for found in await sessions_by_partnership(repos, env.zone, first, last, parts):
        group = found.partnership
        key = f"month-warning:{today:%Y-%m}:{group.base.id}"
        if await repos.outbox.has(key):
            continue
        if not month_needs_warning(today, found.held(env.zone), warn_day=rules.warn_day, per_month=rules.per_month):
            continue
        text = env.t("month_warning_partnership", base=group.base.name, month=today.month, required=rules.per_month)
        bindings = await repos.bindings.for_schools(env.platform, sorted(group.school_ids), with_program=False)
        messages = [OutgoingMessage(chat=ChatRef(b.platform, b.chat_id, ChatKind.GROUP, b.title), text=text)
                    for b in bindings] or await _coordinators(repos, env, text)
        queued += await queue_messages(repos, key, "warning", messages, now)
    return queued


async def _coordinators(repos: Repositories, env: Env, text: str) -> list[OutgoingMessage]:
    """The program's groups if any are bound to the whole program, else each coordinator privately."""
    program = [b for b in await repos.bindings.all() if b.scope == "program" and b.platform == env.platform]
    if program:
        return [OutgoingMessage(chat=ChatRef(b.platform, b.chat_id, ChatKind.GROUP, b.title), text=text) for b in program]
    return await to_coordinators(repos, env, text)


def _in_break(day: date, breaks: list[tuple[date, date]]) -> bool:
    return any(first <= day <= last for first, last in breaks)
