"""Buttons on the way from a handler's Reply to the adapter, and through the stored (JSON) form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.kernel.adapter import (
    Adapter,
    Capabilities,
    FileUnavailable,
    MessageCallback,
    PrivateChatUnavailable,
)
from bot.adapters.memory import MemoryAdapter
from bot.kernel.delivery import Delivery, outgoing_from_json, outgoing_to_json, resolve_reply
from bot.kernel.messages import (
    Attachment,
    AttachmentKind,
    Button,
    ChatKind,
    ChatRef,
    IncomingMessage,
    OutgoingFile,
    OutgoingMessage,
    Reply,
    Sender,
)

GROUP = ChatRef("memory", "g1", ChatKind.GROUP, "研修群")
CONFIRM = (Button("确认导入", "/confirm"), Button("取消", "/cancel"))
TEXT = "将导入 2 位老师。发送 /confirm 或“确认”导入，发送 /cancel 取消。"


def incoming(chat: ChatRef = GROUP) -> IncomingMessage:
    return IncomingMessage(chat, Sender("u1", "王芳"), "m1", "/roster", datetime(2026, 11, 23, tzinfo=UTC))


def test_resolve_reply_carries_buttons_to_every_destination():
    plain = resolve_reply(Reply(TEXT, buttons=CONFIRM), incoming(), Capabilities(4096, buttons=True))
    assert plain.buttons == CONFIRM and plain.chat == GROUP and plain.reply_to_message_id == "m1"
    private = resolve_reply(Reply(TEXT, private_to="u1", buttons=CONFIRM), incoming(), Capabilities(4096))
    assert private.buttons == CONFIRM and private.chat.kind is ChatKind.PRIVATE
    mention = resolve_reply(
        Reply(TEXT, private_to="u1", buttons=CONFIRM), incoming(), Capabilities(4096, can_send_private=False)
    )
    assert mention.buttons == CONFIRM and mention.mention_user_id == "u1"
    assert resolve_reply(Reply(TEXT), incoming(), Capabilities(4096)).buttons == ()


def test_buttons_survive_the_stored_form():
    message = OutgoingMessage(
        GROUP, TEXT, reply_to_message_id="m1", buttons=CONFIRM,
        file=OutgoingFile("名单.csv", content=b"a,b\n", mime_type="text/csv"),
    )
    data = outgoing_to_json(message)
    assert data["buttons"] == [
        {"label": "确认导入", "command": "/confirm"},
        {"label": "取消", "command": "/cancel"},
    ]
    assert outgoing_from_json(data) == message


def test_replies_stored_before_buttons_existed_still_load():
    data = outgoing_to_json(OutgoingMessage(GROUP, TEXT))
    assert "buttons" not in data
    assert outgoing_from_json(data).buttons == ()
    assert outgoing_from_json({**data, "buttons": None}).buttons == ()


def test_buttons_go_with_the_last_piece_only():
    delivery = Delivery(MemoryAdapter(capabilities=Capabilities(max_text_length=20)))
    text = "\n".join(f"第{i}行：王芳 紫阳县第二小学" for i in range(4))
    message = OutgoingMessage(
        GROUP, text, reply_to_message_id="m1", buttons=CONFIRM, file=OutgoingFile("名单.csv", content=b"x")
    )
    pieces = delivery.pieces(message)
    assert len(pieces) > 2
    assert [piece.buttons for piece in pieces] == [()] * (len(pieces) - 1) + [CONFIRM]
    assert pieces[0].file is not None and pieces[0].reply_to_message_id == "m1"
    assert all(piece.file is None and piece.reply_to_message_id is None for piece in pieces[1:])
    [whole] = Delivery(MemoryAdapter()).pieces(message)
    assert whole == message


async def test_a_refused_private_message_keeps_its_buttons_in_the_group():
    class Refusing(MemoryAdapter):
        async def send(self, message: OutgoingMessage) -> None:
            if message.chat.kind is ChatKind.PRIVATE:
                raise PrivateChatUnavailable(message.chat.chat_id)
            await super().send(message)

    adapter = Refusing(capabilities=Capabilities(4096, buttons=True))
    message = resolve_reply(Reply(TEXT, private_to="u1", buttons=CONFIRM), incoming(), adapter.capabilities)
    assert await Delivery(adapter).deliver([message])
    [sent] = adapter.sent
    assert sent.chat == GROUP and sent.mention_user_id == "u1" and sent.buttons == CONFIRM
    assert sent.text == TEXT


async def test_memory_adapter_serves_registered_files():
    adapter = MemoryAdapter()
    adapter.files["ref-1"] = b"name,school\n"
    roster = Attachment(AttachmentKind.DOCUMENT, "ref-1", "名单.csv")
    assert await adapter.download(roster, max_bytes=100) == b"name,school\n"
    with pytest.raises(FileUnavailable):
        await adapter.download(roster, max_bytes=5)
    with pytest.raises(FileUnavailable):
        await adapter.download(Attachment(AttachmentKind.DOCUMENT, "ref-2"), max_bytes=100)


async def test_adapters_cannot_download_by_default():
    class Minimal(Adapter):
        platform = "minimal"
        capabilities = Capabilities(100)

        async def run(self, on_message: MessageCallback) -> None:
            return None

        async def send(self, message: OutgoingMessage) -> None:
            return None

    assert Minimal.capabilities.buttons is False
    with pytest.raises(FileUnavailable):
        await Minimal().download(Attachment(AttachmentKind.DOCUMENT, "x"), max_bytes=100)
