"""The in-process clock (APScheduler 3). It only wakes the planner up; what is due lives in the database."""

from __future__ import annotations

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.services.sessions import Env
from reminders.files import keep_files
from reminders.planner import sweep
from reminders.retention import SWEEP_SECONDS, purge


def make_scheduler(app) -> AsyncIOScheduler:
    """One job for a running bot, started and stopped with it: plan what is due, send the outbox."""
    dispatcher = app.dispatcher
    scheduler = AsyncIOScheduler(timezone=dispatcher.zone)
    scheduler.add_job(
        sweep,
        "interval",
        seconds=app.settings.sweep_seconds,
        args=[app.session_factory, dispatcher.delivery, session_env(app), dispatcher.clock],
        id="sweep",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        purge,
        "interval",
        seconds=SWEEP_SECONDS,
        args=[app.session_factory, getattr(dispatcher, "files", None), app.policy.privacy, dispatcher.clock],
        id="retention",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        keep_files,
        "interval",
        seconds=app.settings.sweep_seconds,
        args=[app.session_factory, getattr(dispatcher, "files", None), app.adapter.download, app.policy.files,
              dispatcher.clock],
        id="files",
        max_instances=1,
        coalesce=True,
    )
    return scheduler


def session_env(app) -> Env:
    dispatcher = app.dispatcher
    return Env(app.policy, dispatcher.translator, dispatcher.zone, app.adapter.platform,
               app.adapter.capabilities.can_send_images)
