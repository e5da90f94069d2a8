"""The whole bot through python-telegram-bot's real HTTP path, against a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from docx import Document
from sqlalchemy import select

from bot.ops.platforms import telegram_adapter
from bot.ops.app import Yanxiu, build, prepare_database
from bot.kernel.clock import Clock
from bot.ops.config import Settings
from bot.domain.policy import Checkins, Policy, Semester
from storage.models import CheckIn, Record
from tests.fakes.telegram_api import (
    FakeBotApi,
    callback_query_update,
    document_update,
    photo_update,
    text_message_update,
)
from tests.support.roster import enrol

GROUP, WANG, LI = -100123, 501, 502
ROSTER = {"王芳": WANG, "李明": LI}
"""Names on the roster with the Telegram account the roster names for them."""
REFLECTION = (
    "今天《分数的初步认识》一课，我先用分披萨的情境导入，学生兴趣很高，但在比较分数大小时讲得太快，"
    "部分学生没有跟上，下次要多留时间让学生动手操作。"
)

REPLY = Checkins(acknowledge="reply")  # these conversations read each check-in's reply


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token="4242:TEST") as fake:
        yield fake


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@asynccontextmanager
async def running_bot(
    api: FakeBotApi, database_url: str, *, clock: Clock | None = None,
    roster: tuple[tuple, ...] = (), checkins: Checkins = REPLY, **settings,
) -> AsyncIterator[Yanxiu]:
    """The whole bot on the fake Bot API; `roster` (name, school, roles[, Telegram user id]) is on the
    roster before it starts, with the account column a program office would fill in."""
    config = Settings(
        _env_file=None, telegram_token=api.token, telegram_base_url=api.base_url,
        database_url=database_url, **settings,
    )
    adapter = telegram_adapter(config)
    adapter.poll_timeout = 1
    today = (clock.now() if clock else datetime.now(UTC)).date()
    semester_around_today = Semester(start=today - timedelta(days=60), end=today + timedelta(days=60))
    app = build(config, adapter, clock=clock, policy=Policy(semester=semester_around_today, checkins=checkins))
    await prepare_database(app.engine)
    for name, school, roles, *account in roster or tuple(
            (name, "紫阳县第二小学", ("teacher",), user) for name, user in ROSTER.items()):
        telegram = ("telegram", str(account[0])) if account else None
        await enrol(app.session_factory, name, school, datetime.now(UTC), roles, account=telegram)
    task = asyncio.create_task(app.run())
    try:
        await asyncio.sleep(0.2)
        yield app
    finally:
        await adapter.stop()
        await asyncio.wait_for(task, 15)
        await app.close()


async def say(api: FakeBotApi, text: str, user: int = WANG, chat: int = GROUP, **options) -> list[str]:
    """Inject a message and return the texts sent in answer to it (waits for a marker to be sure of silence)."""
    before = len(api.sent)
    chat_type = "private" if chat > 0 else "supergroup"
    api.push_update(text_message_update(chat, user, text, chat_type=chat_type, **options))
    api.push_update(text_message_update(chat, user, "/help", chat_type=chat_type))
    sent = await api.wait_for_sent(before + 1, timeout=10)
    while not (sent[-1]["text"] or "").startswith("研修助手可以做这些事"):
        sent = await api.wait_for_sent(len(sent) + 1, timeout=10)
    return [item["text"] for item in sent[before:-1]]


async def rows(app: Yanxiu, model):
    async with app.session_factory() as session:
        return list(await session.scalars(select(model)))


async def test_join_checkin_me_in_a_group(api, sqlite_url):
    async with running_bot(api, sqlite_url) as app:
        [joined] = await say(api, "/join 王芳 紫阳县第二小学")
        assert joined == "登记成功：王芳，紫阳县第二小学。现在可以签到了，发送“签到”或 /checkin。"
        [checked] = await say(api, "签到")
        assert "王芳老师签到成功" in checked
        [me] = await say(api, "/me@yanxiu_test_bot")
        assert "王芳（紫阳县第二小学）" in me and "签到 1 天" in me
        assert await say(api, "收到") == []
        assert await say(api, "/checkin@another_bot") == []
        [menu] = [call for call in api.calls_of("setMyCommands") if not call.get("scope")]
        assert {"command": "checkin", "description": "每日签到（也可直接发“签到”）"} in menu["commands"]
        reply = [s for s in api.sent if "签到成功" in (s["text"] or "")][0]
        assert reply["chat_id"] == GROUP and reply["reply_to_message_id"] is not None
        assert len(await rows(app, CheckIn)) == 1


async def test_a_group_checkin_gets_a_reaction_and_a_private_one_a_reply(api, sqlite_url):
    async with running_bot(api, sqlite_url, checkins=Checkins()) as app:
        await say(api, "/join 王芳 紫阳县第二小学")
        update_id = api.push_update(text_message_update(GROUP, WANG, "签到", chat_type="supergroup",
                                                        message_id=777))
        [reaction] = await api.wait_for_reactions(1)
        assert (reaction["chat_id"], reaction["message_id"], reaction["emoji"]) == (GROUP, 777, "👍")
        await app.dispatcher.settle()  # the delivered mark is written in the background
        api.redeliver(update_id)
        assert await say(api, "收到") == [], "no text for a check-in in the group, nothing for a redelivery"
        assert len(api.reactions) == 1 and len(await rows(app, CheckIn)) == 1
        await say(api, "/join 李明 紫阳县第二小学", user=LI)
        [private] = await say(api, "签到", user=LI, chat=LI)
        assert "李明老师签到成功" in private


async def test_a_redelivered_update_is_answered_and_stored_once(api, sqlite_url):
    async with running_bot(api, sqlite_url) as app:
        await say(api, "/join 王芳 紫阳县第二小学")
        update_id = api.push_update(text_message_update(GROUP, WANG, "签到", chat_type="supergroup"))
        await api.wait_for_sent(len(api.sent) + 1)
        api.redeliver(update_id)
        assert await say(api, "收到") == []
        assert sum("签到成功" in (text or "") for text in api.sent_texts()) == 1
        assert len(await rows(app, CheckIn)) == 1


async def test_a_restart_loses_nothing(api, sqlite_url):
    async with running_bot(api, sqlite_url):
        await say(api, "/join 王芳 紫阳县第二小学")
    api.push_update(text_message_update(GROUP, WANG, "签到", chat_type="supergroup"))
    async with running_bot(api, sqlite_url) as app:
        while not any("签到成功" in (text or "") for text in api.sent_texts()):
            await api.wait_for_sent(len(api.sent) + 1)
        [me] = await say(api, "/me")
        assert "签到 1 天" in me
        assert len(await rows(app, CheckIn)) == 1
    assert api.pending_updates == []


async def test_photo_and_document_with_captions_become_records(api, sqlite_url):
    async with running_bot(api, sqlite_url) as app:
        await say(api, "/join 王芳 紫阳县第二小学")
        before = len(api.sent)
        api.push_update(photo_update(GROUP, WANG, caption="本月反思", file_id="AgAD-photo", chat_type="supergroup"))
        api.push_update(
            document_update(
                GROUP, WANG, caption="教学案例", file_id="BQAD-doc", file_name="小数乘法.docx",
                mime_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                chat_type="supergroup",
            )
        )
        sent = await api.wait_for_sent(before + 2)
        texts = [item["text"] for item in sent[before:]]
        assert "教学反思" in texts[0] and "含附件1个" in texts[0]
        assert "教学案例" in texts[1]
        reflection, case = sorted(await rows(app, Record), key=lambda r: r.id)
        assert reflection.attachments[0]["file_ref"] == "AgAD-photo"
        assert case.attachments[0]["file_name"] == "小数乘法.docx"


async def test_training_file_arrives_as_a_document(api, sqlite_url):
    async with running_bot(api, sqlite_url):
        await say(api, "/join 王芳 紫阳县第二小学", chat=WANG)
        await say(api, f"反思：{REFLECTION}", chat=WANG)
        before = len(api.sent)
        api.push_update(text_message_update(WANG, WANG, "/myfile", chat_type="private"))
        sent = await api.wait_for_sent(before + 1)
        document = sent[-1]
        assert document["method"].lower() == "senddocument"
        assert document["document"]["file_name"].startswith("研修档案_王芳")
        assert document["document"]["file_name"].endswith(".docx")
        paragraphs = [p.text for p in Document(BytesIO(document["document"]["content"])).paragraphs]
        assert REFLECTION in paragraphs


async def test_guided_dialog_over_telegram(api, sqlite_url):
    async with running_bot(api, sqlite_url) as app:
        await say(api, "/join 王芳 紫阳县第二小学")
        assert "这是哪一课" in (await say(api, "/reflect"))[0]
        assert "正文" in (await say(api, "《圆的面积》"))[0]
        assert "圆的面积" in (await say(api, REFLECTION))[0]
        assert len(await rows(app, Record)) == 1


async def test_edited_messages_are_not_processed_again(api, sqlite_url):
    async with running_bot(api, sqlite_url) as app:
        await say(api, "/join 王芳 紫阳县第二小学")
        assert await say(api, "签到", edited=True) == []
        [hint] = await say(api, "签到", chat=WANG, edited=True)
        assert "修改后的消息不会重新处理" in hint
        assert await rows(app, CheckIn) == []


async def test_webhook_mode_requires_the_secret(api, sqlite_url):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    async with running_bot(
        api, sqlite_url, telegram_webhook_url=url, telegram_webhook_secret="s3cret-token",
        telegram_webhook_port=port,
    ):
        [registered] = api.calls_of("setWebhook")
        assert registered["url"] == url and registered["secret_token"] == "s3cret-token"
        join = text_message_update(GROUP, WANG, "/join 王芳 紫阳县第二小学", chat_type="supergroup")
        assert await api.post_to_webhook(join, url, "wrong-secret") == 403
        assert await api.post_to_webhook(join, url) == 200
        sent = await api.wait_for_sent(1)
        assert "登记成功" in sent[0]["text"]
        assert await api.post_to_webhook(join, url) == 200  # Telegram's retry of the same update
        await asyncio.sleep(0.3)
        assert len(api.sent) == 1


async def test_observed_teacher_is_told_privately_or_mentioned_in_the_group(api, sqlite_url):
    async with running_bot(api, sqlite_url):
        await say(api, "/join 王芳 紫阳县第二小学")
        await say(api, "/join 李明 紫阳县第二小学", user=LI)
        observation = "/observe 李明 | 三年级数学 | 分数的初步认识 | 亮点：情境导入自然。"
        replies = await say(api, observation)
        assert "已记录" in replies[0]
        private = [s for s in api.sent if s["chat_id"] == LI]
        assert len(private) == 1 and "王芳老师记录了一次对您课堂的听课记录" in private[0]["text"]
        api.unreachable_users.add(str(LI))
        replies = await say(api, observation.replace("分数的初步认识", "小数乘法"))
        assert "已记录" in replies[0] and "小数乘法" in replies[1]
        mention = [s for s in api.sent if s["chat_id"] == GROUP and "小数乘法" in (s["text"] or "")][-1]
        assert re.match(rf'<a href="tg://user\?id={LI}">@[^<]*</a> 李明老师', mention["text"])
        assert api.calls_of("sendMessage")[-2]["parse_mode"] == "HTML"


async def test_a_pressed_button_is_handled_like_the_typed_command_once(api, sqlite_url):
    async with running_bot(api, sqlite_url):
        api.push_update(text_message_update(GROUP, WANG, "/help", chat_type="supergroup"))
        [offer] = await api.wait_for_sent(1)
        before = len(api.sent)
        update_id = api.push_update(
            callback_query_update(
                GROUP, WANG, "/help", message_id=offer["message_id"], query_id="press-1", chat_type="supergroup"
            )
        )
        answer = (await api.wait_for_sent(before + 1))[before]
        assert answer["text"].startswith("研修助手可以做这些事") and answer["chat_id"] == GROUP
        assert answer["reply_to_message_id"] is None
        assert api.calls_of("answerCallbackQuery") == [{"callback_query_id": "press-1"}]
        api.redeliver(update_id)
        assert await say(api, "收到") == []  # the redelivered press (same cb: id) is not answered again
        assert len(api.sent) == before + 2
