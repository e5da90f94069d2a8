"""The one small interface every chat platform implements.

An adapter turns platform updates into `IncomingMessage`s, hands them to a callback, and sends
`OutgoingMessage`s. What a platform can and cannot do is declared as data (`Capabilities`) so
shared code adapts to it instead of asking which platform it runs on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.kernel.messages import Attachment, ChatRef, IncomingMessage, OutgoingMessage

MessageCallback = Callable[[IncomingMessage], Awaitable[None]]


@dataclass(frozen=True)
class Capabilities:
    max_text_length: int
    can_send_unprompted: bool = True
    can_send_private: bool = True
    can_send_files: bool = True
    can_send_images: bool = True
    can_mention: bool = True
    messages_per_second: float | None = None
    messages_per_chat_per_minute: int | None = None
    """Flood limits the shared sending code paces itself to (None: no limit known)."""
    buttons: bool = False
    """Replies' buttons are shown as something to press (otherwise the text alone must do)."""
    reads_group_chatter: bool = True
    """Plain group messages reach the bot (False: only commands, replies and @mentions do — Telegram's
    privacy mode), so whoever binds a group can be told how to fix it."""
    reactions: bool = False
    """`react` puts an emoji on a received message: the quietest acknowledgement a busy group can get."""
    edits: bool = False
    """`edit` changes the text of a message the bot sent (a check-in tally grows in place)."""


class PrivateChatUnavailable(Exception):
    """The platform refused a private message: the user never opened a chat with the bot, or blocked it."""


class RateLimited(Exception):
    """The platform refused a send for flooding; try again after `retry_after` seconds.

    `whole_bot` is True when the platform said the limit is the bot's overall one, False when it is
    this chat's, None when it did not say (the pacer then judges from its own count)."""

    def __init__(self, retry_after: float, whole_bot: bool | None = None) -> None:
        super().__init__(f"rate limited, retry after {retry_after:.1f}s")
        self.retry_after, self.whole_bot = retry_after, whole_bot


class FileUnavailable(Exception):
    """The platform could not hand over the file: expired, too large, or not supported here."""


class Adapter(ABC):
    platform: str
    capabilities: Capabilities
    replies_before_confirming: bool = False
    """The platform redelivers until we confirm, and we confirm by answering: then a message's replies
    must have gone out before `on_message` returns (a webhook), else they are sent in the background."""
    on_started: Callable[[], Awaitable[object]] | None = None
    """Awaited once the connection is up, before the first message is taken: the app answers there
    what an earlier run stored but never got to send (`Dispatcher.answer_unanswered`)."""
    command_menu: tuple[tuple[str, str], ...] = ()
    """(command, description) pairs a platform with a command menu may show its users."""

    @abstractmethod
    async def run(self, on_message: MessageCallback) -> None:
        """Receive updates until stopped, calling `on_message` for each through one `ChatLanes`:
        in order within a chat, different chats at the same time."""

    @abstractmethod
    async def send(self, message: OutgoingMessage) -> str | None:
        """Deliver one message whose text already fits `capabilities.max_text_length`; returns the
        sent message's id where the platform gives one. Flooding raises RateLimited."""

    async def react(self, chat: ChatRef, message_id: str, emoji: str) -> None:
        """Put `emoji` on a received message (only when `capabilities.reactions`)."""
        raise NotImplementedError(f"{self.platform} has no reactions")

    async def edit(self, chat: ChatRef, message_id: str, text: str) -> None:
        """Replace the text of a message the bot sent (only when `capabilities.edits`)."""
        raise NotImplementedError(f"{self.platform} cannot edit messages")

    async def stop(self) -> None:
        """Ask `run` to return; the default does nothing."""

    async def download(self, attachment: Attachment, max_bytes: int) -> bytes:
        """The attachment's content; raises FileUnavailable (also when it is larger than max_bytes)."""
        raise FileUnavailable(f"{self.platform} cannot download attachments")


def split_text(text: str, limit: int) -> list[str]:
    """Cut `text` into pieces of at most `limit` characters, preferring line breaks, then spaces."""
    if limit <= 0:
        raise ValueError("limit must be positive")
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = window.rfind("\n")
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces
