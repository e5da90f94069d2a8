"""The planner: one transaction that decides everything that has become due and writes it to the
outbox — session reminders and results, summary deadlines, the month warning, score announcements,
nudges, the automatic freeze after the 公示期 and expired dialogs — then the outbox sends it.
One scheduler tick is one `sweep`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.kernel.clock import Clock
from bot.kernel.delivery import Delivery
from bot.kernel.metrics import record_sweep
from bot.services.sessions import Env
from reminders.activities import plan_activities
from reminders.assessment import queue_announcement, queue_nudges, queue_preparation
from reminders.dialogs import queue_expired_dialogs
from reminders.freezing import queue_freezing
from reminders.outbox import send_queued
from reminders.sessions import plan_sessions
from storage.repositories import Repositories


async def queue_due_work(session_factory: async_sessionmaker[AsyncSession], env: Env, clock: Clock) -> int:
    """Put into the outbox everything that has become due; returns how many items were queued."""
    now = clock.now()
    async with session_factory() as session, session.begin():
        repos = Repositories(session)
        queued = await plan_sessions(repos, env, now)
        queued += await queue_preparation(repos, env, now)
        queued += await plan_activities(repos, env, now)
        queued += await queue_announcement(repos, env, now)
        queued += await queue_nudges(repos, env, now)
        queued += await queue_freezing(repos, env, now)
        queued += await queue_expired_dialogs(repos, env.t, env.platform, now,
                                              env.policy.records.dialog_timeout_minutes)
    return queued


async def sweep(session_factory: async_sessionmaker[AsyncSession], delivery: Delivery, env: Env, clock: Clock) -> int:
    """One scheduler tick: queue what is due, then send what the outbox holds."""
    await queue_due_work(session_factory, env, clock)
    sent = await send_queued(session_factory, delivery, clock)
    record_sweep()
    return sent
