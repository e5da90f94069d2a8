"""Hours by category over any span (a school year, a five-year cycle) and the training platform's
bookings: the queries behind hour categories and the online-hours import."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.hours import ONLINE, Person
from storage.models import HoursLine, Member, School

PLATFORM_SOURCE = "platform:"
"""Ledger lines booked from the platform's export start with this source."""


class HoursTotals:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_category(self, first: date | None, last: date,
                          member_ids: list[int] | None = None) -> dict[int, dict[str, float]]:
        """Member → category → hours booked in [first, last] (from the beginning when `first` is None)."""
        query = (select(HoursLine.member_id, HoursLine.category, func.sum(HoursLine.hours))
                 .where(HoursLine.day <= last)
                 .group_by(HoursLine.member_id, HoursLine.category))
        if first is not None:
            query = query.where(HoursLine.day >= first)
        if member_ids is not None:
            query = query.where(HoursLine.member_id.in_(member_ids))
        totals: dict[int, dict[str, float]] = defaultdict(dict)
        for member_id, category, total in await self.session.execute(query):
            totals[member_id][category] = float(total or 0)
        return dict(totals)

    async def platform_booked(self) -> dict[int, float]:
        """Member → online hours earlier platform imports booked, all of them together."""
        rows = await self.session.execute(
            select(HoursLine.member_id, func.sum(HoursLine.hours))
            .where(HoursLine.category == ONLINE, HoursLine.source.startswith(PLATFORM_SOURCE))
            .group_by(HoursLine.member_id)
        )
        return {member_id: float(total or 0) for member_id, total in rows}

    async def people(self) -> list[Person]:
        """Current members, as the import matches them."""
        rows = await self.session.execute(
            select(Member.id, Member.name, School.name).join(School, School.id == Member.school_id)
            .where(Member.left_at.is_(None)).order_by(Member.id)
        )
        return [Person(*row) for row in rows]
