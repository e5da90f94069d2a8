"""A partnership ready for online sessions: a base school and a partner school, five teachers each
with chat accounts, a host, a coordinator, and one group chat bound to each school."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from reminders.scheduler import session_env
from reminders.planner import sweep
from tests.support.chat import ChatHarness

BASE, PARTNER = "紫阳县第二小学", "紫阳中学"
BASE_GROUP, PARTNER_GROUP = "group-base", "group-partner"


@dataclass
class Partnership:
    chat: ChatHarness
    base: list[str]
    partner: list[str]

    async def sweep(self) -> list:
        """One scheduler tick at the harness clock; returns what went out."""
        before = len(self.chat.adapter.sent)
        app = self.chat.app
        await sweep(app.session_factory, app.dispatcher.delivery, session_env(app), self.chat.clock)
        return self.chat.adapter.sent[before:]

    async def everyone_here(self, users: list[str]) -> None:
        for user in users:
            group = BASE_GROUP if user.startswith("b") or user == "host" else PARTNER_GROUP
            reply = await self.chat.one("/here", user=user, chat=group)
            assert "已到场" in reply, reply


async def make_partnership(chat: ChatHarness) -> Partnership:
    await chat.join("coord", "教研室", BASE, roles=("coordinator",))
    await chat.join("host", "王芳", BASE, roles=("teacher", "host"))
    base = [f"b{i}" for i in range(1, 6)]
    partner = [f"p{i}" for i in range(1, 6)]
    for number, user in enumerate(base, 1):
        await chat.join(user, f"基地{number}号", BASE)
    for number, user in enumerate(partner, 1):
        await chat.join(user, f"合作{number}号", PARTNER)
    assert "基地校" in await chat.one(f"/school role {BASE} 基地校", user="coord")
    assert "帮扶校" in await chat.one(f"/school role {PARTNER} 帮扶校", user="coord")
    assert "已将本群绑定" in await chat.one(f"/bind school {BASE}", user="coord", chat=BASE_GROUP)
    assert "已将本群绑定" in await chat.one(f"/bind school {PARTNER}", user="coord", chat=PARTNER_GROUP)
    return Partnership(chat, base, partner)


@pytest.fixture
async def partnership(chat) -> Partnership:
    return await make_partnership(chat)
