"""What DingTalk's Stream frames carry and what its robot APIs take: pure functions, no network.

A robot message (topic /v1.0/im/bot/messages/get) arrives as a CALLBACK frame whose `data` is a JSON
string. In a group (conversationType "2") the robot only receives messages that @ it; a private chat
(conversationType "1") delivers everything. Every message brings a `sessionWebhook`, a URL that
answers in the same conversation without a token until `sessionWebhookExpiredTime` (milliseconds).
"""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.kernel.messages import Attachment, AttachmentKind, ChatKind, ChatRef, IncomingMessage, Sender

PLATFORM = "dingtalk"
BOT_MESSAGE_TOPIC = "/v1.0/im/bot/messages/get"
PRIVATE_CONVERSATION, GROUP_CONVERSATION = "1", "2"


@dataclass(frozen=True)
class SessionWebhook:
    """A conversation's reply URL and the wall-clock second it stops working."""

    url: str
    expires_at: float


@dataclass(frozen=True)
class RobotMessage:
    incoming: IncomingMessage
    webhook: SessionWebhook | None
    robot_code: str | None


def parse_frame(raw: str) -> dict | None:
    """A Stream frame as a dict, its `data` still a string; None if it is not a JSON object."""
    try:
        frame = json.loads(raw)
    except ValueError:
        return None
    return frame if isinstance(frame, dict) else None


def ack(frame: dict, data: object, code: int = 200) -> str:
    """The answer to a frame: DingTalk redelivers a CALLBACK that is not acknowledged."""
    headers = frame.get("headers") or {}
    return json.dumps({
        "code": code,
        "headers": {"contentType": "application/json", "messageId": headers.get("messageId", "")},
        "message": "OK" if code == 200 else "error",
        "data": data if isinstance(data, str) else json.dumps(data),
    })


def to_robot_message(data: dict) -> RobotMessage | None:
    """The platform-neutral view of a robot message; None for what is not one for us.

    `mentions_bot` stays False: every group message a robot receives @-ed it, so the @ is how one
    talks to it here, not a sign of wanting an answer to chatter (QQ's optional @ is).
    """
    message_id = str(data.get("msgId") or "")
    user = str(data.get("senderStaffId") or data.get("senderId") or "")
    if not message_id or not user:
        return None
    group = str(data.get("conversationType")) == GROUP_CONVERSATION
    if group:
        chat = ChatRef(PLATFORM, str(data.get("conversationId") or ""), ChatKind.GROUP,
                       str(data.get("conversationTitle") or ""))
        if not chat.chat_id:
            return None
    else:
        chat = ChatRef(PLATFORM, user, ChatKind.PRIVATE)
    text, attachments = _content(data)
    if not text and not attachments:
        return None
    created = data.get("createAt")
    sent_at = datetime.fromtimestamp(int(created) / 1000, UTC) if str(created).isdigit() else datetime.now(UTC)
    incoming = IncomingMessage(
        chat=chat, sender=Sender(user, str(data.get("senderNick") or "")), message_id=message_id, text=text,
        sent_at=sent_at, attachments=attachments,
    )
    url, expires = data.get("sessionWebhook"), data.get("sessionWebhookExpiredTime")
    webhook = SessionWebhook(str(url), int(expires) / 1000) if url and str(expires).isdigit() else None
    return RobotMessage(incoming, webhook, data.get("robotCode") or None)


def _content(data: dict) -> tuple[str, tuple[Attachment, ...]]:
    kind, content = data.get("msgtype"), data.get("content") or {}
    if kind == "text":
        return str((data.get("text") or {}).get("content") or "").strip(), ()
    if kind == "picture" and content.get("downloadCode"):
        return "", (Attachment(AttachmentKind.PHOTO, content["downloadCode"], None, "image/jpeg"),)
    if kind == "file" and content.get("downloadCode"):
        name = content.get("fileName") or None
        mime = mimetypes.guess_type(name)[0] if name else None
        return "", (Attachment(AttachmentKind.DOCUMENT, content["downloadCode"], name, mime),)
    if kind == "richText":
        texts, pictures = [], []
        for item in content.get("richText") or []:
            if item.get("text"):
                texts.append(str(item["text"]))
            elif item.get("downloadCode"):
                pictures.append(Attachment(AttachmentKind.PHOTO, item["downloadCode"], None, "image/jpeg"))
        return "".join(texts).strip(), tuple(pictures)
    return "", ()


def text_body(text: str, mention_user_id: str | None) -> dict:
    """A session-webhook text message; an @ names the person and puts her id in atUserIds."""
    body: dict = {"msgtype": "text", "text": {"content": text}}
    if mention_user_id:
        body["at"] = {"atUserIds": [mention_user_id], "isAtAll": False}
    return body


def robot_text(text: str) -> tuple[str, str]:
    """(msgKey, msgParam) of a plain text through the robot OpenAPI."""
    return "sampleText", json.dumps({"content": text}, ensure_ascii=False)


def robot_image(media_id: str) -> tuple[str, str]:
    return "sampleImageMsg", json.dumps({"photoURL": media_id})


def robot_file(media_id: str, file_name: str) -> tuple[str, str]:
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else "file"
    return "sampleFile", json.dumps({"mediaId": media_id, "fileName": file_name, "fileType": extension},
                                    ensure_ascii=False)
