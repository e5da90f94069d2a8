"""Scheduled work, as rows in the outbox: reminders before a session, its result when it ends, the
20th-of-the-month warning, summary deadlines, and (from reminders/assessment.py) score
announcements and nudges.

`queue_due_work` decides what is due and writes it to the outbox in one transaction; `send_queued`
delivers what the outbox holds. Keys make each item once: a restart re-plans without repeating,
a reminder missed while the bot was down is still sent within the grace time, and two processes
never both send it.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.kernel.clock import Clock
from bot.kernel.delivery import Delivery, outgoing_from_json
from bot.domain.checkins import month_bounds
from bot.domain.roles import COORDINATOR
from bot.domain.sessions import month_needs_warning
from bot.kernel.messages import ChatKind, ChatRef, OutgoingMessage
from bot.kernel.metrics import REMINDERS_SENT, record_sweep
from bot.services.sessions import Env, close, describe, group_chats, held_sessions, to_groups, to_member, when
from reminders.assessment import queue_announcement, queue_nudges
from reminders.outbox import queue_messages
from storage.models import OnlineSession
from storage.repositories import Repositories
from storage.sessions import session_end

log = logging.getLogger("yanxiu.reminders")

STALE_CLAIM = timedelta(minutes=5)


async def queue_due_work(session_factory: async_sessionmaker[AsyncSession], env: Env, clock: Clock) -> int:
    """Put into the outbox everything that has become due; returns how many items were queued."""
    now = clock.now()
    queued = 0
    async with session_factory() as session, session.begin():
        repos = Repositories(session)
        for online in await repos.online_sessions.open_sessions():
            queued += await _reminders(repos, env, online, now)
            if now >= session_end(online):
                queued += await _result(repos, env, online, now)
        for online in await repos.online_sessions.awaiting_summary():
            queued += await _summary_deadline(repos, env, online, now)
        queued += await _month_warning(repos, env, now)
        queued += await queue_announcement(repos, env, now)
        queued += await queue_nudges(repos, env, now)
    return queued


async def _reminders(repos: Repositories, env: Env, online: OnlineSession, now: datetime) -> int:
    grace = timedelta(minutes=env.policy.sessions.reminder_grace_minutes)
    queued = 0
    for offset in sorted(set(env.policy.sessions.remind_before_minutes), reverse=True):
        due = online.planned_start - timedelta(minutes=offset)
        if not due <= now <= due + grace or now >= session_end(online) or online.status != "scheduled":
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
    held = await held_sessions(repos, env.zone, first, last)
    if not month_needs_warning(today, held, warn_day=rules.warn_day, per_month=rules.per_month):
        return 0
    text = env.t("month_warning", month=today.month, required=rules.per_month)
    return await queue_messages(repos, key, "warning", await _coordinators(repos, env, text), now)


async def _coordinators(repos: Repositories, env: Env, text: str) -> list[OutgoingMessage]:
    """The program's groups if any are bound to the whole program, else each coordinator privately."""
    program = [b for b in await repos.bindings.all() if b.scope == "program" and b.platform == env.platform]
    if program:
        return [OutgoingMessage(chat=ChatRef(b.platform, b.chat_id, ChatKind.GROUP, b.title), text=text) for b in program]
    messages = []
    for member in await repos.members.with_role(COORDINATOR):
        messages += await to_member(repos, env, member, text, None)
    return messages


def _in_break(day: date, breaks: list[tuple[date, date]]) -> bool:
    return any(first <= day <= last for first, last in breaks)


async def send_queued(session_factory: async_sessionmaker[AsyncSession], delivery: Delivery, clock: Clock) -> int:
    """Deliver what the outbox holds; a failed item is released for the next sweep (up to its limits)."""
    if not delivery.capabilities.can_send_unprompted:
        return 0
    async with session_factory() as session, session.begin():
        entries = [(e.key, e.kind, list(e.messages)) for e in await Repositories(session).outbox.claim_due(
            clock.now(), STALE_CLAIM)]
    sent = 0
    for key, kind, messages in entries:
        delivered = await delivery.deliver([outgoing_from_json(m) for m in messages])
        async with session_factory() as session, session.begin():
            outbox = Repositories(session).outbox
            if delivered:
                await outbox.mark_sent(key, clock.now())
                if messages:  # an event's own row carries no messages
                    sent += 1
                    REMINDERS_SENT.inc(kind=kind)
            else:
                await outbox.release(key)
                log.warning("outbox send failed key=%s kind=%s", key, kind)
    return sent


async def sweep(session_factory: async_sessionmaker[AsyncSession], delivery: Delivery, env: Env, clock: Clock) -> int:
    """One scheduler tick: queue what is due, then send it."""
    await queue_due_work(session_factory, env, clock)
    sent = await send_queued(session_factory, delivery, clock)
    record_sweep()
    return sent
