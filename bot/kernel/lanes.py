"""Per-chat lanes: items of one chat are worked on in order, different chats at the same time.

Every adapter hands its inbound messages to one `ChatLanes`, and delivery sends through another. A
busy group waiting out its flood limit then delays only itself, never another school's group.

`limit` bounds how many lanes work at once (backpressure instead of database pool timeouts; None:
no bound, as delivery needs, where a lane may sleep a minute for its group's limit). `room()` lets a
receiver stop reading while too much is queued; `drain` lets a graceful stop finish what was accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

log = logging.getLogger("yanxiu.lanes")

Item = TypeVar("Item")


class ChatLanes(Generic[Item]):
    def __init__(
        self, work: Callable[[Item], Awaitable[None]], limit: int | None = 32, max_backlog: int = 10_000
    ) -> None:
        self._work = work
        self._queues: dict[Hashable, deque[tuple[Item, asyncio.Future[None]]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(limit) if limit else None
        self._max_backlog = max_backlog
        self._backlog = 0
        self._changed = asyncio.Event()

    def submit(self, lane: Hashable, item: Item) -> asyncio.Future[None]:
        """Queue `item` behind the earlier items of its lane; start the lane if it was idle.

        The returned future is done when the item's work is (a failure is logged, never raised):
        a webhook can answer only then, polling need not wait for it."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._backlog += 1
        queue = self._queues.get(lane)
        if queue is not None:
            queue.append((item, done))
            return done
        self._queues[lane] = deque([(item, done)])
        task = asyncio.get_running_loop().create_task(self._run(lane))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return done

    @property
    def backlog(self) -> int:
        """Items accepted and not yet finished (those being worked on included)."""
        return self._backlog

    @property
    def busy_lanes(self) -> int:
        return len(self._queues)

    async def room(self) -> None:
        """Return once fewer than `max_backlog` items wait: a receiver awaits this before reading more."""
        while self._backlog >= self._max_backlog:
            self._changed.clear()
            await self._changed.wait()

    async def _run(self, lane: Hashable) -> None:
        queue = self._queues[lane]
        async with self._slots if self._slots is not None else contextlib.nullcontext():
            try:
                while queue:
                    item, done = queue[0]
                    try:
                        await self._work(item)
                    except asyncio.CancelledError:
                        raise
                    except Exception:  # noqa: BLE001 - one bad item must not stop its chat's lane
                        log.exception("lane work failed lane=%s", lane)
                    finally:
                        queue.popleft()
                        self._finished(done)
            finally:
                while queue:  # cancelled: what was not worked on is released, not lost silently
                    self._finished(queue.popleft()[1])
                del self._queues[lane]

    def _finished(self, done: asyncio.Future[None]) -> None:
        self._backlog -= 1
        if not done.done():
            done.set_result(None)
        self._changed.set()

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

    async def stop(self, timeout: float) -> None:
        """Finish what was accepted within `timeout`, then cancel the rest."""
        if not await self.drain(timeout):
            await self.cancel()
