"""Records per member, kind and day: what weekly quotas are judged on (monthly ones use month keys)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Record


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
