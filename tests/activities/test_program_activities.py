"""A program-wide activity whose roll is only some roles (导师会: the mentors), announced in the
program's chat, with the roll taken by the coordinator and nobody started it."""

from __future__ import annotations

from datetime import datetime

from bot.domain.policy import ActivityRule, Checkins, Policy
from storage.models import Activity
from tests.conftest import SHANGHAI, open_chat

MEETING = ActivityRule(name="导师会", unit="program", hosts=["coordinator"], attendee_roles=["mentor"],
                       min_minutes=60, min_present_share=1.0, count=1, per="month")
POLICY = Policy(name="培育站", checkins=Checkins(acknowledge="reply"), activities=[MEETING])


async def test_only_the_named_roles_are_on_a_program_activitys_roll(sqlite_url, clock):
    async with open_chat(sqlite_url, clock, policy=POLICY) as chat:
        await chat.join("coord", "教研室", roles=("coordinator",))
        for user, name, roles in (("m1", "张导师", ("teacher", "mentor")), ("m2", "刘导师", ("mentor",)),
                                  ("t1", "王芳", ("teacher",))):
            await chat.join(user, name, roles=roles)
        assert "已将本群绑定" in await chat.one("/bind program", user="coord", chat="program-chat")
        replies = await chat.say("/activity new 导师会 11月24日 16:00 | 60 | 期中研讨", user="coord", private=True)
        assert replies[0].startswith("已安排活动：#1 导师会《期中研讨》11月24日（周二）16:00–17:00 · 培育站 · 主持教研室")
        assert chat.adapter.sent[-1].chat.chat_id == "program-chat"
        clock.set(datetime(2026, 11, 24, 17, 5, tzinfo=SHANGHAI))
        await chat.say("/activity roll 1 张导师 王芳", user="coord", private=True)
        result = (await chat.say("/activity end 1", user="coord", private=True))[0].splitlines()
        assert result == [
            "⚠️ 导师会 #1《期中研讨》不计入次数：时长60分钟，到场率50%。",
            "到场：张导师、王芳",
            "缺席：刘导师",
            "· 到场率50%，不足100%",
        ]
        [row] = await chat.rows(Activity)
        assert row.verdict["guests"] and row.unit_id is None and row.counted is False
        assert "⚠️ 导师会 · 培育站：本月（11.1–11.30）0/1次" in await chat.one("/activities", user="t1")
