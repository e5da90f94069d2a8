"""The in-process clock (APScheduler 3). It only wakes the planner up; what is due lives in the database."""

from __future__ import annotations

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.services.sessions import Env
from reminders.files import keep_files
from reminders.planner import sweep
from reminders.retention import SWEEP_SECONDS, purge


def make_scheduler(*apps) -> AsyncIOScheduler:
    """One clock for a running bot, started and stopped with it: for each program (each its own
    database) plan what is due and send its outbox, purge what retention says, keep received files."""
    first = apps[0].dispatcher
    scheduler = AsyncIOScheduler(timezone=first.zone)
    for app in apps:
        suffix = f":{app.program.key}" if len(apps) > 1 else ""
        dispatcher = app.dispatcher
        scheduler.add_job(
            sweep,
            "interval",
            seconds=app.settings.sweep_seconds,
            args=[app.session_factory, dispatcher.delivery, session_env(app), dispatcher.clock],
            id=f"sweep{suffix}",
            max_instances=1,
            coalesce=True,
        )
        scheduler.add_job(
            purge,
            "interval",
            seconds=SWEEP_SECONDS,
            args=[app.session_factory, getattr(dispatcher, "files", None), app.policy.privacy, dispatcher.clock],
            id=f"retention{suffix}",
            max_instances=1,
            coalesce=True,
        )
        scheduler.add_job(
            keep_files,
            "interval",
            seconds=app.settings.sweep_seconds,
            args=[app.session_factory, getattr(dispatcher, "files", None), app.adapter.download, app.policy.files,
                  dispatcher.clock],
            id=f"files{suffix}",
            max_instances=1,
            coalesce=True,
        )
    return scheduler


def session_env(app) -> Env:
    dispatcher = app.dispatcher
    return Env(app.policy, dispatcher.translator, dispatcher.zone, app.adapter.platform,
               app.adapter.capabilities.can_send_images)
