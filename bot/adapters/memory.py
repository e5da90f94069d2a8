"""An adapter that keeps what it sends in a list: for tests and for driving the bot from code."""

from __future__ import annotations

from bot.kernel.adapter import Adapter, Capabilities, FileUnavailable, MessageCallback
from bot.kernel.messages import Attachment, ChatRef, OutgoingMessage


class MemoryAdapter(Adapter):
    def __init__(self, platform: str = "memory", capabilities: Capabilities | None = None) -> None:
        self.platform = platform
        self.capabilities = capabilities or Capabilities(max_text_length=4096)
        self.sent: list[OutgoingMessage] = []
        self.files: dict[str, bytes] = {}
        """file_ref → content that `download` hands out; any other reference is unavailable."""
        self.fail_next = False
        self.reactions: list[tuple[ChatRef, str, str]] = []
        self.edits: list[tuple[ChatRef, str, str]] = []

    async def run(self, on_message: MessageCallback) -> None:
        raise RuntimeError("MemoryAdapter receives messages only through the dispatcher directly")

    async def send(self, message: OutgoingMessage) -> str | None:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("simulated network failure")
        if len(message.text) > self.capabilities.max_text_length:
            raise ValueError("text longer than the declared limit")
        self.sent.append(message)
        return f"sent-{len(self.sent)}"

    async def react(self, chat: ChatRef, message_id: str, emoji: str) -> None:
        if not self.capabilities.reactions:
            raise NotImplementedError("reactions not declared")
        self.reactions.append((chat, message_id, emoji))

    async def edit(self, chat: ChatRef, message_id: str, text: str) -> None:
        if not self.capabilities.edits:
            raise NotImplementedError("edits not declared")
        self.edits.append((chat, message_id, text))

    async def download(self, attachment: Attachment, max_bytes: int) -> bytes:
        content = self.files.get(attachment.file_ref)
        if content is None:
            raise FileUnavailable(f"no file {attachment.file_ref!r}")
        if len(content) > max_bytes:
            raise FileUnavailable(f"file is {len(content)} bytes, more than {max_bytes}")
        return content
