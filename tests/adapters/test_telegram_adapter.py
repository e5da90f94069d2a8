"""The Telegram adapter alone (no dispatcher or database), through real PTB calls to the fake Bot API."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Update

from bot.kernel.adapter import FileUnavailable
from bot.adapters.telegram import ALLOWED_UPDATES, TelegramAdapter, to_incoming
from bot.kernel.messages import (
    Attachment,
    AttachmentKind,
    Button,
    ChatKind,
    ChatRef,
    OutgoingMessage,
)
from tests.fakes.telegram_api import FakeBotApi, callback_query_update, document_update
from tests.support.inbox import Inbox

GROUP, WANG = -100777, 501
ROSTER = "姓名,学校\n王芳,紫阳县第二小学\n李明,紫阳县第二小学\n".encode()
CONFIRM = (Button("确认导入", "/confirm"), Button("取消", "/cancel"))


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token="4242:TEST") as fake:
        yield fake


@asynccontextmanager
async def running_adapter(api: FakeBotApi) -> AsyncIterator[tuple[TelegramAdapter, Inbox]]:
    adapter = TelegramAdapter(api.token, api.base_url, api.base_file_url, poll_timeout=1)
    inbox = Inbox()
    task = asyncio.create_task(adapter.run(inbox))
    try:
        async with asyncio.timeout(5):
            while not api.calls_of("getUpdates"):
                await asyncio.sleep(0.02)
        yield adapter, inbox
    finally:
        await adapter.stop()
        await asyncio.wait_for(task, 10)


async def received_document(api: FakeBotApi, inbox: Inbox, file_id: str, size: int) -> Attachment:
    api.push_update(
        document_update(
            GROUP, WANG, caption="/roster", file_id=file_id, file_name="名单.csv", mime_type="text/csv",
            file_size=size, chat_type="supergroup",
        )
    )
    [message] = await inbox.wait_for(1)
    [attachment] = message.attachments
    return attachment


async def test_a_received_document_can_be_downloaded(api):
    api.add_file("BQAD-roster", ROSTER, "documents/file_7.csv")
    async with running_adapter(api) as (adapter, inbox):
        attachment = await received_document(api, inbox, "BQAD-roster", len(ROSTER))
        assert attachment.kind is AttachmentKind.DOCUMENT and attachment.file_name == "名单.csv"
        assert await adapter.download(attachment, max_bytes=len(ROSTER)) == ROSTER
    assert api.calls_of("getFile") == [{"file_id": "BQAD-roster"}]
    assert api.downloads == ["documents/file_7.csv"]


async def test_a_file_larger_than_allowed_is_not_downloaded(api):
    api.add_file("BQAD-big", b"x" * 5000)
    async with running_adapter(api) as (adapter, inbox):
        attachment = await received_document(api, inbox, "BQAD-big", 5000)
        with pytest.raises(FileUnavailable):
            await adapter.download(attachment, max_bytes=4999)
        assert api.calls_of("getFile") == []
        # Telegram may leave out the size in the update; getFile's answer is checked before downloading.
        unsized = Attachment(AttachmentKind.DOCUMENT, "BQAD-big", "big.csv")
        with pytest.raises(FileUnavailable):
            await adapter.download(unsized, max_bytes=4999)
        assert len(api.calls_of("getFile")) == 1
    assert api.downloads == []


async def test_an_unknown_or_expired_file_is_unavailable(api):
    async def expired_link(p: dict) -> dict:
        return {"file_id": p["file_id"], "file_unique_id": "u-old", "file_size": 3, "file_path": "documents/expired"}

    async with running_adapter(api) as (adapter, _inbox):
        with pytest.raises(FileUnavailable):
            await adapter.download(Attachment(AttachmentKind.DOCUMENT, "no-such-file"), max_bytes=10_000)
        api._m_getfile = expired_link  # getFile answers, but the download URL no longer serves the file
        with pytest.raises(FileUnavailable):
            await adapter.download(Attachment(AttachmentKind.DOCUMENT, "BQAD-old"), max_bytes=10_000)
    assert api.downloads == ["documents/expired"]


async def test_buttons_are_sent_as_one_row_of_inline_buttons(api):
    async with running_adapter(api) as (adapter, _inbox):
        chat = ChatRef("telegram", str(GROUP), ChatKind.GROUP)
        await adapter.send(OutgoingMessage(chat, "导入 2 人？发送 /confirm 或“确认”", buttons=CONFIRM))
        await adapter.send(OutgoingMessage(chat, "没有按钮"))
    with_buttons, without = api.sent
    assert with_buttons["reply_markup"] == {
        "inline_keyboard": [[
            {"text": "确认导入", "callback_data": "/confirm"},
            {"text": "取消", "callback_data": "/cancel"},
        ]]
    }
    assert api.messages[(GROUP, with_buttons["message_id"])]["reply_markup"] == with_buttons["reply_markup"]
    assert without["reply_markup"] is None


async def test_buttons_also_go_with_mentions_and_documents(api):
    async with running_adapter(api) as (adapter, _inbox):
        chat = ChatRef("telegram", str(GROUP), ChatKind.GROUP)
        await adapter.send(OutgoingMessage(chat, "请确认", mention_user_id=str(WANG), buttons=CONFIRM[:1]))
    [mention] = api.sent
    assert mention["parse_mode"] == "HTML"
    assert mention["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "/confirm"


async def test_callback_data_over_64_bytes_leaves_the_keyboard_off(api, caplog):
    long_command = "/confirm " + "名" * 20  # 9 + 60 bytes
    async with running_adapter(api) as (adapter, _inbox):
        chat = ChatRef("telegram", str(GROUP), ChatKind.GROUP)
        with caplog.at_level(logging.WARNING, logger="yanxiu.telegram"):
            await adapter.send(OutgoingMessage(chat, "发送 /confirm", buttons=(Button("确认", long_command),)))
    [sent] = api.sent
    assert sent["text"] == "发送 /confirm" and sent["reply_markup"] is None
    assert any("callback data over 64 bytes" in record.getMessage() for record in caplog.records)


async def test_a_pressed_button_arrives_as_its_command(api):
    async with running_adapter(api) as (adapter, inbox):
        assert "callback_query" in api.calls_of("getUpdates")[0]["allowed_updates"]
        chat = ChatRef("telegram", str(GROUP), ChatKind.GROUP, "研修群")
        await adapter.send(OutgoingMessage(chat, "导入 2 人？", buttons=CONFIRM))
        [question] = api.sent
        before = datetime.now(UTC)
        update_id = api.push_update(
            callback_query_update(
                GROUP, WANG, "/confirm", message_id=question["message_id"], query_id="q-1",
                chat_type="supergroup", first_name="王芳",
            )
        )
        [pressed] = await inbox.wait_for(1)
        assert pressed.text == "/confirm"
        assert pressed.message_id == "cb:q-1"
        assert pressed.sender.user_id == str(WANG) and pressed.sender.display_name == "王芳"
        assert pressed.chat == ChatRef("telegram", str(GROUP), ChatKind.GROUP, "研修群")
        assert before - timedelta(seconds=1) <= pressed.sent_at <= datetime.now(UTC)
        assert not pressed.edited and pressed.attachments == ()
        assert api.calls_of("answerCallbackQuery") == [{"callback_query_id": "q-1"}]
        [removal] = api.calls_of("editMessageReplyMarkup")
        assert removal["chat_id"] == GROUP and removal["message_id"] == question["message_id"]
        assert "reply_markup" not in api.messages[(GROUP, question["message_id"])]

        api.redeliver(update_id)  # the keyboard is already gone; the press still arrives, with the same id
        _, again = await inbox.wait_for(2)
        assert again.message_id == "cb:q-1" and again.text == "/confirm"


async def test_a_press_in_a_private_chat(api):
    async with running_adapter(api) as (adapter, inbox):
        chat = ChatRef("telegram", str(WANG), ChatKind.PRIVATE)
        await adapter.send(OutgoingMessage(chat, "确认吗？", buttons=CONFIRM))
        api.push_update(
            callback_query_update(
                WANG, WANG, "/cancel", message_id=api.sent[0]["message_id"], chat_type="private"
            )
        )
        [pressed] = await inbox.wait_for(1)
    assert pressed.chat.kind is ChatKind.PRIVATE and pressed.chat.chat_id == str(WANG)
    assert pressed.text == "/cancel" and pressed.message_id.startswith("cb:cbq-")


def test_presses_without_a_message_or_data_are_not_messages():
    inline = Update.de_json(
        {"update_id": 1, "callback_query": {
            "id": "q", "from": {"id": WANG, "is_bot": False, "first_name": "王芳"},
            "chat_instance": "ci", "inline_message_id": "im-1", "data": "/confirm"}},
        None,
    )
    assert to_incoming(inline, "yanxiu_test_bot") is None
    game = callback_query_update(GROUP, WANG, "unused", message_id=3) | {"update_id": 2}
    del game["callback_query"]["data"]
    game["callback_query"]["game_short_name"] = "quiz"
    assert to_incoming(Update.de_json(game, None), "yanxiu_test_bot") is None


def test_allowed_updates_include_button_presses():
    assert {"message", "edited_message", "callback_query"} <= set(ALLOWED_UPDATES)
