"""From handler replies to adapter sends: destinations, platform limits, and a storable form.

Replies are resolved to concrete `OutgoingMessage`s before the unit of work commits, and stored with
the idempotency record, so a message whose replies were lost in a crash can be answered again
exactly as the first time.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import math
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.kernel.adapter import Adapter, Capabilities, PrivateChatUnavailable, split_text
from bot.kernel.messages import (
    Button,
    ChatKind,
    ChatRef,
    IncomingMessage,
    OutgoingFile,
    OutgoingMessage,
    Reply,
)
from bot.kernel.metrics import SEND_ERRORS

log = logging.getLogger("yanxiu.delivery")


def resolve_reply(reply: Reply, origin: IncomingMessage, capabilities: Capabilities) -> OutgoingMessage:
    """Decide where a reply goes; a private reply the platform cannot send becomes a mention.

    Buttons travel whatever the platform: adapters without real buttons may still show them as a
    hint, and the reply's text already names what to type instead.
    """
    if reply.private_to is not None:
        if capabilities.can_send_private:
            chat = ChatRef(origin.platform, reply.private_to, ChatKind.PRIVATE)
            fallback = None if origin.is_private else origin.chat
            return OutgoingMessage(
                chat=chat, text=reply.text, file=reply.file, fallback_chat=fallback, buttons=reply.buttons
            )
        return OutgoingMessage(
            chat=origin.chat, text=reply.text, file=reply.file, mention_user_id=reply.private_to,
            buttons=reply.buttons,
        )
    chat = reply.chat or origin.chat
    same_chat = chat == origin.chat
    reply_to = origin.message_id if reply.reply_to_message and same_chat and not origin.is_private else None
    return OutgoingMessage(
        chat=chat, text=reply.text, reply_to_message_id=reply_to, file=reply.file, buttons=reply.buttons
    )


class Pacer:
    """Keeps sends under the platform's flood limits — overall per second and per chat per minute —
    by waiting, so a large fan-out (an announcement to a thousand groups) is slowed, never dropped."""

    def __init__(self, per_second: float | None, per_chat_per_minute: int | None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.interval = 1 / per_second if per_second else 0.0
        self.per_chat = per_chat_per_minute
        self.clock, self.sleep = clock, sleep
        self.last = -math.inf
        self.recent: dict[str, deque[float]] = defaultdict(deque)
        self.lock = asyncio.Lock()

    async def wait(self, chat_id: str) -> None:
        """Reserve the next free slot for this chat, then sleep until it outside the lock, so a busy
        chat waiting out its per-minute limit does not hold up sends to other chats."""
        async with self.lock:
            now = self.clock()
            sent = self.recent[chat_id]
            while sent and sent[0] <= now - 60:
                sent.popleft()
            overall = max(now, self.last + self.interval)
            chat_free = sent[-self.per_chat] + 60 if self.per_chat and len(sent) >= self.per_chat else now
            if chat_free > overall:
                slot = chat_free  # this chat waits; the overall pace stays free for other chats
            else:
                slot = self.last = overall
            sent.append(slot)
        if slot > now:
            await self.sleep(slot - now)


class Delivery:
    """Sends through one adapter, cutting long texts to the platform's limit and pacing to its flood limits."""

    def __init__(self, adapter: Adapter, start_button: Button | None = None) -> None:
        self.adapter = adapter
        self.start_button = start_button
        """Offered with a private message that had to go to the group instead: pressing it opens the
        private chat (on Telegram, where bots may not write first), so the next one arrives there."""
        self.pacer = Pacer(adapter.capabilities.messages_per_second, adapter.capabilities.messages_per_chat_per_minute)

    @property
    def capabilities(self) -> Capabilities:
        return self.adapter.capabilities

    async def deliver(self, messages: list[OutgoingMessage]) -> bool:
        """Send everything; False if any piece failed (it is logged, and may be retried later)."""
        delivered = True
        for message in messages:
            for piece in self.pieces(message):
                try:
                    await self._send(piece)
                except Exception:
                    delivered = False
                    SEND_ERRORS.inc(platform=piece.chat.platform)
                    log.exception("send failed platform=%s chat=%s", piece.chat.platform, piece.chat.chat_id)
        return delivered

    async def _send(self, piece: OutgoingMessage) -> None:
        """Send one piece; a refused private message becomes a mention in the chat it came from."""
        await self.pacer.wait(piece.chat.chat_id)
        try:
            await self.adapter.send(piece)
        except PrivateChatUnavailable:
            if piece.fallback_chat is None:
                raise
            log.info("private message refused, mentioning in group chat=%s", piece.fallback_chat.chat_id)
            buttons = piece.buttons or ((self.start_button,) if self.start_button else ())
            await self.adapter.send(replace(
                piece, chat=piece.fallback_chat, mention_user_id=piece.chat.chat_id, fallback_chat=None,
                buttons=buttons,
            ))

    def pieces(self, message: OutgoingMessage) -> list[OutgoingMessage]:
        """The message cut to the text limit: the file and reply go with the first piece, buttons with the last."""
        chunks = split_text(message.text, self.capabilities.max_text_length) if message.text else [""]
        if len(chunks) == 1:
            return [replace(message, text=chunks[0])]
        first, *rest = chunks
        pieces = [replace(message, text=first, buttons=())] + [
            replace(message, text=chunk, file=None, reply_to_message_id=None, buttons=()) for chunk in rest
        ]
        pieces[-1] = replace(pieces[-1], buttons=message.buttons)
        return pieces


def _chat_to_json(chat: ChatRef | None) -> dict | None:
    if chat is None:
        return None
    return {"platform": chat.platform, "chat_id": chat.chat_id, "kind": chat.kind.value, "title": chat.title}


def _chat_from_json(data: dict | None) -> ChatRef | None:
    if data is None:
        return None
    return ChatRef(data["platform"], data["chat_id"], ChatKind(data["kind"]), data.get("title", ""))


def outgoing_to_json(message: OutgoingMessage) -> dict:
    data = {
        "chat": _chat_to_json(message.chat),
        "text": message.text,
        "reply_to_message_id": message.reply_to_message_id,
        "mention_user_id": message.mention_user_id,
        "fallback_chat": _chat_to_json(message.fallback_chat),
    }
    if message.file is not None:
        data["file"] = {
            "file_name": message.file.file_name,
            "file_ref": message.file.file_ref,
            "mime_type": message.file.mime_type,
            "content": base64.b64encode(message.file.content).decode() if message.file.content else None,
        }
    if message.buttons:
        data["buttons"] = [{"label": button.label, "command": button.command} for button in message.buttons]
    return data


def outgoing_from_json(data: dict) -> OutgoingMessage:
    file_data = data.get("file")
    file = None
    if file_data:
        content = file_data.get("content")
        file = OutgoingFile(
            file_name=file_data["file_name"],
            file_ref=file_data.get("file_ref"),
            mime_type=file_data.get("mime_type") or "application/octet-stream",
            content=base64.b64decode(content) if content else None,
        )
    return OutgoingMessage(
        chat=_chat_from_json(data["chat"]),
        text=data["text"],
        reply_to_message_id=data.get("reply_to_message_id"),
        mention_user_id=data.get("mention_user_id"),
        fallback_chat=_chat_from_json(data.get("fallback_chat")),
        file=file,
        buttons=tuple(Button(item["label"], item["command"]) for item in data.get("buttons") or ()),
    )
