"""Records per member, kind and day: what weekly quotas are judged on (monthly ones use month keys)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DeclaredRecord, Record


class RecordDays:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def counts(self, first: date, last: date) -> dict[int, dict[str, dict[date, int]]]:
        """Member → kind → day → records kept (not withdrawn) in [first, last]."""
        rows = await self.session.execute(
            select(Record.member_id, Record.kind, Record.day, func.count())
            .where(Record.withdrawn_at.is_(None), Record.day >= first, Record.day <= last)
            .group_by(Record.member_id, Record.kind, Record.day)
        )
        found: dict[int, dict[str, dict[date, int]]] = defaultdict(lambda: defaultdict(dict))
        for member_id, kind, day, count in rows:
            found[member_id][kind][day] = count
        return {member: {kind: dict(days) for kind, days in kinds.items()} for member, kinds in found.items()}


class DeclaredRecords:
    """Records of the kinds a program declares: storing one, and counting them by day."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, record: DeclaredRecord) -> DeclaredRecord | None:
        """Store it; None when this message was already stored (a redelivery)."""
        existing = await self.session.scalar(select(DeclaredRecord).where(
            DeclaredRecord.platform == record.platform, DeclaredRecord.chat_id == record.chat_id,
            DeclaredRecord.message_id == record.message_id))
        if existing is not None:
            return None
        self.session.add(record)
        await self.session.flush()
        return record

    async def count(self, member_id: int, kind: str, first: date, last: date) -> int:
        return await self.session.scalar(
            select(func.count()).select_from(DeclaredRecord)
            .where(DeclaredRecord.member_id == member_id, DeclaredRecord.kind == kind,
                   DeclaredRecord.withdrawn_at.is_(None), DeclaredRecord.day >= first, DeclaredRecord.day <= last)
        ) or 0

    async def counts(self, first: date, last: date) -> dict[int, dict[str, dict[date, int]]]:
        """Member → kind → day → declared records kept in [first, last]."""
        rows = await self.session.execute(
            select(DeclaredRecord.member_id, DeclaredRecord.kind, DeclaredRecord.day, func.count())
            .where(DeclaredRecord.withdrawn_at.is_(None), DeclaredRecord.day >= first, DeclaredRecord.day <= last)
            .group_by(DeclaredRecord.member_id, DeclaredRecord.kind, DeclaredRecord.day)
        )
        found: dict[int, dict[str, dict[date, int]]] = defaultdict(lambda: defaultdict(dict))
        for member_id, kind, day, count in rows:
            found[member_id][kind][day] = count
        return {member: {kind: dict(days) for kind, days in kinds.items()} for member, kinds in found.items()}
