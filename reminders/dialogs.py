"""Closing guided dialogs nobody answered, with a note so the teacher knows nothing was saved.

The dialog is deleted and its note queued in the outbox in one transaction: the note is sent (and
retried, if the send fails) like every other scheduled message, never lost with the dialog.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import Translator
from bot.kernel.clock import Clock
from bot.kernel.delivery import Delivery
from bot.kernel.messages import ChatKind, ChatRef, OutgoingMessage
from reminders.outbox import queue_messages, send_queued
from storage.repositories import Repositories

log = logging.getLogger("yanxiu.reminders")

SILENT_KINDS = {"files"}
"""Dialogs nobody was asked anything in (a photo kept for the next record) end without a note."""
NOTE_LIFETIME = timedelta(hours=12)
"""A note not delivered by then (the platform was down) is dropped: it would only confuse."""


async def queue_expired_dialogs(repos: Repositories, t: Translator, platform: str, now: datetime,
                                minutes: int) -> int:
    """Claim every expired dialog of this platform exactly once and queue its owner's note."""
    queued = 0
    for dialog in await repos.dialogs.expired(now):
        if dialog.platform != platform or not await repos.dialogs.claim_expired(dialog, now):
            continue
        if dialog.kind in SILENT_KINDS:
            continue
        member = await repos.members.by_account(dialog.platform, dialog.user_id)
        kind = ChatKind(dialog.chat_kind)
        what_key = f"dialog_kind_{dialog.kind}"
        text = t("dialog_expired", name=member.name if member else "", minutes=minutes,
                 what=t(what_key if t.has(what_key) else "dialog_kind_record"))
        note = OutgoingMessage(chat=ChatRef(dialog.platform, dialog.chat_id, kind), text=text,
                               mention_user_id=dialog.user_id if kind is ChatKind.GROUP else None)
        key = f"dialog:{dialog.platform}:{dialog.chat_id}:{dialog.user_id}:{dialog.expires_at:%Y%m%d%H%M%S}"
        queued += await queue_messages(repos, key, "dialog", [note], now, now + NOTE_LIFETIME)
    if queued:
        log.info("dialogs expired count=%d", queued)
    return queued


async def expire_dialogs(
    session_factory: async_sessionmaker[AsyncSession],
    delivery: Delivery,
    translator: Translator,
    clock: Clock,
    minutes: int,
) -> int:
    """Expire this platform's dialogs and send what the outbox holds; returns how many expired."""
    async with session_factory() as session, session.begin():
        queued = await queue_expired_dialogs(Repositories(session), translator, delivery.adapter.platform,
                                             clock.now(), minutes)
    await send_queued(session_factory, delivery, clock)
    return queued
