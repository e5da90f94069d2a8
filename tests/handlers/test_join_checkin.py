"""Joining, checking in and /me through the dispatcher, on a real database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy import text as sql

from bot.kernel.messages import Attachment, AttachmentKind
from storage.models import Account, CheckIn, HandledMessage, Member, School


async def count(chat, model) -> int:
    async with chat.app.session_factory() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_start_explains_and_asks_to_join(chat):
    reply = await chat.one("/start")
    assert "研修助手" in reply and "/join" in reply and "/checkin" in reply


async def test_join_then_checkin_then_me(chat_any_db):
    chat = chat_any_db
    await chat.enrol("王芳", account="u1")
    assert "登记成功：王芳，紫阳县第二小学" in await chat.one("/join 王芳 紫阳县第二小学")
    assert "签到成功（11月23日）" in await chat.one("签到")
    me = await chat.one("/me")
    assert "王芳（紫阳县第二小学）" in me and "11月签到 1 天" in me and "连续签到 1 天" in me
    assert await count(chat, CheckIn) == 1


async def test_joining_again_changes_nothing_and_identity_is_not_self_service(chat):
    await chat.join("u1", "王芳")
    assert "已经登记过了" in await chat.one("/join 王芳 紫阳县第二小学")
    refused = await chat.one("/join 王芳 | 紫阳县 实验小学")
    assert "您已登记为 王芳（紫阳县第二小学）" in refused and "联系协调员" in refused
    assert await count(chat, Member) == 1
    assert await count(chat, Account) == 1
    assert await count(chat, School) == 1


async def test_second_checkin_same_day_is_kind_and_not_stored(chat):
    await chat.join("u1", "王芳")
    await chat.one("签到")
    chat.clock.advance(hours=3)
    reply = await chat.one("/checkin")
    assert "已经签到过了（10:00）" in reply
    assert await count(chat, CheckIn) == 1


async def test_day_boundary_is_shanghai_midnight(chat):
    await chat.join("u1", "王芳")
    chat.clock.advance(hours=13, minutes=59)  # 23:59 Shanghai, 15:59 UTC
    assert "11月23日" in await chat.one("签到")
    chat.clock.advance(minutes=2)  # 00:01 Shanghai on the 24th, still the 23rd in UTC
    reply = await chat.one("签到")
    assert "11月24日" in reply and "连续签到 2 天" in reply
    assert await count(chat, CheckIn) == 2


async def test_streak_survives_the_weekend(chat):
    await chat.join("u1", "王芳")
    chat.clock.advance(days=-3)  # Friday 20th
    await chat.one("签到")
    chat.clock.advance(days=3)  # Monday 23rd
    assert "连续签到 2 天" in await chat.one("签到")


async def test_checkin_shapes_teachers_write(chat):
    await chat.join("u1", "王芳")
    shapes = ["打卡", "已签到", "王芳签到", "签到 今天参加了集体备课", "#打卡 第12天", "＃签到"]
    for text in shapes:
        chat.clock.advance(days=1)
        reply = await chat.one(text)
        assert "签到成功" in reply, (text, reply)
    async with chat.app.session_factory() as session:
        notes = list(await session.scalars(select(CheckIn.note).order_by(CheckIn.day)))
    assert notes[3] == "今天参加了集体备课" and notes[4] == "第12天"


async def test_checkin_for_someone_else_is_refused(chat):
    await chat.join("u1", "王芳")
    await chat.enrol("李明")
    assert "只能为自己" in await chat.one("李明签到")
    assert await count(chat, CheckIn) == 0


async def test_chatter_in_group_is_silent(chat):
    await chat.join("u1", "王芳")
    for text in ["收到", "好的👍", "谢谢王老师！", "[图片]", "@李明 明天的课表发一下", "签到表在哪里下载？"]:
        assert await chat.say(text) == [], text
    assert await count(chat, CheckIn) == 0


async def test_unregistered_teacher_is_asked_to_join(chat):
    assert "/join" in await chat.one("签到", user="stranger")
    assert "/join" in await chat.one("/me", user="stranger")
    assert await count(chat, CheckIn) == 0


async def test_redelivered_message_is_answered_once_and_stored_once(chat):
    await chat.join("u1", "王芳")
    message = chat.message("签到", message_id="777")
    assert len(await chat.send(message)) == 1
    assert await chat.send(message) == []
    assert await count(chat, CheckIn) == 1
    assert await count(chat, HandledMessage) == 2


async def test_undelivered_replies_are_sent_again_on_redelivery(chat):
    await chat.join("u1", "王芳")
    message = chat.message("签到", message_id="778")
    chat.adapter.fail_next = True
    first = await chat.send(message)
    assert first == []  # the send failed after the check-in was committed
    retry = await chat.send(message)
    assert len(retry) == 1 and "签到成功" in retry[0]
    assert await count(chat, CheckIn) == 1


async def test_replies_stored_but_never_sent_go_out_on_the_next_start_once(chat):
    """A platform told the message was handled (stored) will not deliver it again: the next start sends
    its stored reply, once; older than the window, it is left alone."""
    await chat.join("u1", "王芳")
    await chat.join("u2", "李明")
    chat.adapter.fail_next = True
    assert await chat.send(chat.message("签到", message_id="779")) == []  # stored; the send failed
    dispatcher = chat.app.dispatcher
    before = len(chat.adapter.sent)
    assert await dispatcher.answer_unanswered() == 1
    await dispatcher.settle()
    [resent] = chat.adapter.sent[before:]
    assert "王芳老师签到成功" in resent.text and resent.chat.chat_id == "group-1"
    assert await dispatcher.answer_unanswered() == 0, "answered once"
    assert await chat.send(chat.message("签到", message_id="779")) == [], "a late redelivery is a duplicate"

    chat.adapter.fail_next = True
    assert await chat.send(chat.message("签到", user="u2", message_id="780")) == []
    chat.clock.advance(hours=7)
    assert await dispatcher.answer_unanswered() == 0, "a reply hours stale is not sent any more"
    assert await count(chat, CheckIn) == 2


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("/join", "用法：/join 姓名 学校"),
        ("/join 王芳", "用法：/join 姓名 学校"),
        ("/join " + "王" * 3000 + " 紫阳县第二小学", "内容太长了"),
        ("/join 12345 紫阳县第二小学", "姓名里至少要有文字"),
        ("/join 王芳 " + "紫" * 51, "学校名称太长了"),
        ("/join 王芳 校", "学校名称太短了"),
        ("/join 王芳王芳王芳王芳王芳王芳王芳王芳王芳王芳王 紫阳县第二小学", "姓名太长了"),
    ],
)
async def test_bad_join_input_is_explained_and_stores_nothing(chat, text, reason):
    assert reason in await chat.one(text)
    assert await count(chat, Member) == 0 and await count(chat, School) == 0


async def test_stickers_are_ignored_in_groups_and_explained_in_private(chat):
    sticker = (Attachment(AttachmentKind.STICKER, "sticker-1"),)
    assert await chat.say("", attachments=sticker) == []
    assert "没有说明文字" in await chat.one("", attachments=sticker, private=True)


async def test_a_failure_is_a_polite_reply_a_logged_traceback_and_no_partial_row(chat, caplog):
    await chat.join("u1", "王芳")
    async with chat.app.engine.begin() as connection:
        await connection.execute(sql("DROP TABLE checkins"))
    reply = await chat.one("签到")
    assert reply.startswith("抱歉，处理这条消息时出了点问题，内容没有保存")
    error_id = reply.split("错误编号 ")[1].split(" ")[0]
    logged = [r for r in caplog.records if r.name == "yanxiu.dispatch" and error_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None
    assert "Traceback" not in reply
    assert await count(chat, HandledMessage) == 1  # only the /join: the failed message may be retried
