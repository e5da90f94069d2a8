"""The adapter contract: the same conversation on every platform, through its real adapter and a
protocol-faithful fake of the platform on 127.0.0.1. A teacher joins, checks in and sends a
reflection with a photo; the group gets a session reminder and a score announcement; a
redelivered event stores nothing twice; a forged event is refused; a dropped connection resumes."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from reminders.scheduler import session_env
from reminders.planner import sweep
from storage.models import CheckIn, Record
from tests.conftest import SHANGHAI
from tests.contract.peers import (
    ConsolePeer,
    DingTalkPeer,
    OneBotPeer,
    OneBotReversePeer,
    Peer,
    TelegramPeer,
    TelegramWebhookPeer,
    WeComBotPeer,
    WeComPeer,
)

PEERS = [
    ConsolePeer, TelegramPeer, TelegramWebhookPeer, OneBotPeer, OneBotReversePeer, WeComPeer, WeComBotPeer,
    DingTalkPeer,
]
REFLECTION = (
    "反思：今天《分数的初步认识》一课，我先用分披萨的情境导入，学生兴趣很高，但在比较分数大小时讲得太快，"
    "部分学生没有跟上，下次要多留时间让学生动手操作。"
)


@pytest.fixture(params=PEERS, ids=lambda peer: peer.__name__.removesuffix("Peer").lower())
async def peer(request, sqlite_url, clock):
    async with request.param(sqlite_url, clock) as running:
        yield running


async def rows(peer: Peer, model) -> list:
    async with peer.app.session_factory() as session:
        return list(await session.scalars(select(model)))


async def test_a_teacher_joins_checks_in_and_sends_a_reflection_with_a_photo(peer):
    assert "登记成功：王芳" in (await peer.say("wang", "/join 王芳 紫阳县第二小学"))[0]
    assert "王芳老师签到成功" in (await peer.say("wang", "签到"))[0]
    stored = await peer.say("wang", REFLECTION, photo=True)
    assert stored[0].startswith("已记录 #1：11月第1篇教学反思") and "附件" in stored[0]
    [record] = await rows(peer, Record)
    assert record.kind == "reflection" and len(record.attachments) == 1
    assert await peer.say("wang", "收到，谢谢！") == []


async def test_the_group_gets_the_session_reminder_and_the_score_announcement(peer):
    await peer.say("wang", "/join 王芳 紫阳县第二小学")
    await peer.say("office", "/join 教研室 紫阳县第二小学")
    scheduled = await peer.say("office", "/session new 11月25日 19:00 | 60 | 单元整体教学设计 | 教研室")
    assert scheduled[0].startswith("已安排网络研讨：#1")
    peer.clock.set(datetime(2026, 11, 24, 19, 0, tzinfo=SHANGHAI))
    app = peer.app
    await sweep(app.session_factory, app.dispatcher.delivery, session_env(app), peer.clock)
    await peer.wait_for(lambda seen: any(s.text.startswith("⏰ 1天后开始网络研讨：#1") for s in seen))
    reminder = next(s for s in peer.seen() if s.text.startswith("⏰"))
    assert reminder.chat == peer.group_chat_id
    preview = await peer.say("office", "/announce")
    assert preview[0].startswith("预览：将向1个群发布成绩公示")
    replies = await peer.say("office", "确认")
    assert "成绩公示已发到1个群" in replies[0]
    announcement = [s for s in peer.seen() if s.text.startswith("📊 紫阳县第二小学 成绩公示")]
    assert announcement and announcement[0].chat == peer.group_chat_id and "王芳" in announcement[0].text


async def test_a_redelivered_event_stores_nothing_twice(peer):
    if isinstance(peer, ConsolePeer):
        pytest.skip("a console line is never delivered twice")
    await peer.say("wang", "/join 王芳 紫阳县第二小学")
    handle = await peer.post("wang", "签到")
    await peer.wait_for(lambda seen: any("签到成功" in s.text for s in seen))
    await peer.redeliver(handle)
    assert await peer.say("wang", "收到") == []
    assert sum("签到成功" in s.text for s in peer.seen()) == 1
    assert len(await rows(peer, CheckIn)) == 1


async def test_a_forged_event_is_refused(peer):
    refused = await peer.forged_is_rejected()
    if refused is None:
        pytest.skip(f"{peer.platform} takes no events from outside this process' own connection")
    assert refused is True
    assert len(await rows(peer, CheckIn)) == 0


async def test_a_dropped_connection_is_resumed(peer):
    if not peer.has_connection:
        pytest.skip(f"{peer.platform} keeps no connection that could drop")
    await peer.say("wang", "/join 王芳 紫阳县第二小学")
    await peer.drop_connection()
    assert "签到成功" in (await peer.say("wang", "签到"))[0]
