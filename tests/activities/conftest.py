"""Two study groups of one workshop, each with its 组长, and a program that asks every group for a
集体备课 each fortnight (seed 001: 每两周举行一次小组研讨), with the workshop's chat bound."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.domain.policy import ActivityRule, Checkins, Policy
from tests.conftest import open_chat
from tests.support.chat import ChatHarness

WORKSHOP_CHAT = "group-workshop"
PREPARATION = ActivityRule(
    name="集体备课", keywords=["备课"], unit="group", hosts=["leader"], min_minutes=60, min_present_share=0.8,
    late_after_minutes=10, count=1, per="fortnight", hours=2, hours_category="校本", absence_points=-2,
)
POLICY = Policy(checkins=Checkins(acknowledge="reply"), activities=[PREPARATION])
FIRST_GROUP = {"lead1": "王组长", "a1": "甲老师", "a2": "乙老师", "a3": "丙老师", "a4": "丁老师", "a5": "戊老师"}


@dataclass
class Groups:
    chat: ChatHarness

    async def say(self, text: str, user: str, **options) -> list[str]:
        return await self.chat.say(text, user=user, chat=options.pop("chat", WORKSHOP_CHAT), **options)


async def make_groups(chat: ChatHarness) -> Groups:
    await chat.join("coord", "教研室", roles=("coordinator",))
    await chat.one("/workshop add 小学语文工作坊 语文", user="coord")
    for group in ("第一组", "第二组"):
        assert "已添加小组" in await chat.one(f"/group add {group} 小学语文工作坊", user="coord")
    members = {**FIRST_GROUP, "lead2": "李组长", "b1": "赵老师"}
    for user, name in members.items():
        roles = ("teacher", "leader") if user.startswith("lead") else ("teacher",)
        await chat.join(user, name, roles=roles)
        group = "第二组" if user in ("lead2", "b1") else "第一组"
        assert "小组设为" in await chat.one(f"/assign {name} 小组 {group}", user="coord")
        await chat.one(f"/assign {name} 工作坊 小学语文工作坊", user="coord")
    assert "已将本群绑定" in await chat.one("/bind workshop 小学语文工作坊", user="coord", chat=WORKSHOP_CHAT)
    return Groups(chat)


@pytest.fixture
async def groups(sqlite_url, clock):
    async with open_chat(sqlite_url, clock, policy=POLICY) as chat:
        yield await make_groups(chat)
