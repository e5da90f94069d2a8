"""Two real bot processes on one PostgreSQL behind one webhook address: a burst of updates split
between them, reminders falling due for both, and one process killed mid-way. Every update is
answered and stored once (a reply already sent by the killed worker but not yet recorded may go out
a second time), every reminder is sent once, nothing is lost."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import aiohttp
import pytest
from sqlalchemy import func, select

from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import ChatBinding, CheckIn, Member, OnlineSession, OutboxEntry
from storage.repositories import Repositories
from tests.e2e.test_telegram import free_port
from tests.fakes.telegram_api import FakeBotApi, text_message_update

pytestmark = pytest.mark.postgres

SCHOOL, SECRET = "紫阳县第二小学", "s3cret-token"
TEACHERS = 60
GROUPS = [-2001 - i for i in range(8)]


async def seed(url: str, now: datetime) -> None:
    """The roster with chat accounts, eight bound groups, and two batches of sessions: the first one
    hour away (its reminder is due at once), the second one hour and 50 seconds away."""
    engine = make_engine(url)
    await upgrade(engine)
    async with make_session_factory(engine)() as session, session.begin():
        repos = Repositories(session)
        school, _ = await repos.schools.get_or_create(SCHOOL, now)
        school.role = "base"
        host = await repos.members.add(Member(name="王芳", school_id=school.id, created_at=now, updated_at=now),
                                       roles=("teacher", "host"))
        for number in range(TEACHERS):
            member = await repos.members.add(
                Member(name=f"老师{number:02d}", school_id=school.id, created_at=now, updated_at=now),
                roles=("teacher",),
            )
            await repos.members.link_account(member, "telegram", str(1000 + number), "", now)
        for group in GROUPS:
            await repos.bindings.bind(ChatBinding(platform="telegram", chat_id=str(group), scope="school",
                                                  school_id=school.id, workshop_id=None, title="", bound_at=now))
        for batch, delay in ((1, timedelta(hours=1)), (2, timedelta(hours=1, seconds=50))):
            for number in range(3):
                await repos.online_sessions.add(OnlineSession(
                    topic=f"第{batch}批研讨{number}", host_member_id=host.id, planned_start=now + delay,
                    planned_minutes=60, link="", status="scheduled", created_at=now, updated_at=now,
                    summary_status="", summary_text="", summary_attachments=[], summary_comment="",
                ), [school.id])
    await engine.dispose()


def start_worker(api: FakeBotApi, url: str, port: int, policy: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YANXIU_")}
    env.update({
        "YANXIU_PLATFORM": "telegram", "YANXIU_TELEGRAM_TOKEN": api.token, "YANXIU_TELEGRAM_BASE_URL": api.base_url,
        "YANXIU_TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram", "YANXIU_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "YANXIU_TELEGRAM_WEBHOOK_PORT": str(port), "YANXIU_DATABASE_URL": url, "YANXIU_SWEEP_SECONDS": "1",
        "YANXIU_POLICY": policy, "YANXIU_LOG_LEVEL": "WARNING",
    })
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


async def until_listening(port: int, timeout: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.1)


async def until(condition, timeout: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.1)


def reminders(api: FakeBotApi, batch: int) -> list[tuple]:
    return [(m["chat_id"], m["text"]) for m in api.sent if f"第{batch}批研讨" in (m["text"] or "")]


async def test_two_workers_one_killed_answer_every_update_and_send_every_reminder_once(postgres_url, tmp_path):
    now = datetime.now(UTC)
    await seed(postgres_url, now)
    policy = tmp_path / "policy.toml"
    today = date.today()
    policy.write_text(f'[semester]\nstart = "{today - timedelta(days=60)}"\nend = "{today + timedelta(days=60)}"\n'
                      '[checkins]\nacknowledge = "reply"\n')
    async with FakeBotApi(token="4242:TEST") as api:
        ports = free_port(), free_port()
        workers = [start_worker(api, postgres_url, port, str(policy)) for port in ports]
        try:
            for port in ports:
                await until_listening(port)
            # reminders of the first batch fall due while both workers sweep every second
            await until(lambda: len(reminders(api, 1)) >= 3 * len(GROUPS))
            await asyncio.sleep(2)
            assert sorted(reminders(api, 1)) == sorted(set(reminders(api, 1))), "a reminder went out twice"
            assert len(reminders(api, 1)) == 3 * len(GROUPS)

            async def deliver(number: int) -> None:
                """Like Telegram behind a balancer: retry on the other worker until someone says 200."""
                group = GROUPS[number % len(GROUPS)]  # Telegram allows 20 messages a minute per group
                update = text_message_update(group, 1000 + number, "签到", chat_type="supergroup")
                for attempt in range(40):
                    port = ports[(number + attempt) % 2]
                    try:
                        if await api.post_to_webhook(update, f"http://127.0.0.1:{port}/telegram", SECRET) == 200:
                            return
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.2)
                raise AssertionError(f"update {number} never acknowledged")

            async def kill_second_worker() -> None:
                await until(lambda: sum("签到成功" in (m["text"] or "") for m in api.sent) >= TEACHERS // 4)
                workers[1].send_signal(signal.SIGKILL)

            await asyncio.gather(kill_second_worker(), *(deliver(n) for n in range(TEACHERS)))
            await until(lambda: sum("签到成功" in (m["text"] or "") for m in api.sent) >= TEACHERS)
            # the second batch falls due after the kill; the survivor sends it alone
            await until(lambda: len(reminders(api, 2)) >= 3 * len(GROUPS))
            await asyncio.sleep(2)
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.terminate()
            for worker in workers:
                try:
                    worker.wait(15)
                except subprocess.TimeoutExpired:
                    worker.kill()
    answered = Counter(m["text"].split("老师签到成功")[0] for m in api.sent if "签到成功" in (m["text"] or ""))
    assert set(answered) == {f"老师{number:02d}" for number in range(TEACHERS)}, "every check-in answered"
    # The one repeat the platform allows: a reply the killed worker had sent but not yet recorded as
    # delivered is sent again by the survivor (Telegram has no idempotency key for sendMessage).
    repeated = {name for name, count in answered.items() if count > 1}
    assert all(answered[name] == 2 for name in repeated)
    assert all(int(name[2:]) % 2 == 1 for name in repeated), "only updates the killed worker was handling"
    assert len(reminders(api, 2)) == len(set(reminders(api, 2))) == 3 * len(GROUPS)
    assert workers[1].returncode == -signal.SIGKILL
    engine = make_engine(postgres_url)
    try:
        async with make_session_factory(engine)() as session:
            assert await session.scalar(select(func.count()).select_from(CheckIn)) == TEACHERS
            unsent = await session.scalar(
                select(func.count()).select_from(OutboxEntry).where(OutboxEntry.sent_at.is_(None)))
            assert unsent == 0
    finally:
        await engine.dispose()
