"""Keeping attachments: downloaded when they arrive, checked, stored, and served back later.

Platforms' links expire (WeCom media after three days), so a record that only named the platform's
reference would lose its photos. Each accepted file is fetched at once, its type judged by its own
bytes, and kept in the file store; the record's attachment entry then carries `file_id`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.domain.files import safe_file_name, sniff
from bot.domain.policy import Files
from bot.kernel.adapter import FileUnavailable
from bot.kernel.dispatcher import UserError
from bot.kernel.messages import Attachment
from storage.files import FileStore
from storage.models import StoredFile
from storage.repositories import Repositories

log = logging.getLogger("yanxiu.files")

Download = Callable[[Attachment, int], Awaitable[bytes]]


@dataclass(frozen=True)
class Arrival:
    """Where a file came from: the sender and the platform that still holds it."""

    member_id: int | None
    platform: str
    now: datetime


async def keep_attachment(
    uow: Repositories, store: FileStore | None, download: Download, attachment: Attachment,
    rules: Files, arrival: Arrival,
) -> dict:
    """The attachment entry to save on a record; with a store, the file's bytes are kept too.

    Too large or of a refused kind → UserError (nothing is stored). A platform that cannot hand the
    file over right now leaves the entry with its reference only, as before, and says so in the log.
    """
    entry = {"kind": attachment.kind.value, "file_ref": attachment.file_ref,
             "file_name": attachment.file_name, "mime_type": attachment.mime_type, "size": attachment.size}
    if attachment.size is not None and attachment.size > rules.max_bytes:
        raise UserError("file_too_large", max_mb=rules.max_mb)
    if store is None:
        return entry
    try:
        content = await download(attachment, rules.max_bytes)
    except FileUnavailable:
        log.warning("file not kept platform=%s reason=unavailable", arrival.platform)
        return entry
    if len(content) > rules.max_bytes:
        raise UserError("file_too_large", max_mb=rules.max_mb)
    sniffed = sniff(content)
    if sniffed.kind not in rules.kinds:
        raise UserError("file_type_refused", kinds="、".join(KIND_LABELS.get(k, k) for k in rules.kinds))
    name = safe_file_name(attachment.file_name, sniffed, "图片" if sniffed.kind == "image" else "附件")
    sha256 = await store.put(content)
    row = await uow.files.add(StoredFile(
        member_id=arrival.member_id, sha256=sha256, size=len(content), kind=sniffed.kind,
        mime_type=sniffed.mime_type, file_name=name, platform=arrival.platform,
        file_ref=attachment.file_ref[:500], stored_at=arrival.now,
    ))
    return {**entry, "file_name": name, "mime_type": sniffed.mime_type, "size": len(content), "file_id": row.id}


async def read_kept(uow: Repositories, store: FileStore | None, file_id: int) -> tuple[StoredFile, bytes] | None:
    """A kept file's row and bytes, or None when it was never kept or has been erased."""
    if store is None:
        return None
    row = await uow.files.get(file_id)
    if row is None:
        return None
    content = await store.get(row.sha256)
    return None if content is None else (row, content)


async def forget_files(uow: Repositories, file_ids: list[int]) -> int:
    """Delete kept files' rows; their bytes go at the next sweep once no row refers to them (a
    rollback of this unit of work therefore never leaves a row without its bytes)."""
    await uow.files.remove(file_ids)
    return len(file_ids)


async def sweep_orphans(uow: Repositories, store: FileStore | None, older_than: datetime) -> int:
    """Remove stored bytes that no row refers to and that were written before `older_than` (a file
    being kept right now has its bytes written before its row is committed)."""
    if store is None:
        return 0
    removed = 0
    for sha256 in await store.keys(older_than):
        if not await uow.files.refers_to(sha256):
            await store.remove(sha256)
            removed += 1
    return removed


KIND_LABELS = {"image": "图片", "pdf": "PDF", "office": "Office 文档", "text": "文本", "audio": "音频",
               "video": "视频", "archive": "压缩包"}
