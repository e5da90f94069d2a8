"""Platform-neutral messages: what every adapter turns its updates into, and what handlers return.

Nothing here knows about Telegram, QQ or WeChat, so handlers written against these types run
unchanged on every platform.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class ChatKind(str, enum.Enum):
    PRIVATE = "private"
    GROUP = "group"


class AttachmentKind(str, enum.Enum):
    PHOTO = "photo"
    DOCUMENT = "document"
    STICKER = "sticker"
    VOICE = "voice"
    VIDEO = "video"
    OTHER = "other"


@dataclass(frozen=True)
class Attachment:
    """A file that came with a message, known by the platform's own reference (never downloaded here)."""

    kind: AttachmentKind
    file_ref: str
    file_name: str | None = None
    mime_type: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class Sender:
    user_id: str
    display_name: str = ""
    is_bot: bool = False
    username: str = ""
    """The public handle where the platform has one (Telegram's @username, without the @)."""


@dataclass(frozen=True)
class ChatRef:
    """Where a message came from or goes to: one chat on one platform."""

    platform: str
    chat_id: str
    kind: ChatKind = ChatKind.GROUP
    title: str = ""


@dataclass(frozen=True)
class IncomingMessage:
    """One inbound update, as every platform can describe it."""

    chat: ChatRef
    sender: Sender
    message_id: str
    text: str
    sent_at: datetime
    attachments: tuple[Attachment, ...] = ()
    edited: bool = False
    mentions_bot: bool = False

    @property
    def platform(self) -> str:
        return self.chat.platform

    @property
    def is_private(self) -> bool:
        return self.chat.kind is ChatKind.PRIVATE


@dataclass(frozen=True)
class OutgoingFile:
    """A file to send: either bytes we produced, or a reference the platform already holds."""

    file_name: str
    content: bytes | None = None
    file_ref: str | None = None
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Button:
    """One choice offered under a reply; pressing it sends `command` back as if the user typed it."""

    label: str
    command: str


@dataclass(frozen=True)
class Reply:
    """What a handler answers. By default it goes back to the chat the message came from.

    `private_to` asks for a private message to that platform user instead (adapters that cannot
    send private messages unprompted fall back to the originating chat, mentioning the user).

    `buttons` are shortcuts for commands the text already names: platforms without buttons show
    the text alone, so it must always tell the user what to type instead.
    """

    text: str
    reply_to_message: bool = True
    private_to: str | None = None
    chat: ChatRef | None = None
    file: OutgoingFile | None = None
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class OutgoingMessage:
    """A reply resolved to a concrete destination, ready for an adapter's `send`."""

    chat: ChatRef
    text: str
    reply_to_message_id: str | None = None
    file: OutgoingFile | None = None
    mention_user_id: str | None = None
    fallback_chat: ChatRef | None = None
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class Acknowledgement:
    """A quiet "got it" for a message in a group, instead of a reply that would flood it.

    `style` is "reaction" (an emoji on the message itself) or "tally" (the sender's name added to
    the chat's one running list for `day`); delivery falls back from reaction to tally where the
    platform has no reactions."""

    chat: ChatRef
    message_id: str
    name: str
    day: str
    style: str = "reaction"
