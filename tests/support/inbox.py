"""An `on_message` callback that collects what an adapter hands over, for adapter-level tests."""

from __future__ import annotations

import asyncio

from bot.kernel.messages import IncomingMessage


class Inbox:
    def __init__(self) -> None:
        self.messages: list[IncomingMessage] = []
        self._changed = asyncio.Event()

    async def __call__(self, message: IncomingMessage) -> None:
        self.messages.append(message)
        self._changed.set()

    async def wait_for(self, count: int, timeout: float = 5) -> list[IncomingMessage]:
        async with asyncio.timeout(timeout):
            while len(self.messages) < count:
                self._changed.clear()
                await self._changed.wait()
        return self.messages
