"""What WeCom's callbacks carry and how its texts must be cut: pure functions, no network."""

from __future__ import annotations

import logging
import mimetypes
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from bot.domain.text import try_number
from bot.kernel.messages import Attachment, AttachmentKind, ChatKind, ChatRef, IncomingMessage, Sender

log = logging.getLogger("yanxiu.wecom")

PLATFORM = "wecom"
APPCHAT_PREFIX = "appchat:"


def to_incoming(fields: dict[str, str]) -> IncomingMessage | None:
    """The platform-neutral view of a decrypted callback; None for what is not a message for us.

    A menu click (event "click") becomes its EventKey typed by the user, so menus can carry commands.
    """
    user, msgtype = fields.get("FromUserName", ""), fields.get("MsgType", "")
    if not user:
        return None
    chat_id = fields.get("ChatId")
    chat = ChatRef(PLATFORM, APPCHAT_PREFIX + chat_id, ChatKind.GROUP) if chat_id else ChatRef(
        PLATFORM, user, ChatKind.PRIVATE)
    created = fields.get("CreateTime", "")
    seconds = try_number(created, max_digits=11)
    sent_at = datetime.fromtimestamp(seconds, UTC) if seconds is not None else datetime.now(UTC)
    message_id, text, attachments = fields.get("MsgId", ""), "", ()
    if msgtype == "text":
        text = fields.get("Content", "")
    elif msgtype == "image" and fields.get("MediaId"):
        attachments = (Attachment(AttachmentKind.PHOTO, fields["MediaId"], None, "image/jpeg"),)
    elif msgtype == "file" and fields.get("MediaId"):
        name = fields.get("FileName") or None
        mime = mimetypes.guess_type(name)[0] if name else None
        size = try_number(fields.get("FileSize", ""), max_digits=12)
        attachments = (Attachment(AttachmentKind.DOCUMENT, fields["MediaId"], name, mime, size),)
    elif msgtype == "event" and fields.get("Event") == "click" and fields.get("EventKey"):
        text = fields["EventKey"]
        message_id = f"click:{user}:{created}:{text}"
    else:
        return None
    if not message_id:
        return None
    return IncomingMessage(chat=chat, sender=Sender(user), message_id=message_id, text=text,
                           sent_at=sent_at, attachments=attachments)


def parse_xml(body: bytes) -> dict[str, str] | None:
    """The child elements of a flat WeCom XML document; None if malformed or declaring a DTD/entities.

    defusedxml refuses a DTD in whatever encoding the body declares (a UTF-16 `<!DOCTYPE` is not
    the ASCII bytes a text search would look for), so nothing is ever expanded — not even before
    the signature is checked."""
    try:
        root = defused_fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        log.warning("wecom xml with a DTD or entity declaration refused")
        return None
    except (ET.ParseError, ValueError):
        return None
    return {child.tag: (child.text or "") for child in root}


def split_bytes(text: str, limit: int) -> list[str]:
    """Cut `text` into pieces of at most `limit` UTF-8 bytes, preferring line breaks, then "。", then spaces."""
    pieces: list[str] = []
    rest = text
    while len(rest.encode("utf-8")) > limit:
        fit, used = 0, 0
        while used + len(rest[fit].encode("utf-8")) <= limit:
            used += len(rest[fit].encode("utf-8"))
            fit += 1
        window, cut = rest[:fit], max(fit, 1)
        for separator in ("\n", "。", " "):
            at = window.rfind(separator)
            if at >= fit // 2:
                cut = at + 1
                break
        piece, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if piece:
            pieces.append(piece)
    if rest or not pieces:
        pieces.append(rest)
    return pieces
