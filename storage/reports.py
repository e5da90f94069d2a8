"""Rows for exports and the monthly briefing, straight from SQL (one query per sheet)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CheckIn, HoursLine, Member, Record, School, Workshop


class Reports:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _scoped(self, query, school_id: int | None, workshop_id: int | None, group_id: int | None = None):
        if school_id is not None:
            query = query.where(Member.school_id == school_id)
        if workshop_id is not None:
            query = query.where(Member.workshop_id == workshop_id)
        if group_id is not None:
            query = query.where(Member.group_id == group_id)
        return query

    async def records(self, first: date, last: date, school_id: int | None = None,
                      workshop_id: int | None = None, group_id: int | None = None) -> list[tuple]:
        query = (
            select(Record.id, Member.name, School.name, func.coalesce(Workshop.name, ""), Record.kind, Record.day,
                   Record.title, func.length(Record.body), Record.observed_name, Record.class_subject,
                   Record.created_at, Record.body, Record.attachments)
            .join(Member, Member.id == Record.member_id)
            .join(School, School.id == Member.school_id)
            .outerjoin(Workshop, Workshop.id == Member.workshop_id)
            .where(Record.withdrawn_at.is_(None), Record.day >= first, Record.day <= last)
            .order_by(School.name, Member.name, Record.day, Record.id)
        )
        query = self._scoped(query, school_id, workshop_id, group_id)
        return [tuple(row) for row in await self.session.execute(query)]

    async def checkins(self, first: date, last: date, school_id: int | None = None,
                       workshop_id: int | None = None, group_id: int | None = None) -> list[tuple]:
        """(name, school, workshop, day, checked_at, platform), by school, teacher and day."""
        query = (
            select(Member.name, School.name, func.coalesce(Workshop.name, ""), CheckIn.day, CheckIn.checked_at,
                   CheckIn.platform)
            .join(Member, Member.id == CheckIn.member_id)
            .join(School, School.id == Member.school_id)
            .outerjoin(Workshop, Workshop.id == Member.workshop_id)
            .where(CheckIn.day >= first, CheckIn.day <= last)
            .order_by(School.name, Member.name, CheckIn.day)
        )
        query = self._scoped(query, school_id, workshop_id, group_id)
        return [tuple(row) for row in await self.session.execute(query)]

    async def hours(self, first: date, last: date, school_id: int | None = None,
                    workshop_id: int | None = None, group_id: int | None = None) -> list[tuple]:
        query = (
            select(Member.name, School.name, HoursLine.day, HoursLine.category, HoursLine.hours, HoursLine.minutes,
                   HoursLine.source, HoursLine.description)
            .join(Member, Member.id == HoursLine.member_id)
            .join(School, School.id == Member.school_id)
            .where(HoursLine.day >= first, HoursLine.day <= last)
            .order_by(School.name, Member.name, HoursLine.day, HoursLine.id)
        )
        query = self._scoped(query, school_id, workshop_id, group_id)
        return [tuple(row) for row in await self.session.execute(query)]

    async def counts(self, first: date, last: date) -> dict[str, int]:
        """Activity counts for a briefing: check-ins, each kind of record, teachers who took part."""
        checkins = await self.session.scalar(
            select(func.count()).select_from(CheckIn).where(CheckIn.day >= first, CheckIn.day <= last)
        )
        found = {"checkins": checkins or 0}
        for kind, count in await self.session.execute(
            select(Record.kind, func.count())
            .where(Record.withdrawn_at.is_(None), Record.day >= first, Record.day <= last)
            .group_by(Record.kind)
        ):
            found[kind] = count
        found["active"] = await self.session.scalar(
            select(func.count(func.distinct(Record.member_id)))
            .where(Record.withdrawn_at.is_(None), Record.day >= first, Record.day <= last)
        ) or 0
        return found

    async def longest_records(self, first: date, last: date, limit: int = 5) -> list[tuple[str, str, str]]:
        """Highlights: the fullest reflections and cases of the month (teacher, kind, title)."""
        rows = await self.session.execute(
            select(Member.name, Record.kind, Record.title)
            .join(Member, Member.id == Record.member_id)
            .where(Record.withdrawn_at.is_(None), Record.day >= first, Record.day <= last,
                   Record.kind.in_(("reflection", "case")), Record.title != "")
            .order_by(func.length(Record.body).desc(), Record.id)
            .limit(limit)
        )
        return [tuple(row) for row in rows]
