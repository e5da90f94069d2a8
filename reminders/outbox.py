"""Queuing scheduled messages: one outbox row per destination chat, under one key per event.

The event's own row (no messages) says the event was queued; each chat's messages are a row of
their own, so a chat that fails (the bot was removed from it) is retried alone and the others are
never sent the same message again.
"""

from __future__ import annotations

from datetime import datetime

from bot.kernel.delivery import outgoing_to_json
from bot.kernel.messages import OutgoingMessage
from storage.repositories import Repositories


async def queue_messages(
    repos: Repositories, key: str, kind: str, messages: list[OutgoingMessage], now: datetime,
    expires_at: datetime | None = None,
) -> int:
    """Queue the event `key` once; 1 if it was new, 0 if it had been queued before (nothing added)."""
    if not await repos.outbox.enqueue(key, kind, [], now, expires_at):
        return 0
    by_chat: dict[tuple[str, str], list[dict]] = {}
    for message in messages:
        by_chat.setdefault((message.chat.platform, message.chat.chat_id), []).append(outgoing_to_json(message))
    for (platform, chat_id), stored in by_chat.items():
        await repos.outbox.enqueue(f"{key}@{platform}:{chat_id}"[:120], kind, stored, now, expires_at)
    return 1
