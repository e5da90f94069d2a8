"""The fake Bot API server, driven only through real python-telegram-bot objects."""

from __future__ import annotations

import asyncio
import io
import socket
import time

import pytest
from telegram import Bot, ReplyParameters, Update
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    InvalidToken,
    RetryAfter,
)
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from tests.fakes.telegram_api import (
    FakeBotApi,
    document_update,
    photo_update,
    text_message_update,
)

TOKEN = "123:ABC"
GROUP = -1001234567890
ignore_retry_after_deprecation = pytest.mark.filterwarnings(
    "ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
async def api():
    async with FakeBotApi(token=TOKEN) as server:
        yield server


def make_bot(api: FakeBotApi, token: str = TOKEN) -> Bot:
    return Bot(token, base_url=api.base_url, base_file_url=api.base_file_url)


async def test_get_me(api):
    async with make_bot(api) as bot:
        me = await bot.get_me()
    assert me.username == "yanxiu_test_bot"
    assert me.id == 123 and me.is_bot


async def test_wrong_token_is_unauthorized(api):
    with pytest.raises(InvalidToken):
        async with make_bot(api, token="999:WRONG"):
            pass


async def test_unknown_method_is_not_found(api):
    async with make_bot(api) as bot:
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})


async def test_send_message_is_recorded(api):
    async with make_bot(api) as bot:
        first = await bot.send_message(GROUP, "你好，老师们")
        second = await bot.send_message(
            GROUP, "回复", reply_parameters=ReplyParameters(message_id=first.message_id))
    assert first.text == "你好，老师们" and first.chat.id == GROUP
    assert first.from_user.username == "yanxiu_test_bot"
    assert second.message_id == first.message_id + 1
    assert second.reply_to_message.message_id == first.message_id
    assert api.sent_texts(GROUP) == ["你好，老师们", "回复"]
    assert api.sent[1]["reply_to_message_id"] == first.message_id
    assert api.calls_of("sendMessage")[0]["chat_id"] == GROUP


async def test_send_document_records_upload_and_file_id(api):
    async with make_bot(api) as bot:
        notice = await bot.send_message(GROUP, "请交作业")
        message = await bot.send_document(
            GROUP, io.BytesIO(b"%PDF-1.4 data"), filename="作业.pdf", caption="本周作业",
            reply_parameters=ReplyParameters(message_id=notice.message_id))
        again = await bot.send_document(GROUP, message.document.file_id)
    record = api.sent[1]
    assert record["reply_to_message_id"] == notice.message_id
    assert record["document"]["file_name"] == "作业.pdf"
    assert record["document"]["content"] == b"%PDF-1.4 data"
    assert record["text"] == "本周作业" and message.caption == "本周作业"
    assert message.document.file_name == "作业.pdf"
    assert api.sent[2]["document"] == {"file_id": message.document.file_id}
    assert again.document.file_id == message.document.file_id


async def test_send_photo_by_file_id(api):
    async with make_bot(api) as bot:
        message = await bot.send_photo(GROUP, "photo-abc", caption="合影")
    assert message.photo[-1].file_id == "photo-abc"
    assert api.sent[0]["photo"] == {"file_id": "photo-abc"}


async def test_get_updates_long_poll_and_offset(api):
    async with make_bot(api) as bot:
        loop = asyncio.get_running_loop()
        loop.call_later(0.2, api.push_update, text_message_update(GROUP, 42, "/start"))
        started = time.monotonic()
        updates = await bot.get_updates(timeout=5)
        assert time.monotonic() - started < 2
        assert len(updates) == 1
        message = updates[0].message
        assert message.text == "/start" and message.from_user.first_name == "王芳"
        assert message.entities[0].type == "bot_command"

        again = await bot.get_updates(timeout=0)
        assert [u.update_id for u in again] == [updates[0].update_id]

        confirmed = await bot.get_updates(offset=updates[0].update_id + 1, timeout=0)
        assert confirmed == ()
        assert api.pending_updates == []


async def test_get_updates_limit_and_builders(api):
    api.push_update(text_message_update(42, 42, "hi", chat_type="private"))
    api.push_update(photo_update(GROUP, 42, caption="课堂照片", file_id="p1"))
    api.push_update(document_update(GROUP, 42, caption="教案", file_id="d1",
                                    file_name="教案.docx", mime_type="application/msword"))
    api.push_update(text_message_update(GROUP, 42, "改过了", edited=True))
    async with make_bot(api) as bot:
        first = await bot.get_updates(limit=1, timeout=0)
        assert len(first) == 1 and first[0].message.chat.type == "private"
        rest = await bot.get_updates(offset=first[0].update_id + 1, timeout=0)
    assert rest[0].message.photo[-1].file_id == "p1"
    assert rest[1].message.document.file_name == "教案.docx"
    assert rest[2].edited_message.text == "改过了"


async def test_redeliver(api):
    update_id = api.push_update(text_message_update(GROUP, 42, "签到"))
    async with make_bot(api) as bot:
        (update,) = await bot.get_updates(timeout=0)
        assert await bot.get_updates(offset=update_id + 1, timeout=0) == ()
        api.redeliver(update_id)
        (again,) = await bot.get_updates(offset=update_id + 1, timeout=0)
        assert again.to_dict() == update.to_dict()
        assert await bot.get_updates(offset=update_id + 1, timeout=0) == ()


async def test_get_file_and_download(api):
    api.add_file("doc-1", b"lesson plan bytes", "documents/plan.pdf")
    async with make_bot(api) as bot:
        file = await bot.get_file("doc-1")
        assert file.file_path.endswith("documents/plan.pdf")
        data = await file.download_as_bytearray()
    assert bytes(data) == b"lesson plan bytes"


async def test_webhook_blocks_get_updates(api):
    async with make_bot(api) as bot:
        await bot.set_webhook("https://example.invalid/hook", secret_token="s3cret",
                              drop_pending_updates=True)
        info = await bot.get_webhook_info()
        assert info.url == "https://example.invalid/hook"
        assert api.webhook["secret_token"] == "s3cret"
        assert api.webhook["drop_pending_updates"] is True
        with pytest.raises(Conflict):
            await bot.get_updates(timeout=0)
        await bot.delete_webhook()
        assert await bot.get_updates(timeout=0) == ()


async def test_commands_roundtrip(api):
    async with make_bot(api) as bot:
        await bot.set_my_commands([("checkin", "签到"), ("help", "帮助")])
        commands = await bot.get_my_commands()
        assert [c.command for c in commands] == ["checkin", "help"]
        await bot.delete_my_commands()
        assert await bot.get_my_commands() == ()


async def test_edit_message_text(api):
    async with make_bot(api) as bot:
        sent = await bot.send_message(GROUP, "草稿")
        edited = await bot.edit_message_text("定稿", chat_id=GROUP, message_id=sent.message_id)
        with pytest.raises(BadRequest, match="not modified"):
            await bot.edit_message_text("定稿", chat_id=GROUP, message_id=sent.message_id)
    assert edited.text == "定稿" and edited.edit_date is not None
    assert api.edited[0]["text"] == "定稿"


@ignore_retry_after_deprecation
async def test_flood_limit_raises_retry_after():
    async with FakeBotApi(token=TOKEN, flood_limit_per_chat_per_minute=2) as api, make_bot(api) as bot:
        await bot.send_message(GROUP, "1")
        await bot.send_message(GROUP, "2")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(GROUP, "3")
        await bot.send_message(GROUP + 1, "other chat")
    assert caught.value.retry_after in (59, 60)
    assert api.rejected_429 == 1
    assert api.sent_texts() == ["1", "2", "other chat"]


@ignore_retry_after_deprecation
async def test_global_flood_limit():
    async with FakeBotApi(token=TOKEN, flood_limit_global_per_second=1) as api, make_bot(api) as bot:
        await bot.send_message(1, "a")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(2, "b")
    assert caught.value.retry_after == 1
    assert api.rejected_429 == 1


async def test_application_polls_and_replies(api):
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(f"收到：{update.effective_message.text}")

    app = (ApplicationBuilder().token(TOKEN).base_url(api.base_url)
           .base_file_url(api.base_file_url).build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        api.push_update(text_message_update(GROUP, 42, "今天的作业", message_id=7))
        sent = await api.wait_for_sent(1, timeout=5)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert sent[0]["text"] == "收到：今天的作业"
    assert sent[0]["chat_id"] == GROUP
    assert sent[0]["reply_to_message_id"] == 7
    assert api.pending_updates == []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_application_webhook_receives_posted_update(api):
    seen: list[int] = []

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update.update_id)
        await update.effective_message.reply_text("webhook ok")

    port = free_port()
    app = (ApplicationBuilder().token(TOKEN).base_url(api.base_url)
           .base_file_url(api.base_file_url).build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    await app.start()
    await app.updater.start_webhook(
        listen="127.0.0.1", port=port, url_path="hook", secret_token="s3cret",
        webhook_url=f"http://127.0.0.1:{port}/hook")
    try:
        assert api.webhook["url"] == f"http://127.0.0.1:{port}/hook"
        bad = await api.post_to_webhook(text_message_update(GROUP, 42, "x"), secret_token="no")
        update = text_message_update(GROUP, 42, "签到")
        good = await api.post_to_webhook(update)
        retry = await api.post_to_webhook(update)
        sent = await api.wait_for_sent(2, timeout=5)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert (bad, good, retry) == (403, 200, 200)
    assert sent[0]["text"] == "webhook ok"
    assert seen[0] == seen[1] == update["update_id"]
