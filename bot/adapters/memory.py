"""An adapter that keeps what it sends in a list: for tests and for driving the bot from code."""

from __future__ import annotations

from bot.adapters.base import Adapter, Capabilities, MessageCallback
from bot.messages import OutgoingMessage


class MemoryAdapter(Adapter):
    def __init__(self, platform: str = "memory", capabilities: Capabilities | None = None) -> None:
        self.platform = platform
        self.capabilities = capabilities or Capabilities(max_text_length=4096)
        self.sent: list[OutgoingMessage] = []
        self.fail_next = False

    async def run(self, on_message: MessageCallback) -> None:
        raise RuntimeError("MemoryAdapter receives messages only through the dispatcher directly")

    async def send(self, message: OutgoingMessage) -> None:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("simulated network failure")
        if len(message.text) > self.capabilities.max_text_length:
            raise ValueError("text longer than the declared limit")
        self.sent.append(message)
