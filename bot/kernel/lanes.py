"""Per-chat lanes: messages of one chat are handled in order, different chats at the same time.

Every adapter hands its inbound messages to one `ChatLanes`. A busy group waiting out its flood limit
then delays only itself, never another school's group. `limit` bounds how many chats are worked on at
once (backpressure instead of database pool timeouts); `drain` lets a graceful stop finish what was
accepted.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

log = logging.getLogger("yanxiu.lanes")

Item = TypeVar("Item")


class ChatLanes(Generic[Item]):
    def __init__(self, work: Callable[[Item], Awaitable[None]], limit: int = 32) -> None:
        self._work = work
        self._queues: dict[Hashable, deque[Item]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(limit)

    def submit(self, lane: Hashable, item: Item) -> None:
        """Queue `item` behind the earlier items of its lane; start the lane if it was idle."""
        queue = self._queues.get(lane)
        if queue is not None:
            queue.append(item)
            return
        self._queues[lane] = deque([item])
        task = asyncio.get_running_loop().create_task(self._run(lane))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def backlog(self) -> int:
        """Items accepted and not yet finished (those being worked on included)."""
        return sum(len(queue) for queue in self._queues.values())

    async def _run(self, lane: Hashable) -> None:
        queue = self._queues[lane]
        async with self._slots:
            while queue:
                item = queue[0]
                try:
                    await self._work(item)
                except asyncio.CancelledError:
                    raise
                except Exception:  # noqa: BLE001 - one bad item must not stop its chat's lane
                    log.exception("lane work failed lane=%s", lane)
                finally:
                    queue.popleft()
        del self._queues[lane]

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait until every accepted item is finished; False if `timeout` ran out first."""
        try:
            async with asyncio.timeout(timeout):
                while self._tasks:
                    await asyncio.gather(*list(self._tasks), return_exceptions=True)
        except TimeoutError:
            return False
        return True

    async def cancel(self) -> None:
        """Stop at once; what was not finished is left to the platform's redelivery."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        self._queues.clear()
