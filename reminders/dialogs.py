"""Closing guided dialogs nobody answered, with a note so the teacher knows nothing was saved."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.kernel.clock import Clock
from bot.kernel.delivery import Delivery
from bot.i18n import Translator
from bot.kernel.messages import ChatKind, ChatRef, OutgoingMessage
from storage.repositories import Repositories

log = logging.getLogger("yanxiu.reminders")

SILENT_KINDS = {"files"}
"""Dialogs nobody was asked anything in (a photo kept for the next record) end without a note."""


async def expire_dialogs(
    session_factory: async_sessionmaker[AsyncSession],
    delivery: Delivery,
    translator: Translator,
    clock: Clock,
    minutes: int,
) -> int:
    """Claim every expired dialog of this platform exactly once and tell its owner; returns how many."""
    now = clock.now()
    platform = delivery.adapter.platform
    notes: list[OutgoingMessage] = []
    async with session_factory() as session, session.begin():
        repos = Repositories(session)
        for dialog in await repos.dialogs.expired(now):
            if dialog.platform != platform or not await repos.dialogs.claim_expired(dialog, now):
                continue
            if dialog.kind in SILENT_KINDS:
                continue
            member = await repos.members.by_account(dialog.platform, dialog.user_id)
            kind = ChatKind(dialog.chat_kind)
            what_key = f"dialog_kind_{dialog.kind}"
            text = translator(
                "dialog_expired", name=member.name if member else "", minutes=minutes,
                what=translator(what_key if translator.has(what_key) else "dialog_kind_record"),
            )
            notes.append(
                OutgoingMessage(
                    chat=ChatRef(dialog.platform, dialog.chat_id, kind),
                    text=text,
                    mention_user_id=dialog.user_id if kind is ChatKind.GROUP else None,
                )
            )
    if notes and delivery.capabilities.can_send_unprompted:
        await delivery.deliver(notes)
    if notes:
        log.info("dialogs expired count=%d", len(notes))
    return len(notes)
