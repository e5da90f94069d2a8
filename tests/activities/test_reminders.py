"""An activity's unit hears about it before it starts: a day before, an hour before (the type's
`remind_before_minutes`), each once however often the scheduler runs; a cancelled one is not recalled."""

from __future__ import annotations

from datetime import datetime

from reminders.planner import sweep
from reminders.scheduler import session_env
from tests.activities.conftest import WORKSHOP_CHAT
from tests.conftest import SHANGHAI

LINE = "/activity new 集体备课 11月25日 15:00 | 90 | 秋天的雨 | 第一组"


async def tick(chat) -> list[str]:
    before = len(chat.adapter.sent)
    app = chat.app
    await sweep(app.session_factory, app.dispatcher.delivery, session_env(app), chat.clock)
    return [m.text for m in chat.adapter.sent[before:] if m.chat.chat_id == WORKSHOP_CHAT]


async def test_reminders_go_to_the_units_chat_once_each(groups):
    chat = groups.chat
    await groups.say(LINE, user="lead1", chat="elsewhere")
    await groups.say("/activity new 集体备课 11月26日 15:00 | 90 | 落花生 | 第一组", user="lead1", chat="elsewhere")
    await groups.say("/activity cancel 2 改期", user="lead1", chat="elsewhere")
    chat.clock.set(datetime(2026, 11, 24, 15, 1, tzinfo=SHANGHAI))
    [day_before] = await tick(chat)
    assert day_before.startswith("⏰ 1天后开始：#1 集体备课《秋天的雨》11月25日（周三）15:00–16:30 · 第一组")
    assert await tick(chat) == []
    chat.clock.set(datetime(2026, 11, 25, 14, 0, tzinfo=SHANGHAI))
    [hour_before] = await tick(chat)
    assert hour_before.startswith("⏰ 1小时后开始：#1")
    chat.clock.set(datetime(2026, 11, 25, 15, 0, tzinfo=SHANGHAI))
    assert await tick(chat) == [], "no reminder at the start for this type, none for the cancelled #2 (due now)"


async def test_a_started_activity_its_host_forgot_is_ended_at_its_planned_time(groups):
    chat = groups.chat
    await groups.say(LINE, user="lead1", chat="elsewhere")
    chat.clock.set(datetime(2026, 11, 25, 15, 0, tzinfo=SHANGHAI))
    await groups.say("/activity start 1", user="lead1", chat="elsewhere")
    for user in ("a1", "a2", "a3", "a4"):
        await chat.say("签到", user=user, private=True)
    chat.clock.set(datetime(2026, 11, 25, 18, 29, tzinfo=SHANGHAI))
    assert await tick(chat) == [], "two hours' grace after the planned end"
    chat.clock.set(datetime(2026, 11, 25, 18, 31, tzinfo=SHANGHAI))
    [closed] = await tick(chat)
    assert closed.splitlines()[:3] == [
        "活动 #1 过了计划结束时间还没有结束，已按计划时间自动结束：",
        "✅ 集体备课 #1《秋天的雨》计入次数：时长90分钟，到场率83%。",
        "到场：王组长、甲老师、乙老师、丙老师、丁老师",
    ]
    assert await tick(chat) == []
    chat.clock.set(datetime(2026, 11, 26, 8, 0, tzinfo=SHANGHAI))
    assert "集体备课" not in await chat.one("签到", user="a5", private=True)
