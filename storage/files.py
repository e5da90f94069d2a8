"""The file store: attachments' bytes on local disk, named by their SHA-256, plus their rows.

Content addressing makes storing idempotent (a redelivered photo is one file) and lets erasure
remove a blob only when no other row still points at it. Writes go to a temporary name first and
are renamed into place, so a crash never leaves half a file under a real name.

An S3-compatible backend is not built: `FileStore` is the seam where one would go.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import StoredFile


class FileStore(Protocol):
    async def put(self, content: bytes) -> str:
        """Keep the bytes; returns their SHA-256 (hex), the key to read them back."""

    async def get(self, sha256: str) -> bytes | None:
        """The bytes, or None when they are gone."""

    async def remove(self, sha256: str) -> None:
        """Forget the bytes (nothing happens when they are already gone)."""

    async def keys(self, older_than: datetime) -> list[str]:
        """Hashes of the bytes written before `older_than`."""


class LocalFileStore:
    """Files under one directory (`YANXIU_FILES_DIR`), two hex levels deep, readable by us only."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_of(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 key")
        return self.root / sha256[:2] / sha256

    async def put(self, content: bytes) -> str:
        sha256 = hashlib.sha256(content).hexdigest()
        await asyncio.to_thread(self._write, sha256, content)
        return sha256

    def _write(self, sha256: str, content: bytes) -> None:
        target = self.path_of(sha256)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = target.with_name(f".{sha256}.{os.getpid()}.tmp")
        with open(temporary, "wb", opener=lambda path, flags: os.open(path, flags, 0o600)) as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)

    async def get(self, sha256: str) -> bytes | None:
        path = self.path_of(sha256)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    async def remove(self, sha256: str) -> None:
        await asyncio.to_thread(self.path_of(sha256).unlink, missing_ok=True)

    async def keys(self, older_than: datetime) -> list[str]:
        return await asyncio.to_thread(self._keys, older_than.timestamp())

    def _keys(self, before: float) -> list[str]:
        if not self.root.is_dir():
            return []
        return [path.name for path in self.root.glob("??/*")
                if len(path.name) == 64 and path.stat().st_mtime < before]


class StoredFiles:
    """Rows of kept files."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: StoredFile) -> StoredFile:
        self.session.add(row)
        await self.session.flush()
        return row

    async def get(self, file_id: int) -> StoredFile | None:
        return await self.session.get(StoredFile, file_id)

    async def of_member(self, member_id: int) -> list[StoredFile]:
        return list(await self.session.scalars(select(StoredFile).where(StoredFile.member_id == member_id)))

    async def remove(self, file_ids: list[int]) -> list[str]:
        """Delete rows; returns the hashes no remaining row refers to (their blobs may go)."""
        if not file_ids:
            return []
        hashes = set(await self.session.scalars(select(StoredFile.sha256).where(StoredFile.id.in_(file_ids))))
        await self.session.execute(delete(StoredFile).where(StoredFile.id.in_(file_ids)))
        still_used = set(await self.session.scalars(
            select(StoredFile.sha256).where(StoredFile.sha256.in_(hashes)).group_by(StoredFile.sha256)
        ))
        return sorted(hashes - still_used)

    async def refers_to(self, sha256: str) -> bool:
        return await self.session.scalar(select(StoredFile.id).where(StoredFile.sha256 == sha256).limit(1)) is not None

    async def count(self) -> int:
        return await self.session.scalar(select(func.count()).select_from(StoredFile)) or 0

    async def stored_since(self, moment: datetime) -> list[StoredFile]:
        return list(await self.session.scalars(select(StoredFile).where(StoredFile.stored_at >= moment)))
