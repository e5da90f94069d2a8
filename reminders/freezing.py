"""Scores freeze by themselves once the final 公示's objection period is over and every objection has
been answered; coordinators are told either way, once."""

from __future__ import annotations

from datetime import date, datetime

from bot.domain.publication import FREEZE, freezing_verdict, objection_window
from bot.services.audit import Actor, record
from bot.services.scores import current_period, freeze
from bot.services.sessions import Env, to_coordinators
from reminders.outbox import queue_messages
from storage.repositories import Repositories

AUTOMATIC = Actor("system:auto-freeze")
ANNOUNCED = "scores.announce"


async def final_publication(repos: Repositories, env: Env) -> date | None:
    """The day the latest 公示 after the semester's end went out (scheduled or sent by a coordinator)."""
    days = []
    sent = await repos.outbox.last_sent("announce:")
    if sent is not None:
        days.append(sent.astimezone(env.zone).date())
    days += [entry.at.astimezone(env.zone).date() for entry in await repos.audit.recent(50, ANNOUNCED)
             if entry.action == ANNOUNCED]
    final = [day for day in days if day > env.policy.semester.end]
    return max(final, default=None)


async def queue_freezing(repos: Repositories, env: Env, now: datetime) -> int:
    settings = env.policy.announcements
    today = now.astimezone(env.zone).date()
    period = current_period(env.policy, today)
    if not settings.auto_freeze or not period.final or await repos.scores.frozen(period.key):
        return 0
    published = await final_publication(repos, env)
    open_count = len(await repos.objections.open(period.key))
    verdict = freezing_verdict(published, today, settings.objection_days, open_count)
    if verdict is None:
        return 0
    window = objection_window(published, settings.objection_days)
    last = f"{window.last.month}月{window.last.day}日"
    if verdict == FREEZE:
        _, count = await freeze(repos, env.policy, today, now, force=False)
        await record(repos, AUTOMATIC, now, "scores.freeze", period.name, after={"teachers": count})
        key, text = f"freeze:{period.key}", env.t("freeze_automatic", period=period.name, last=last, count=count)
    else:
        key = f"freeze-waiting:{period.key}"
        if await repos.outbox.has(key):
            return 0
        text = env.t("freeze_waiting", period=period.name, last=last, count=open_count)
    return await queue_messages(repos, key, "announcement", await to_coordinators(repos, env, text), now)
