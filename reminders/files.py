"""Keeping attachments: the bytes of files that came with records are fetched after the record is
stored, and kept in the file store before the platform's link expires (WeCom media: three days).

Fetching happens outside the message's transaction (a 20 MB download must not hold SQLite's write
lock), one file per short transaction, and retries on the next sweep when the platform is slow.
A file of a refused kind or size is marked as not kept; the record keeps its text either way.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.policy import Files
from bot.kernel.clock import Clock
from bot.kernel.dispatcher import UserError
from bot.kernel.messages import Attachment, AttachmentKind
from bot.services.files import Arrival, Download, keep_attachment
from storage.files import FileStore
from storage.models import Record
from storage.repositories import Repositories

log = logging.getLogger("yanxiu.files")

WINDOW = timedelta(days=3)
"""Records this recent are looked at: older platform links have expired anyway."""
MAX_ATTEMPTS = 5
KEPT_KINDS = {AttachmentKind.PHOTO.value, AttachmentKind.DOCUMENT.value}


async def keep_files(
    session_factory: async_sessionmaker[AsyncSession], store: FileStore | None, download: Download,
    rules: Files, clock: Clock, limit: int = 50,
) -> int:
    """Fetch and keep up to `limit` files not kept yet; returns how many were kept."""
    if store is None:
        return 0
    async with session_factory() as session:
        rows = await session.execute(
            select(Record.id, Record.member_id, Record.platform, Record.attachments)
            .where(Record.created_at >= clock.now() - WINDOW, Record.withdrawn_at.is_(None))
            .order_by(Record.id)
        )
        waiting = [(record_id, member_id, platform, index, entry)
                   for record_id, member_id, platform, entries in rows
                   for index, entry in enumerate(entries or []) if _waiting(entry)][:limit]
    kept = 0
    for record_id, member_id, platform, index, entry in waiting:
        attachment = Attachment(AttachmentKind(entry["kind"]), entry["file_ref"], entry.get("file_name"),
                                entry.get("mime_type"), entry.get("size"))
        async with session_factory() as session, session.begin():  # no SQL (no lock) until the bytes are here
            try:
                updated = await keep_attachment(Repositories(session), store, download, attachment, rules,
                                                Arrival(member_id, platform, clock.now()))
            except UserError as refused:
                updated = {**entry, "kept": False, "refused": refused.key}
            if "file_id" not in updated and "kept" not in updated:  # the platform could not hand it over now
                attempts = entry.get("keep_attempts", 0) + 1
                updated = {**entry, "keep_attempts": attempts, **({"kept": False} if attempts >= MAX_ATTEMPTS else {})}
            record = await session.get(Record, record_id)
            if record is None or index >= len(record.attachments or []):
                continue  # erased or purged meanwhile: the orphan sweep removes the bytes
            entries = list(record.attachments)
            entries[index] = updated
            record.attachments = entries
            kept += "file_id" in updated
    if kept:
        log.info("files kept count=%d", kept)
    return kept


def _waiting(entry: object) -> bool:
    return (isinstance(entry, dict) and entry.get("kind") in KEPT_KINDS and "file_id" not in entry
            and entry.get("kept") is not False and bool(entry.get("file_ref")))
