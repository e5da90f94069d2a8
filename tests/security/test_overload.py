"""Finding 8: when the connection pool is exhausted, the dispatcher answers and returns; no pool
timeout escapes to the adapter (which would drop the update's lane or crash the worker)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from bot.adapters.memory import MemoryAdapter
from bot.ops.app import build
from storage.migrate import upgrade
from tests.conftest import make_settings
from tests.support.chat import ChatHarness


class PoolGrabbingAdapter(MemoryAdapter):
    """Sends normally, then (once armed) takes the pool's only connection, as a burst of other
    updates would at that moment."""

    def __init__(self) -> None:
        super().__init__()
        self.engine = None
        self.armed = False
        self.held = []

    async def send(self, message) -> None:
        await super().send(message)
        if self.armed:
            self.armed = False
            self.held.append(await self.engine.connect())


@pytest.fixture
async def starved(sqlite_url, clock):
    engine = create_async_engine(sqlite_url, pool_size=1, max_overflow=0, pool_timeout=0.5, hide_parameters=True)
    await upgrade(engine)
    adapter = PoolGrabbingAdapter()
    adapter.engine = engine
    app = build(make_settings(sqlite_url, admins="memory:admin"), adapter, clock=clock, engine=engine)
    try:
        yield ChatHarness(app, adapter, clock), adapter
    finally:
        for connection in adapter.held:
            await connection.close()
        await app.close()


async def test_a_pool_timeout_after_the_reply_does_not_escape(starved):
    chat, adapter = starved
    await chat.join("u1", "王芳")
    adapter.armed = True
    replies = await chat.say("签到", user="u1")  # raised sqlalchemy's TimeoutError before
    assert len(replies) == 1 and "签到" in replies[0] and "没有保存" not in replies[0]


async def test_a_pool_timeout_before_the_work_is_answered_politely(starved):
    chat, adapter = starved
    await chat.join("u1", "王芳")
    adapter.held.append(await adapter.engine.connect())
    replies = await chat.say("签到", user="u1")
    assert len(replies) == 1 and "没有保存" in replies[0]
