"""Delivered marks, written in batches: while one batch is being written the next one gathers.

A morning burst answers hundreds of check-ins a second; one UPDATE per reply would cost as much as
storing the check-ins. A message whose mark is lost in a crash is at worst answered once more on
redelivery, which the idempotency record makes exact.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.kernel.clock import Clock
from storage.repositories import Repositories

log = logging.getLogger("yanxiu.receipts")

MessageKey = tuple[str, str, str]


class DeliveredMarks:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.session_factory, self.clock = session_factory, clock
        self.unconfirmed: set[MessageKey] = set()
        """Messages whose replies this worker is sending or has sent without the mark written yet: a
        redelivery of one of them is a duplicate, not a message to answer again."""
        self._pending: list[MessageKey] = []
        self._writer: asyncio.Task[None] | None = None
        self.batches = 0

    def add(self, key: MessageKey) -> None:
        self._pending.append(key)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write())

    async def _write(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                async with self.session_factory() as session, session.begin():
                    await Repositories(session).handled.mark_delivered(batch, self.clock.now())
                self.batches += 1
                self.unconfirmed.difference_update(batch)
            except Exception:  # noqa: BLE001 - the replies went out; a lost mark only risks a resend
                log.exception("could not mark %d messages delivered", len(batch))

    async def settle(self) -> None:
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)
