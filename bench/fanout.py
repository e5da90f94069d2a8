"""Announcement fan-out: one score announcement, chart included, to `groups` school groups, through a
fake Bot API that enforces Telegram's flood limits (30 messages a second overall, 20 a minute per chat).

What runs is the scheduler's sweep, in its two halves: the planner composes the monthly announcement
into outbox rows, one per group, each with its chart planned but not drawn (timed as "compose"); then
the outbox draws each chart in a worker thread just ahead of its send and delivers through `Delivery`
(its Pacer) and the real TelegramAdapter, which waits out any 429 (timed as "deliver"). The reference
is the least time the limits allow: (messages - 1) / 30 s after the first message.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime
from time import perf_counter
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from bench.inbound import TOKEN, RemoteApi, peak_mb, quiet_production_logging
from bot.ops.platforms import telegram_adapter
from bot.ops.app import build
from bot.kernel.clock import FixedClock
from bot.ops.config import Settings
from bot.domain.policy import Announcements, Policy
from reminders.scheduler import session_env
from reminders.outbox import send_queued
from reminders.planner import queue_due_work
from storage.db import make_engine
from storage.migrate import upgrade
from storage.models import ChatBinding, Member, MemberRole, School

PER_SECOND, PER_CHAT_PER_MINUTE = 30, 20  # Telegram's limits for bots, as TelegramAdapter declares them
TEACHERS_PER_SCHOOL = 10  # a one-page table per group
CHAT0 = -1_008_000_000_000
ANNOUNCE_AT = datetime(2026, 12, 1, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))  # the policy's cron: 1st, 09:00
NOW = datetime.now(UTC)


async def _program(engine, groups: int) -> None:
    """`groups` schools of TEACHERS_PER_SCHOOL teachers, each school with its group chat bound to it."""
    schools, teachers = range(1, groups + 1), range(1, groups * TEACHERS_PER_SCHOOL + 1)
    tables = (
        (School, [{"id": s, "name": f"第{s}中学", "role": "partner", "created_at": NOW} for s in schools]),
        (Member, [{"id": i, "name": f"教师{i}", "school_id": (i - 1) // TEACHERS_PER_SCHOOL + 1,
                   "subject": "数学", "created_at": NOW, "updated_at": NOW} for i in teachers]),
        (MemberRole, [{"member_id": i, "role": "teacher", "granted_at": NOW} for i in teachers]),
        (ChatBinding, [{"platform": "telegram", "chat_id": str(CHAT0 - s), "scope": "school", "school_id": s,
                        "title": f"第{s}中学研修群", "bound_at": NOW} for s in schools]),
    )
    async with engine.begin() as connection:
        for model, rows in tables:
            await connection.execute(insert(model.__table__), rows)


async def _fanout(url: str, groups: int, chart: bool) -> dict:
    quiet_production_logging()
    engine = make_engine(url)
    await upgrade(engine)
    await _program(engine, groups)
    clock = FixedClock(ANNOUNCE_AT)
    policy = Policy(announcements=Announcements(chart=chart))
    with RemoteApi(flood_limit_global_per_second=PER_SECOND,
                   flood_limit_per_chat_per_minute=PER_CHAT_PER_MINUTE) as api:
        config = Settings(_env_file=None, telegram_token=TOKEN, telegram_base_url=api.base_url,
                          database_url=url)
        app = build(config, telegram_adapter(config), clock=clock, policy=policy, engine=engine)
        async with app.adapter.application:  # what app.run() opens: the HTTP client, getMe
            started = perf_counter()
            queued = await queue_due_work(app.session_factory, session_env(app), clock)
            composed = perf_counter()
            sent = await send_queued(app.session_factory, app.dispatcher.delivery, clock)
            finished = perf_counter()
        rss, report = peak_mb(), await api.call("report")
    await app.close()
    per_chat = Counter(chat for chat, _ in report["sent"])
    each = 2 if chart else 1
    assert queued == 1 and sent == groups, f"{queued} queued, {sent} sent: expected one announcement per group"
    assert len(per_chat) == groups and set(per_chat.values()) == {each}, f"each group should get {each} messages"
    return {"groups": groups, "chart": chart, "messages": len(report["sent"]), "compose": composed - started,
            "deliver": finished - composed, "minimum": (len(report["sent"]) - 1) / PER_SECOND,
            "rejected_429": report["rejected_429"], "rss": rss}


def measure(url: str, groups: int, chart: bool = True) -> dict:
    """One fan-out on a fresh SQLite database; run it in a fresh process (peak RSS is per process)."""
    start_rss = peak_mb()
    return asyncio.run(_fanout(url, groups, chart)) | {"start_rss": start_rss}


def table(results: list[dict]) -> str:
    head = ("| groups | chart | messages | compose s | deliver s | minimum s | deliver / minimum | 429s received "
            "| messages / s | peak RSS MB (at start) |")
    rows = [head, "|" + "---|" * head.count(" | ") + "---|"]
    for r in results:
        rows.append(
            f"| {r['groups']:,} | {'yes' if r['chart'] else 'no'} | {r['messages']:,} | {r['compose']:.1f} "
            f"| {r['deliver']:.1f} "
            f"| {r['minimum']:.1f} | {r['deliver'] / r['minimum']:.2f}× | {r['rejected_429']} "
            f"| {r['messages'] / r['deliver']:.1f} "
            f"| {r['rss']:.0f} ({r['start_rss']:.0f}) |")
    return "\n".join(rows)


def section(title: str, results: list[dict], machine_line: str, command: str, elapsed: float) -> str:
    r = results[0]
    return f"""{title}

One score announcement (成绩公示) to {r['groups']:,} school group chats, each bound to its school of
{TEACHERS_PER_SCHOOL} teachers, on SQLite, against the fake Bot API (tests/fakes/telegram_api.py, in a
process of its own) enforcing Telegram's limits for bots: {PER_SECOND} messages a second overall and
{PER_CHAT_PER_MINUTE} a minute per chat, answering 429 with `retry_after` beyond them. What runs is the
scheduler's sweep on the 1st at 09:30, in its two halves:

- **compose**: the planner (`queue_due_work`) composes the monthly announcement into the outbox,
  one row per group holding its table and its chart planned as data, not yet drawn;
- **deliver**: the outbox (`send_queued`) draws each chart in a worker thread, a few groups ahead of
  the send in progress, and sends through `Delivery`, whose Pacer spaces the sends to the adapter's
  declared limits, and the real `TelegramAdapter`, which waits out any 429 it gets;
- **minimum**: the least time the limits allow, (messages − 1) / {PER_SECOND} s after the first send.

With the chart (the policy's default) each group gets its table and a PNG of its ranking; every group
is checked to have received exactly those. Peak RSS is the measuring process's high-water mark; "at
start" is after its imports, before the database exists.

{table(results)}

Machine: {machine_line}.
Run on {datetime.now().date().isoformat()} with `{command}`; the whole run took {elapsed:.0f} s.
"""
