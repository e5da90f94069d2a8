"""Reminders before an activity starts, to its unit's chats (policy: each type's
`remind_before_minutes`), and the end of a started activity its host forgot to end
(`close_after_minutes` after its planned end). Planned into the outbox by reminders/planner.py;
the keys make each once."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.activities import RUNNING, SCHEDULED
from bot.domain.policy import ActivityRule
from bot.domain.sessions import reminder_lateness
from bot.services.activities import activity_end, closing_time, describe, end, rule_of, to_unit
from bot.services.sessions import Env
from reminders.outbox import queue_messages
from reminders.sessions import _within as within
from storage.models import Activity
from storage.repositories import Repositories


async def plan_activities(repos: Repositories, env: Env, now: datetime) -> int:
    """Queue the reminders and forgotten ends that are due now; returns how many were queued."""
    queued = 0
    for activity in await repos.activities.with_status(RUNNING):
        rule = rule_of(env.policy, activity.kind)
        if rule is not None and now >= closing_time(activity, rule):
            queued += await _close(repos, env, activity, rule, now)
    for activity in await repos.activities.with_status(SCHEDULED):
        rule = rule_of(env.policy, activity.kind)
        if rule is None or now >= activity_end(activity):
            continue
        for offset in sorted(set(rule.remind_before_minutes), reverse=True):
            due = activity.planned_start - timedelta(minutes=offset)
            grace = timedelta(minutes=reminder_lateness(offset, env.policy.sessions.reminder_grace_minutes))
            if not due <= now <= due + grace:
                continue
            key = f"activity:{activity.id}:remind:{offset}:{activity.planned_start:%Y%m%d%H%M}"
            if await repos.outbox.has(key):
                continue
            line = await describe(repos, env, activity)
            text = (env.t("activity_reminder_now", line=line) if offset == 0
                    else env.t("activity_reminder", line=line, within=within(env, offset)))
            queued += await queue_messages(repos, key, "reminder", await to_unit(repos, env, activity, text),
                                           now, due + grace)
    return queued


async def _close(repos: Repositories, env: Env, activity: Activity, rule: ActivityRule, now: datetime) -> int:
    """End it for the host; the outbox key makes sure only one process does."""
    key = f"activity:{activity.id}:result"
    if await repos.outbox.has(key):
        return 0
    async with repos.db.begin_nested() as savepoint:
        _text, messages = await end(repos, env, activity, rule, now, forgotten=True)
        if not await queue_messages(repos, key, "result", messages, now):
            await savepoint.rollback()
            return 0
    return 1
