from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.kernel.adapter import Capabilities
from bot.adapters.memory import MemoryAdapter
from bot.ops.app import build
from bot.kernel.clock import FixedClock
from bot.ops.config import Settings
from bot.domain.policy import Checkins, Policy
from storage.db import make_engine
from storage.migrate import upgrade
from tests.support.chat import ChatHarness
from tests.support.pg_fixtures import postgres_server, postgres_url  # noqa: F401

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def clock() -> FixedClock:
    """Monday 2026-11-23, 10:00 in Shanghai."""
    return FixedClock(datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'yanxiu.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """Each storage test runs on SQLite and on the throwaway PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'yanxiu.db'}"
    return request.getfixturevalue("postgres_url")


def make_settings(database_url: str, **overrides) -> Settings:
    overrides.setdefault("files_dir", tempfile.mkdtemp(prefix="yanxiu-files-"))
    return Settings(_env_file=None, platform="console", database_url=database_url, **overrides)


@pytest.fixture
async def chat(sqlite_url, clock) -> AsyncIterator[ChatHarness]:
    async with open_chat(sqlite_url, clock) as harness:
        yield harness


@pytest.fixture
async def chat_any_db(database_url, clock) -> AsyncIterator[ChatHarness]:
    async with open_chat(database_url, clock) as harness:
        yield harness


@asynccontextmanager
async def open_chat(
    url: str, clock: FixedClock, *, policy: Policy | None = None, capabilities: Capabilities | None = None
) -> AsyncIterator[ChatHarness]:
    """A bot on `url` behind a memory adapter; opening a second one on the same url is a restart."""
    engine = make_engine(url)
    await upgrade(engine)
    adapter = MemoryAdapter(capabilities=capabilities)
    # Conversation tests read the bot's wording: check-ins in groups are answered with a reply here
    # (quiet acknowledgements have their own tests).
    policy = policy or Policy(checkins=Checkins(acknowledge="reply"))
    app = build(
        make_settings(url, admins="memory:admin"), adapter, clock=clock, engine=engine, policy=policy
    )
    try:
        yield ChatHarness(app, adapter, clock)
    finally:
        await app.close()
