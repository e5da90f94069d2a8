"""What OneBot v11 events and messages look like: CQ codes, segments, and the platform-neutral
view of a message event. Pure functions, no connection."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

from bot.kernel.messages import Attachment, AttachmentKind, ChatKind, ChatRef, IncomingMessage, Sender

log = logging.getLogger("yanxiu.onebot")

PLATFORM = "onebot"
ATTACHMENT_KINDS = {
    "image": AttachmentKind.PHOTO, "record": AttachmentKind.VOICE, "video": AttachmentKind.VIDEO,
    "file": AttachmentKind.DOCUMENT,
}
_CQ_CODE = re.compile(r"\[CQ:([\w.-]+)((?:,[^,\]]*)*)\]")


def cq_escape(text: str, *, comma: bool = False) -> str:
    """Escape text for a CQ-code string (`comma=True` inside a code's parameter values)."""
    text = text.replace("&", "&amp;").replace("[", "&#91;").replace("]", "&#93;")
    return text.replace(",", "&#44;") if comma else text


def cq_unescape(text: str) -> str:
    return text.replace("&#44;", ",").replace("&#91;", "[").replace("&#93;", "]").replace("&amp;", "&")


def parse_cq(message: str) -> list[dict]:
    """A CQ-code string as array segments: `a[CQ:at,qq=1]b` → text, at, text."""
    segments: list[dict] = []
    position = 0
    for code in [*_CQ_CODE.finditer(message), None]:
        end = code.start() if code else len(message)
        if end > position:
            segments.append(segment("text", text=cq_unescape(message[position:end])))
        if code:
            pairs = (pair.partition("=") for pair in code.group(2).split(",") if pair)
            segments.append({"type": code.group(1), "data": {k: cq_unescape(v) for k, _, v in pairs}})
            position = code.end()
    return segments


def to_incoming(event: dict) -> IncomingMessage | None:
    """The platform-neutral view of a message event; None for anything that is not for the bot."""
    user_id, self_id = str(event.get("user_id", "")), str(event.get("self_id", ""))
    if event.get("post_type") != "message" or not user_id or user_id == self_id:
        return None
    if event.get("message_type") == "group":
        chat = ChatRef(PLATFORM, f"group:{event.get('group_id')}", ChatKind.GROUP)
    elif event.get("message_type") == "private":
        chat = ChatRef(PLATFORM, f"private:{user_id}", ChatKind.PRIVATE)
    else:
        return None
    raw = event.get("message")
    raw = event.get("raw_message", "") if raw is None else raw
    parts: list[str] = []
    attachments: list[Attachment] = []
    mentions_bot = False
    for segment in raw if isinstance(raw, list) else parse_cq(str(raw)):
        kind, data = segment.get("type"), segment.get("data") or {}
        if kind == "text":
            parts.append(str(data.get("text", "")))
        elif kind == "at" and str(data.get("qq")) in (self_id, "all"):
            mentions_bot = True
        elif kind == "at":
            parts.append(f"@{data.get('qq')}")
        elif kind in ATTACHMENT_KINDS:
            keys = ("file_id", "url", "file") if kind == "file" else ("url", "file")
            ref = next((str(data[key]) for key in keys if data.get(key)), None)
            name = (data.get("name") or data.get("file")) if kind == "file" else None
            size = as_int(data.get("file_size"))
            if ref:
                attachments.append(Attachment(ATTACHMENT_KINDS[kind], ref, name, None, size))
    sender = event.get("sender") or {}
    log.debug("onebot message chat=%s user=%s role=%s", chat.chat_id, user_id, sender.get("role", "-"))
    return IncomingMessage(
        chat=chat,
        sender=Sender(user_id, str(sender.get("card") or sender.get("nickname") or "")),
        message_id=str(event.get("message_id", "")),
        text="".join(parts).strip(),
        sent_at=datetime.fromtimestamp(event["time"], UTC) if event.get("time") else datetime.now(UTC),
        attachments=tuple(attachments),
        mentions_bot=mentions_bot,
    )


def as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def segment(kind: str, **data: Any) -> dict:
    return {"type": kind, "data": data}
