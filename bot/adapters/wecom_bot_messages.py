"""What the WeCom 智能机器人 (API mode) callbacks carry: pure functions, no network.

The callback body is JSON `{"encrypt": …}`, encrypted as the XML callbacks are (bot/adapters/
wecom_crypto.py) with an empty receive id. Decrypted, a message names `chattype` ("single" or
"group"; a group message is one that @-ed the robot, the @ still in the text), `from.userid`,
`chatid` (groups only) and a one-time `response_url`. Pictures come as URLs to files encrypted with
the robot's own AES key.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.kernel.messages import Attachment, AttachmentKind, ChatKind, ChatRef, IncomingMessage, Sender

PLATFORM = "wecom"
GROUP_PREFIX = "aibot:"
"""Group chats seen by the 智能机器人 are kept apart from the application's `appchat:` chats."""
RECEIVE_ID = ""
"""The receive id inside a 智能机器人's ciphertexts: empty (a self-built app's is the corp id)."""
_LEADING_MENTIONS = re.compile(r"^(?:\s*@\S+)+\s*")


def parse_json(body: bytes) -> dict | None:
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def strip_mention(text: str) -> str:
    """The words without the leading "@机器人" WeCom leaves in a group message."""
    return _LEADING_MENTIONS.sub("", text, count=1).strip()


def to_incoming(fields: dict) -> tuple[IncomingMessage, str | None] | None:
    """(message, response_url) of a decrypted callback; None for events and stream refreshes.

    `mentions_bot` stays False: in a group the robot only ever hears messages that @ it, so the @
    is how one talks to it, not a request to answer chatter.
    """
    user = str((fields.get("from") or {}).get("userid") or "")
    message_id = str(fields.get("msgid") or "")
    if not user or not message_id:
        return None
    group = fields.get("chattype") == "group"
    if group:
        if not fields.get("chatid"):
            return None
        chat = ChatRef(PLATFORM, GROUP_PREFIX + str(fields["chatid"]), ChatKind.GROUP)
    else:
        chat = ChatRef(PLATFORM, user, ChatKind.PRIVATE)
    texts, attachments = _items(fields)
    text = "\n".join(part for part in texts if part)
    if group:
        text = strip_mention(text)
    if not text and not attachments:
        return None
    incoming = IncomingMessage(chat=chat, sender=Sender(user), message_id=message_id, text=text,
                               sent_at=datetime.now(UTC), attachments=attachments)
    return incoming, fields.get("response_url") or None


def _items(fields: dict) -> tuple[list[str], tuple[Attachment, ...]]:
    kind = fields.get("msgtype")
    if kind == "mixed":
        items = (fields.get("mixed") or {}).get("msg_item") or []
    elif kind in ("text", "image"):
        items = [fields]
    else:
        return [], ()
    texts, pictures = [], []
    for item in items:
        if item.get("msgtype") == "text":
            texts.append(str((item.get("text") or {}).get("content") or "").strip())
        elif item.get("msgtype") == "image" and (item.get("image") or {}).get("url"):
            pictures.append(Attachment(AttachmentKind.PHOTO, item["image"]["url"], None, "image/jpeg"))
    return texts, tuple(pictures)


def stream_reply(stream_id: str, content: str, images: list[dict] | None = None) -> dict:
    """A finished stream message: the one passive answer WeCom accepts to a user's message."""
    stream: dict = {"id": stream_id, "finish": True, "content": content}
    if images:
        stream["msg_item"] = [{"msgtype": "image", "image": image} for image in images]
    return {"msgtype": "stream", "stream": stream}


def decrypt_file(aes_key: bytes, raw: bytes) -> bytes:
    """A downloaded picture: AES-256-CBC with the key's first 16 bytes as IV, padded to 32 bytes."""
    if not raw or len(raw) % 16:
        raise ValueError("not a whole number of AES blocks")
    decryptor = Cipher(algorithms.AES(aes_key), modes.CBC(aes_key[:16])).decryptor()
    plain = decryptor.update(raw) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= 32 or plain[-pad:] != bytes([pad]) * pad:
        raise ValueError("bad padding")
    return plain[:-pad]
