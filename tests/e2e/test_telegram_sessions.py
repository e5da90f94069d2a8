"""A whole online session on the fake Bot API: set-up, scheduling, the reminder, attendance in the
groups, the result, and the summary from the writer's private chat to both school groups."""

from __future__ import annotations

from datetime import datetime

from bot.kernel.clock import FixedClock
from reminders.scheduler import session_env
from reminders.planner import sweep
from tests.conftest import SHANGHAI
from tests.e2e.test_telegram import api, running_bot, say  # noqa: F401 (api is a fixture)

BASE_GROUP, PARTNER_GROUP, OFFICE = -100123, -100200, 900
BASE, PARTNER = "紫阳县第二小学", "紫阳中学"
HOST = 700
BASE_TEACHERS = {701 + i: f"基地{i + 1}号" for i in range(5)}
PARTNER_TEACHERS = {801 + i: f"合作{i + 1}号" for i in range(5)}
ROSTER = (
    ("王芳", BASE, ("teacher", "host"), HOST),
    *((name, BASE, ("teacher",), user) for user, name in BASE_TEACHERS.items()),
    *((name, PARTNER, ("teacher",), user) for user, name in PARTNER_TEACHERS.items()),
)


async def test_a_session_from_scheduling_to_the_published_summary(api, sqlite_url):
    clock = FixedClock(datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI))

    async def at_clock(text: str, user: int, chat: int) -> list[str]:
        return await say(api, text, user=user, chat=chat, date=int(clock.now().timestamp()))

    def sent_to(chat: int, since: int) -> list[str]:
        return [m["text"] for m in api.sent[since:] if m["chat_id"] == chat]

    async with running_bot(api, sqlite_url, clock=clock, roster=ROSTER, admins=f"telegram:{OFFICE}") as app:
        await at_clock(f"/school role {BASE} 基地校", OFFICE, BASE_GROUP)
        await at_clock(f"/school role {PARTNER} 帮扶校", OFFICE, BASE_GROUP)
        assert "已将本群绑定" in (await at_clock(f"/bind school {BASE}", OFFICE, BASE_GROUP))[0]
        assert "已将本群绑定" in (await at_clock(f"/bind school {PARTNER}", OFFICE, PARTNER_GROUP))[0]
        await at_clock(f"/join 王芳 {BASE}", HOST, BASE_GROUP)
        for user, name in BASE_TEACHERS.items():
            assert "登记成功" in (await at_clock(f"/join {name} {BASE}", user, BASE_GROUP))[0]
        for user, name in PARTNER_TEACHERS.items():
            assert "登记成功" in (await at_clock(f"/join {name} {PARTNER}", user, PARTNER_GROUP))[0]

        before = len(api.sent)
        scheduled = (await at_clock("/session new 11月25日 19:00 | 60 | 单元整体教学设计 | 王芳 | 腾讯会议 123",
                                    OFFICE, BASE_GROUP))[0]
        assert scheduled.startswith("已安排网络研讨：#1 11月25日（周三）19:00–20:00")
        assert sent_to(PARTNER_GROUP, before)[0].startswith("📅 新的网络研讨：#1")

        env = session_env(app)
        clock.set(datetime(2026, 11, 24, 19, 0, tzinfo=SHANGHAI))
        before = len(api.sent)
        assert await sweep(app.session_factory, app.dispatcher.delivery, env, clock) == 2  # one per group
        assert sent_to(BASE_GROUP, before)[0].startswith("⏰ 1天后开始网络研讨：#1")
        assert sent_to(PARTNER_GROUP, before)[0].startswith("⏰ 1天后开始网络研讨：#1")

        clock.set(datetime(2026, 11, 25, 19, 1, tzinfo=SHANGHAI))
        [host_here] = await at_clock("/here", HOST, BASE_GROUP)
        assert host_here.startswith("王芳已到场：网络研讨 #1（19:01，迟到1分钟）")
        for user in BASE_TEACHERS:
            [checked_in] = await at_clock("签到", user, BASE_GROUP)
            assert "签到成功" in checked_in and "已到场：网络研讨 #1" in checked_in
        for user in PARTNER_TEACHERS:
            await at_clock("/here", user, PARTNER_GROUP)

        clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=SHANGHAI))
        before = len(api.sent)
        await sweep(app.session_factory, app.dispatcher.delivery, env, clock)
        [result, request] = sent_to(PARTNER_GROUP, before)
        assert result.startswith("✅ 网络研讨 #1《单元整体教学设计》有效：时长60分钟")
        assert "紫阳县第二小学 6/5人；紫阳中学 5/5人" in result
        writer = next(user for user, name in PARTNER_TEACHERS.items() if f"请{name}老师撰写" in request)
        assert any(m["chat_id"] == writer for m in api.sent[before:]), "the writer is told privately"

        summary = "本次研讨围绕单元整体教学设计展开，两校老师展示了课例，讨论了目标分解与评价任务。"
        received = (await at_clock(f"/summary 1 {summary}", writer, writer))[0]
        assert received.startswith("已收到 #1 的纪要")
        assert any(m["chat_id"] == HOST and "/approve_summary 1" in m["text"] for m in api.sent)
        before = len(api.sent)
        approved = (await at_clock("/approve_summary 1", HOST, HOST))[0]
        assert approved == "已通过 #1 的纪要，已发布到各校群。"
        for chat in (BASE_GROUP, PARTNER_GROUP):
            [published] = sent_to(chat, before)
            assert published.startswith("📄 网络研讨纪要：#1") and summary in published
