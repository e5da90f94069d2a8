"""Inbound check-ins: updates per second handled end to end, against a bare python-telegram-bot echo bot.

Path measured: fake Bot API → PTB long polling → TelegramAdapter → Dispatcher → stored → reply sent.
`checkins` teachers are on the roster with a linked Telegram account; their "签到" updates are all
queued at once and the clock stops when the fake server has seen that many replies.

The fake Bot API runs in a process of its own (Telegram is another machine: its work is neither the
bot's CPU nor its memory); the bot runs in a fresh process per measurement, so peak RSS is its own.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import resource
import time
from datetime import UTC, datetime
from time import perf_counter, process_time
from typing import Self

from sqlalchemy import func, insert, select, text
from telegram.ext import ApplicationBuilder, MessageHandler, filters

from bot.ops import logs
from bot.ops.platforms import telegram_adapter
from bot.ops.app import build, prepare_database
from bot.ops.config import Settings
from bot.kernel.delivery import Pacer
from bot.domain.policy import Checkins, Policy
from storage.db import make_engine
from storage.migrate import upgrade
from storage.models import Account, CheckIn, HandledMessage, Member, MemberRole, School
from tests.fakes.telegram_api import FakeBotApi, text_message_update

TOKEN = "4242:BENCH"
GROUPS = 50  # school groups the teachers check in from, as the program uses the bot
WARMUP = 50  # extra teachers whose check-ins warm up both bots, untimed
USER0, CHAT0 = 700_000_000, -1_009_000_000_000
NOW = datetime.now(UTC)


# ---- the fake Bot API in its own process ---------------------------------------------------------
def _serve(conn, limits: dict) -> None:
    asyncio.run(_serve_async(conn, limits))


async def _serve_async(conn, limits: dict) -> None:
    async with FakeBotApi(TOKEN, **limits) as api:
        conn.send(api.base_url)
        loop = asyncio.get_running_loop()
        while (request := await loop.run_in_executor(None, conn.recv)) is not None:
            name, args = request
            try:
                conn.send(await _COMMANDS[name](api, *args))
            except Exception as exc:  # noqa: BLE001 - handed to the caller, who raises it
                conn.send(exc)


async def _burst(api: FakeBotApi, updates: list[dict], timeout: float) -> float:
    """Queue the updates at once; seconds until as many more messages were sent."""
    before, started = len(api.sent), perf_counter()
    for update in updates:
        api.push_update(update)
    await api.wait_for_sent(before + len(updates), timeout)
    return perf_counter() - started


async def _report(api: FakeBotApi) -> dict:
    return {"sent": [(s["chat_id"], s["text"]) for s in api.sent], "rejected_429": api.rejected_429}


async def _morning(api: FakeBotApi, updates: list[dict], spread: float) -> dict[int, float]:
    """Push the updates evenly over `spread` seconds, as teachers arriving at school would; returns
    each message id's arrival time (wall clock)."""
    arrived, started = {}, time.time()
    for number, update in enumerate(updates):
        due = started + spread * number / max(len(updates) - 1, 1)
        if due > time.time():
            await asyncio.sleep(due - time.time())
        api.push_update(update)
        arrived[update["message"]["message_id"]] = time.time()
    return arrived


async def _acknowledged(api: FakeBotApi, count: int, timeout: float) -> dict:
    """Wait until `count` check-ins were acknowledged (reactions, or names on tallies); what the fake saw."""
    deadline = time.time() + timeout
    while time.time() < deadline and len(api.reactions) < count and _tallied(api) < count:
        await asyncio.sleep(0.2)
    return {"reactions": [(r["message_id"], r["at"]) for r in api.reactions],
            "sent": [(s["chat_id"], s["text"], s["at"]) for s in api.sent],
            "edits": len(api.edited), "rejected_429": api.rejected_429}


def _tallied(api: FakeBotApi) -> int:
    """Names on the latest tally of each group (a tally lists them after its colon)."""
    latest = {}
    for chat_id, message_id in ((s["chat_id"], s["message_id"]) for s in api.sent):
        latest[chat_id] = api.messages[(chat_id, message_id)]
    return sum(len(m["text"].split("：", 1)[1].split("、")) for m in latest.values() if "：" in m.get("text", ""))


_COMMANDS = {"burst": _burst, "report": _report, "morning": _morning, "acknowledged": _acknowledged}


class RemoteApi:
    """A FakeBotApi in a child process, driven over a pipe (calls run in a thread: the loop goes on)."""

    def __init__(self, **limits) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, limits), daemon=True)
        self.base_url = ""

    def __enter__(self) -> Self:
        self._process.start()
        self.base_url = self._conn.recv()
        return self

    def __exit__(self, *exc: object) -> None:
        self._conn.send(None)
        self._process.join(10)

    async def call(self, name: str, *args):
        def roundtrip():
            self._conn.send((name, args))
            return self._conn.recv()
        result = await asyncio.to_thread(roundtrip)
        if isinstance(result, Exception):
            raise result
        return result


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def quiet_production_logging() -> None:
    """Log as `yanxiu run` does (INFO, key=value lines), into /dev/null: the cost stays, the noise goes."""
    logs.configure("INFO")
    logging.getLogger().handlers[0].setStream(open(os.devnull, "w"))  # noqa: SIM115 - lives as long as the process


def checkin_updates(first: int, count: int) -> list[dict]:
    return [text_message_update(CHAT0 - i % GROUPS, USER0 + i, "签到", chat_type="supergroup",
                                message_id=i + 1, first_name=f"教师{i}", chat_title=f"第{i % GROUPS}中学群")
            for i in range(first, first + count)]


async def _roster(engine, teachers: int) -> None:
    """Teachers 0..teachers-1 in GROUPS schools, each with a linked Telegram account (as after /join)."""
    tables = (
        (School, [{"id": s + 1, "name": f"第{s}中学", "role": "partner", "created_at": NOW}
                  for s in range(GROUPS)]),
        (Member, [{"id": i + 1, "name": f"教师{i}", "school_id": i % GROUPS + 1, "subject": "数学",
                   "created_at": NOW, "updated_at": NOW} for i in range(teachers)]),
        (MemberRole, [{"member_id": i + 1, "role": "teacher", "granted_at": NOW} for i in range(teachers)]),
        (Account, [{"platform": "telegram", "user_id": str(USER0 + i), "member_id": i + 1,
                    "display_name": f"教师{i}", "linked_at": NOW} for i in range(teachers)]),
    )
    async with engine.begin() as connection:
        for model, rows in tables:
            await connection.execute(insert(model.__table__), rows)


def _timeout(checkins: int) -> float:
    return 120 + checkins / 5


async def _yanxiu(database: str, url: str, checkins: int) -> dict:
    quiet_production_logging()
    engine = make_engine(url)
    await upgrade(engine)
    await _roster(engine, checkins + WARMUP)
    with RemoteApi() as api:
        config = Settings(_env_file=None, telegram_token=TOKEN, telegram_base_url=api.base_url,
                          database_url=url)
        adapter = telegram_adapter(config)
        adapter.poll_timeout = 1
        # one message out per update, like the echo bot: check-ins are answered with a reply here
        app = build(config, adapter, engine=engine, policy=Policy(checkins=Checkins(acknowledge="reply")))
        app.dispatcher.delivery.pacer = Pacer(None, None)  # the measurement is the bot, not Telegram's limits
        await prepare_database(engine)
        task = asyncio.create_task(adapter.run(app.dispatcher.handle))  # app.run() minus the scheduler
        try:
            await api.call("burst", checkin_updates(checkins, WARMUP), _timeout(WARMUP))
            cpu = process_time()
            seconds = await api.call("burst", checkin_updates(0, checkins), _timeout(checkins))
            cpu, rss, report = process_time() - cpu, peak_mb(), await api.call("report")
        finally:
            await adapter.stop()
            await asyncio.wait_for(task, 15)
        async with engine.connect() as connection:
            counts = select(func.count(), func.count(CheckIn.member_id.distinct()))
            stored = (await connection.execute(counts)).one()
            handled = await connection.scalar(select(func.count()).select_from(HandledMessage))
            version = await connection.scalar(text(
                "SHOW server_version" if database == "postgresql" else "SELECT sqlite_version()"))
        await app.close()
    total = checkins + WARMUP
    replies = sum("签到成功" in (sent_text or "") for _, sent_text in report["sent"])
    assert tuple(stored) == (total, total), f"check-ins stored {tuple(stored)}, expected {total} once each"
    assert handled == total and replies == total, f"{handled} handled, {replies} confirmations for {total}"
    return {"bot": "yanxiu", "database": database, "version": version.split()[0], "seconds": seconds,
            "rate": checkins / seconds, "cpu": cpu, "rss": rss, "stored": stored[0] - WARMUP,
            "checkins": checkins}


async def _echo(checkins: int) -> dict:
    with RemoteApi() as api:
        app = ApplicationBuilder().token(TOKEN).base_url(api.base_url).build()

        async def echo(update, _context) -> None:
            await update.message.reply_text(update.message.text)

        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0, timeout=1)
            try:
                await api.call("burst", checkin_updates(checkins, WARMUP), _timeout(WARMUP))
                cpu = process_time()
                seconds = await api.call("burst", checkin_updates(0, checkins), _timeout(checkins))
                cpu, rss = process_time() - cpu, peak_mb()
            finally:
                await app.updater.stop()
                await app.stop()
    return {"bot": "echo", "database": "-", "version": "", "seconds": seconds, "rate": checkins / seconds,
            "cpu": cpu, "rss": rss, "stored": 0, "checkins": checkins}


def measure(database: str, url: str, checkins: int) -> dict:
    """One measurement; run it in a fresh process (peak RSS is per process). database "echo": the echo bot."""
    start_rss = peak_mb()
    work = _echo(checkins) if database == "echo" else _yanxiu(database, url, checkins)
    return asyncio.run(work) | {"start_rss": start_rss}


def table(results: list[dict]) -> str:
    echo = next((r for r in results if r["bot"] == "echo"), None)
    head = ("| bot | database | seconds | check-ins / s | / echo bot | bot CPU ms per check-in "
            "| peak RSS MB (at start) | stored once |")
    rows = [head, "|" + "---|" * head.count(" | ") + "---|"]
    for r in results:
        ratio = f"{r['rate'] / echo['rate']:.2f}×" if echo else "-"
        stored = f"{r['stored']:,}" if r["bot"] == "yanxiu" else "-"
        database = " ".join(filter(None, (r["database"], r["version"])))
        cpu_ms = r["cpu"] / r["checkins"] * 1000
        rows.append(f"| {r['bot']} | {database} | {r['seconds']:.1f} | {r['rate']:.0f} | {ratio} "
                    f"| {cpu_ms:.1f} | {r['rss']:.0f} ({r['start_rss']:.0f}) | {stored} |")
    return "\n".join(rows)


def section(title: str, results: list[dict], machine_line: str, command: str, elapsed: float) -> str:
    n = results[0]["checkins"]
    return f"""{title}

{n:,} teachers on the roster with their Telegram accounts linked (as after /join), in {GROUPS} school
groups, each send "签到" in their group: {n:,} updates queued at once on the fake Bot API
(tests/fakes/telegram_api.py, in a process of its own), timed until the fake has received {n:,}
replies, after {WARMUP} check-ins of warm-up. Both bots handle updates one at a time (PTB's default):

- **yanxiu**: the bot as `yanxiu run` wires it (`build`, `TelegramAdapter`, PTB long polling, the
  dispatcher: route, roles, one unit of work storing the check-in and its idempotency record, the
  reply, marked delivered), logging at INFO into /dev/null; without the scheduler (nothing is due);
- **echo bot**: a bare python-telegram-bot `Application` whose one `MessageHandler` replies the text,
  on the same fake server: the floor PTB itself sets for one update in, one message out.

The Pacer is off and the fake enforces no limits: the subject is the bot. With the Pacer (1/30 s
between any two sends, 20 a minute per chat) this burst would take at least {n / 30:.0f} s, and longer:
the 21st reply within a minute in one group waits for the minute to pass, and with updates handled
one at a time every other chat waits too. Without it, groups or private chats make no difference.
Every check-in is checked stored once and confirmed once. Bot CPU is the measuring process's CPU
time during the burst (the fake server's is not in it). Peak RSS is that process's high-water mark;
"at start" is after its imports (yanxiu's and PTB's, the same for both bots).

{table(results)}

Machine: {machine_line}.
Run on {datetime.now().date().isoformat()} with `{command}`; the whole run took {elapsed:.0f} s.
"""


# ---- the morning burst, with Telegram's limits enforced ------------------------------------------
MORNING_GROUPS = 40
ACK_GOAL_S, STORED_GOAL_S = 60, 5


def morning_updates(teachers: int, groups: int) -> list[dict]:
    return [text_message_update(CHAT0 - i % groups, USER0 + i, "签到", chat_type="supergroup",
                                message_id=i + 1, first_name=f"教师{i}", chat_title=f"第{i % groups}中学群")
            for i in range(teachers)]


async def _morning_yanxiu(url: str, teachers: int, groups: int, spread: float, acknowledge: str) -> dict:
    quiet_production_logging()
    engine = make_engine(url)
    await upgrade(engine)
    await _roster(engine, teachers)
    limits = {"flood_limit_global_per_second": 30, "flood_limit_per_chat_per_minute": 20, "clock": time.time}
    with RemoteApi(**limits) as api:
        config = Settings(_env_file=None, telegram_token=TOKEN, telegram_base_url=api.base_url, database_url=url)
        adapter = telegram_adapter(config)
        adapter.poll_timeout = 1
        app = build(config, adapter, engine=engine, policy=Policy(checkins=Checkins(acknowledge=acknowledge)))
        await prepare_database(engine)
        task = asyncio.create_task(adapter.run(app.dispatcher.handle))
        try:
            await asyncio.sleep(0.5)
            cpu = process_time()
            arrived = await api.call("morning", morning_updates(teachers, groups), spread)
            last_arrival = max(arrived.values())
            stored_at = await _all_stored(engine, teachers, timeout=120)
            seen = await api.call("acknowledged", teachers, 180)
            cpu, rss = process_time() - cpu, peak_mb()
        finally:
            await adapter.stop()
            await asyncio.wait_for(task, 30)
        async with engine.connect() as connection:
            rows = (await connection.execute(select(CheckIn.message_id, CheckIn.checked_at))).all()
        await app.close()
    stored = {int(message_id): at.timestamp() for message_id, at in rows}
    if acknowledge == "reaction":
        acked = {message_id: at for message_id, at in seen["reactions"]}
        worst_ack = max(acked[m] - arrived[m] for m in arrived) if len(acked) >= teachers else float("inf")
        last_ack = max(acked.values(), default=float("nan")) - last_arrival
    else:
        last_ack = max((at for _, _, at in seen["sent"]), default=float("nan")) - last_arrival
        worst_ack = last_ack + spread  # a tally shows everyone by its last edit; the first arrival waited longest
    return {
        "acknowledge": acknowledge, "teachers": teachers, "groups": groups, "spread": spread,
        "stored": len(stored), "stored_after_last": stored_at - last_arrival,
        "worst_store": max(stored[m] - arrived[m] for m in arrived if m in stored),
        "acked": len(seen["reactions"]) if acknowledge == "reaction" else teachers,
        "worst_ack": worst_ack, "last_ack": last_ack,
        "messages": len(seen["sent"]), "edits": seen["edits"], "rejected_429": seen["rejected_429"],
        "cpu": cpu, "rss": rss,
    }


async def _all_stored(engine, teachers: int, timeout: float) -> float:
    """Wall-clock time at which every check-in was in the database (polled every 50 ms)."""
    deadline = time.time() + timeout
    async with engine.connect() as connection:
        while time.time() < deadline:
            if await connection.scalar(select(func.count()).select_from(CheckIn)) >= teachers:
                return time.time()
            await connection.rollback()
            await asyncio.sleep(0.05)
    raise TimeoutError("not every check-in was stored")


def morning(url: str, teachers: int, groups: int, spread: float, acknowledge: str) -> dict:
    """One morning burst in this (fresh) process."""
    return asyncio.run(_morning_yanxiu(url, teachers, groups, spread, acknowledge))


def morning_table(results: list[dict]) -> str:
    head = ("| acknowledge | check-ins stored | last stored after last arrival s | slowest store s "
            "| slowest acknowledgement s | messages sent (edits) | 429s | bot CPU s | peak RSS MB |")
    rows = [head, "|" + "---|" * head.count(" | ") + "---|"]
    for r in results:
        rows.append(
            f"| {r['acknowledge']} | {r['stored']:,} / {r['teachers']:,} | {r['stored_after_last']:.2f} "
            f"| {r['worst_store']:.2f} | {r['worst_ack']:.1f} | {r['messages']} ({r['edits']}) "
            f"| {r['rejected_429']} | {r['cpu']:.1f} | {r['rss']:.0f} |")
    return "\n".join(rows)


def morning_section(title: str, results: list[dict], machine_line: str, command: str, elapsed: float) -> str:
    r = results[0]
    return f"""{title}

{r['teachers']:,} teachers in {r['groups']} school groups all send "签到" within {r['spread']:.0f} s (evenly
spread), through the fake Bot API enforcing Telegram's limits: 30 requests a second for the bot
(reactions included), 20 messages a minute per group (sends and edits), answering 429 with
retry_after. The bot runs as `yanxiu run` wires it (SQLite, PTB long polling, per-chat lanes, the
Pacer on), once per acknowledgement style (`[checkins] acknowledge` in the policy):

- **reaction**: a 👍 on each check-in (setMessageReaction, not counted against the group's minute);
- **tally**: one list per group of who checked in, sent once and then edited at most every
  `tally_seconds` (10 s).

Goals: every check-in stored within {STORED_GOAL_S} s of the last arrival, every one acknowledged within
{ACK_GOAL_S} s, zero 429s, a worker's peak RSS ≤ 150 MB. "Slowest" is the worst single check-in,
from its arrival at the fake to its row (stored) or its acknowledgement (for a tally: the last edit
that lists everyone, counted from the first arrival).

{morning_table(results)}

Machine: {machine_line}.
Run on {datetime.now().date().isoformat()} with `{command}`; the whole run took {elapsed:.0f} s.
"""
