"""The outbox: every scheduled or deferred message goes out through here, and only here.

Queuing (`queue_messages`) writes one row per destination chat under one key per event, in the
transaction of the change that causes it; the event's own row (no messages) says the event was
queued. Sending (`send_queued`) claims due rows, delivers them, marks them sent, or releases a row
whose send failed so the next sweep tries it again (up to the repository's attempt limit) — a chat
the bot was removed from is retried alone, and no chat is sent the same message twice.

Score charts are stored as what to draw, not as images: they are drawn here, in a worker thread,
just ahead of their send, so composing a thousand announcements holds no transaction open while
matplotlib runs, and drawing overlaps with the paced sending.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.kernel.clock import Clock
from bot.kernel.delivery import Delivery, outgoing_from_json, outgoing_to_json
from bot.kernel.messages import OutgoingMessage
from bot.kernel.metrics import REMINDERS_SENT
from bot.services.announcements import ChartToDraw, Planned, draw
from storage.repositories import Repositories

log = logging.getLogger("yanxiu.reminders")

STALE_CLAIM = timedelta(minutes=5)
"""A row claimed this long ago by a sender that never finished (it died) is claimed again."""
DRAW_AHEAD = 4
"""Charts drawn ahead of the send in progress: enough to keep the paced sender busy, little memory."""


def to_json(item: Planned) -> dict:
    if isinstance(item, ChartToDraw):
        return outgoing_to_json(OutgoingMessage(chat=item.chat, text=item.caption)) | {"chart": item.to_json()}
    return outgoing_to_json(item)


def from_json(data: dict) -> Planned:
    message = outgoing_from_json(data)
    if data.get("chart"):
        return ChartToDraw.from_json(message.chat, message.text, data["chart"])
    return message


async def queue_messages(
    repos: Repositories, key: str, kind: str, messages: list[Planned], now: datetime,
    expires_at: datetime | None = None,
) -> int:
    """Queue the event `key` once; 1 if it was new, 0 if it had been queued before (nothing added)."""
    if not await repos.outbox.enqueue(key, kind, [], now, expires_at):
        return 0
    by_chat: dict[tuple[str, str], list[dict]] = {}
    for message in messages:
        by_chat.setdefault((message.chat.platform, message.chat.chat_id), []).append(to_json(message))
    for (platform, chat_id), stored in by_chat.items():
        await repos.outbox.enqueue(f"{key}@{platform}:{chat_id}"[:120], kind, stored, now, expires_at)
    return 1


async def _ready(entries: list[tuple[str, str, list[dict]]]) -> AsyncIterator[tuple[str, str, list, list]]:
    """Each entry with its messages ready to send, charts drawn in a thread up to DRAW_AHEAD ahead."""
    ready: asyncio.Queue = asyncio.Queue(maxsize=DRAW_AHEAD)

    async def prepare() -> None:
        for key, kind, stored in entries:
            items = [from_json(data) for data in stored]
            if any(isinstance(item, ChartToDraw) for item in items):
                items = await asyncio.to_thread(lambda items=items: [
                    draw(item) if isinstance(item, ChartToDraw) else item for item in items])
            await ready.put((key, kind, stored, items))

    preparing = asyncio.create_task(prepare())
    try:
        for _ in entries:
            getter = asyncio.ensure_future(ready.get())
            await asyncio.wait({getter, preparing}, return_when=asyncio.FIRST_COMPLETED)
            if not getter.done():
                getter.cancel()
                preparing.result()  # drawing failed: raise it
            yield getter.result()
    finally:
        preparing.cancel()


async def send_queued(session_factory: async_sessionmaker[AsyncSession], delivery: Delivery, clock: Clock) -> int:
    """Deliver everything due; returns how many chat entries went out. A failed entry is released
    for the next sweep (and not tried again in this one)."""
    if not delivery.capabilities.can_send_unprompted:
        return 0
    sent, failed = 0, set()
    while True:
        async with session_factory() as session, session.begin():
            claimed = await Repositories(session).outbox.claim_due(clock.now(), STALE_CLAIM, skip=failed)
            entries = [(e.key, e.kind, list(e.messages)) for e in claimed]
        if not entries:
            return sent
        async for key, kind, stored, messages in _ready(entries):
            delivered = await delivery.deliver(messages) if messages else True
            async with session_factory() as session, session.begin():
                outbox = Repositories(session).outbox
                if delivered:
                    await outbox.mark_sent(key, clock.now())
                    if stored:  # an event's own row carries no messages
                        sent += 1
                        REMINDERS_SENT.inc(kind=kind)
                else:
                    failed.add(key)
                    await outbox.release(key)
                    log.warning("outbox send failed key=%s kind=%s", key, kind)
