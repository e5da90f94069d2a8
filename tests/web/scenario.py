"""A small program for the dashboard tests: two schools, a coordinator, a school's 组长, teachers
with and without records, and a /join waiting for approval — all made through the chat."""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.adapters.memory import MemoryAdapter
from bot.kernel.clock import FixedClock
from bot.ops.app import build
from bot.web.server import DashboardServer
from storage.db import make_engine
from storage.migrate import upgrade
from tests.conftest import make_settings
from tests.support.chat import ChatHarness

BASE_SCHOOL = "紫阳县第二小学"
PARTNER_SCHOOL = "紫阳中学"
SECRET = "dashboard-secret-for-the-tests"
REFLECTION = "反思：分数的初步认识。" + "今天的课上学生对等分的理解还不够，" * 4
CASE = "案例：小组合作学习。" + "通过小组合作，学生在讨论中逐步理解了问题，" * 4
LINK = re.compile(r"https?://\S+/dashboard/login\?t=\S+")


@dataclass
class Program:
    chat: ChatHarness
    server: DashboardServer
    member_ids: dict[str, int]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    async def link_for(self, user: str) -> str:
        reply = await self.chat.one("/dashboard", user=user, private=True)
        found = LINK.search(reply)
        assert found, reply
        return found.group(0)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@asynccontextmanager
async def open_program(
    url: str, clock: FixedClock, seeding: Callable[[ChatHarness], Awaitable[dict]] | None = None,
) -> AsyncIterator[Program]:
    """The bot behind a memory adapter with its dashboard served on 127.0.0.1, and the program seeded."""
    engine = make_engine(url)
    await upgrade(engine)
    port = free_port()
    settings = make_settings(url, admins="memory:admin", dashboard_url=f"http://127.0.0.1:{port}",
                             dashboard_port=port, dashboard_secret=SECRET)
    adapter = MemoryAdapter()
    app = build(settings, adapter, clock=clock, engine=engine)
    server = app.dashboard_server()
    await server.start()
    chat = ChatHarness(app, adapter, clock)
    try:
        yield Program(chat, server, await (seeding or seed)(chat))
    finally:
        await server.stop()
        await app.close()


async def seed(chat: ChatHarness) -> dict[str, int]:
    ids = {"教研室": await chat.join("coord", "教研室", BASE_SCHOOL)}
    assert "已授予" in await chat.one("/grant 教研室 协调员", user="admin")
    for user, name, school in (("u1", "王芳", BASE_SCHOOL), ("u2", "李明", BASE_SCHOOL),
                               ("u3", "陈静", PARTNER_SCHOOL), ("u4", "刘洋", PARTNER_SCHOOL)):
        ids[name] = await chat.join(user, name, school)
    ids["周老师"] = await chat.join("lead", "周老师", PARTNER_SCHOOL, roles=("teacher", "leader"))
    for user in ("u1", "u2"):
        assert "已记录" in await chat.one(REFLECTION, user=user)
        assert "已记录" in await chat.one(CASE, user=user)
    assert "编号 #1" in await chat.one(f"/join 赵强 {BASE_SCHOOL}", user="u9", private=True)
    return ids
