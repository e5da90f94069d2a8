"""Scheduled score announcements (the policy's cron, default the 1st at 09:00) and the private
nudges a few days before a monthly deadline — queued in the outbox like every scheduled message."""

from __future__ import annotations

from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.services.announcements import announcement_key, announcements, is_held, next_announcement, preview
from bot.domain.checkins import month_bounds
from bot.domain.duty import DateSpan, duty
from bot.domain.scoring import Activity
from bot.kernel.messages import ChatKind, ChatRef, OutgoingMessage
from bot.services.sessions import Env, to_coordinators, to_member
from reminders.outbox import queue_messages
from storage.repositories import Repositories

ANNOUNCE_GRACE = timedelta(hours=6)
FINAL_RESULTS_DAYS = 31
"""Announcements continue this long after the semester ends, so the final results are published."""


def due_announcement(cron: str, env: Env, now: datetime) -> datetime | None:
    """The scheduled time that has come within the grace period, if any."""
    trigger = CronTrigger.from_crontab(cron, timezone=env.zone)
    fire = trigger.get_next_fire_time(None, now - ANNOUNCE_GRACE)
    return fire if fire is not None and fire <= now else None


async def queue_preparation(repos: Repositories, env: Env, now: datetime) -> int:
    """The day before (policy: prepare_days_before), coordinators see what the scheduled 公示 will
    send and how to hold it; it goes out only if nobody holds it."""
    settings = env.policy.announcements
    if settings.prepare_days_before == 0:
        return 0
    fire = next_announcement(settings.cron, env, now)
    if fire is None or fire - now > timedelta(days=settings.prepare_days_before):
        return 0
    key = "prepare:" + announcement_key(env, fire)
    if await repos.outbox.has(key):
        return 0
    today = fire.astimezone(env.zone).date()
    shown = preview(await announcements(repos, env, today))
    if not shown.groups:
        return 0
    local = fire.astimezone(env.zone)
    text = env.t("announce_prepared", when=f"{local.month}月{local.day}日 {local:%H:%M}", groups=shown.groups,
                 private=shown.private, sample=shown.sample)
    return await queue_messages(repos, key, "announcement", await to_coordinators(repos, env, text), now, fire)


async def queue_announcement(repos: Repositories, env: Env, now: datetime) -> int:
    semester = env.policy.semester
    today = now.astimezone(env.zone).date()
    if not semester.start <= today <= semester.end + timedelta(days=FINAL_RESULTS_DAYS):
        return 0
    fire = due_announcement(env.policy.announcements.cron, env, now)
    if fire is None:
        return 0
    key = announcement_key(env, fire)
    if await repos.outbox.has(key) or await is_held(repos, key):
        return 0
    messages = await announcements(repos, env, today)
    return await queue_messages(repos, key, "announcement", messages, now, fire + ANNOUNCE_GRACE)


async def queue_nudges(repos: Repositories, env: Env, now: datetime) -> int:
    """Days before a month ends, at a decent hour, each teacher missing this month's reflection or
    case hears it once: privately (a mention in their school's group where the platform refuses),
    and those without a chat account here are named together in one gentle group message."""
    settings, records, semester = env.policy.announcements, env.policy.records, env.policy.semester
    local = now.astimezone(env.zone)
    today = local.date()
    first, last = month_bounds(today)
    if local.hour < settings.nudge_hour or (last - today).days > settings.nudge_days_before:
        return 0
    if not semester.start <= today <= semester.end or any(a <= today <= b for a, b in semester.breaks):
        return 0
    activities = await repos.scores.activities("", first, last)
    leaves = await repos.leaves.approved_between(first, last)
    program = env.policy.program
    queued = 0
    unreachable: dict[ChatRef, list[str]] = {}
    for who in await repos.scores.assessed(staff_roles=program.staff_roles):
        joined = who.joined_at.astimezone(env.zone).date() if who.joined_at else None
        owed = duty(DateSpan(first, last), today, final=True, counting_from=program.counting_from,
                    joined_on=joined, leaves=[DateSpan(a, b) for a, b in leaves.get(who.member_id, [])],
                    min_days_in_month=program.min_days_in_month)
        if (today.year, today.month) not in owed.months:
            continue  # not counted yet, joined too late in the month, or on approved leave
        key = f"nudge:{who.member_id}:{today:%Y-%m}"
        activity = activities.get(who.member_id) or Activity(who.member_id)
        missing = []
        for label, counts, required in (("教学反思", activity.reflections, records.reflections_per_month),
                                        ("教学案例", activity.cases, records.cases_per_month)):
            short = required - counts.get((today.year, today.month), 0)
            if short > 0:
                missing.append(env.t("nudge_item", label=label, count=short))
        if not missing or await repos.outbox.has(key):
            continue
        chats = await repos.bindings.for_schools(env.platform, [who.school_id], with_program=False)
        group = ChatRef(chats[0].platform, chats[0].chat_id, ChatKind.GROUP, chats[0].title) if chats else None
        text = env.t("nudge", name=who.name, month=today.month, items="、".join(missing),
                     deadline=f"{last.month}月{last.day}日")
        messages = await to_member(repos, env, await repos.members.get(who.member_id), text, group)
        if not messages and group is not None:
            unreachable.setdefault(group, []).append(who.name)
        queued += await queue_messages(repos, key, "nudge", messages, now, _after(last, env))
    for group, names in unreachable.items():
        text = env.t("nudge_group", month=today.month, names="、".join(names), deadline=f"{last.month}月{last.day}日")
        key = f"nudge-group:{group.platform}:{group.chat_id}:{now.astimezone(env.zone):%Y-%m-%d}"
        queued += await queue_messages(repos, key, "nudge", [OutgoingMessage(chat=group, text=text)], now,
                                       _after(last, env))
    return queued


def _after(day, env: Env) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), env.zone)
