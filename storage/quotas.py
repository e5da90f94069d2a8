"""Records per member, kind and day: what weekly quotas are judged on (monthly ones use month keys);
the declared kinds' records their authors list, withdraw and change; unit sizes for the checks."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import (
    DeclaredRecord,
    DeclaredRevision,
    Member,
    MemberRole,
    Mentorship,
    Record,
    School,
    StudyGroup,
    Workshop,
)


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

    async def get_own(self, member_id: int, record_id: int) -> DeclaredRecord | None:
        """The record if it is `member_id`'s or they posted it (a coordinator's lesson post for a
        teacher), and it is not withdrawn."""
        return await self.session.scalar(select(DeclaredRecord).where(
            DeclaredRecord.id == record_id, _mine(member_id), DeclaredRecord.withdrawn_at.is_(None)))

    async def latest_own(self, member_id: int) -> DeclaredRecord | None:
        """The latest record `member_id` posted (for themselves or for a teacher), for /undo."""
        posted = or_(and_(DeclaredRecord.member_id == member_id, DeclaredRecord.posted_by_id.is_(None)),
                     DeclaredRecord.posted_by_id == member_id)
        return await self.session.scalar(
            select(DeclaredRecord).where(posted, DeclaredRecord.withdrawn_at.is_(None))
            .order_by(DeclaredRecord.created_at.desc(), DeclaredRecord.id.desc()).limit(1))

    async def recent(self, member_id: int, limit: int) -> list[DeclaredRecord]:
        return list(await self.session.scalars(
            select(DeclaredRecord).where(DeclaredRecord.member_id == member_id, DeclaredRecord.withdrawn_at.is_(None))
            .order_by(DeclaredRecord.day.desc(), DeclaredRecord.id.desc()).limit(limit)))

    async def between(self, first: date, last: date, member_id: int | None = None) -> list[DeclaredRecord]:
        """Kept records in [first, last] (one member's, or everyone's), by kind, day and id."""
        query = select(DeclaredRecord).where(DeclaredRecord.withdrawn_at.is_(None), DeclaredRecord.day >= first,
                                             DeclaredRecord.day <= last)
        if member_id is not None:
            query = query.where(DeclaredRecord.member_id == member_id)
        return list(await self.session.scalars(query.order_by(DeclaredRecord.kind, DeclaredRecord.day,
                                                              DeclaredRecord.id)))

    async def report_rows(self, first: date, last: date, school_id: int | None = None,
                          workshop_id: int | None = None) -> list[tuple]:
        """(id, kind, name, school, workshop, day, title, class_subject, about, created_at, body, attachments)
        of the kept records in [first, last], by kind, school, teacher and day."""
        query = (
            select(DeclaredRecord.id, DeclaredRecord.kind, Member.name, School.name, func.coalesce(Workshop.name, ""),
                   DeclaredRecord.day, DeclaredRecord.title, DeclaredRecord.class_subject, DeclaredRecord.about_name,
                   DeclaredRecord.created_at, DeclaredRecord.body, DeclaredRecord.attachments)
            .join(Member, Member.id == DeclaredRecord.member_id)
            .join(School, School.id == Member.school_id)
            .outerjoin(Workshop, Workshop.id == Member.workshop_id)
            .where(DeclaredRecord.withdrawn_at.is_(None), DeclaredRecord.day >= first, DeclaredRecord.day <= last)
            .order_by(DeclaredRecord.kind, School.name, Member.name, DeclaredRecord.day, DeclaredRecord.id)
        )
        if school_id is not None:
            query = query.where(Member.school_id == school_id)
        if workshop_id is not None:
            query = query.where(Member.workshop_id == workshop_id)
        return [tuple(row) for row in await self.session.execute(query)]

    async def names(self, member_ids: set[int]) -> dict[int, str]:
        if not member_ids:
            return {}
        rows = await self.session.execute(select(Member.id, Member.name).where(Member.id.in_(member_ids)))
        return {member_id: name for member_id, name in rows}

    async def withdraw(self, record: DeclaredRecord, now: datetime) -> None:
        record.withdrawn_at = now
        await self.session.flush()

    async def replace_text(self, record: DeclaredRecord, title: str, body: str, now: datetime) -> int:
        """The new text replaces the old, which is kept as a revision; returns the record's new version."""
        self.session.add(DeclaredRevision(record_id=record.id, title=record.title or "", body=record.body or "",
                                          replaced_at=now))
        record.title, record.body, record.updated_at = title[:200], body, now
        record.version = (record.version or 1) + 1
        await self.session.flush()
        return record.version


def _mine(member_id: int):
    return or_(DeclaredRecord.member_id == member_id, DeclaredRecord.posted_by_id == member_id)


class GroupSizes:
    """What the unit-size checks read: members per study group, apprentices per mentor."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def groups(self) -> list[tuple[str, int]]:
        """Every study group with its current members, by name (empty groups too)."""
        rows = await self.session.execute(
            select(StudyGroup.name, func.count(Member.id))
            .outerjoin(Member, (Member.group_id == StudyGroup.id) & Member.left_at.is_(None))
            .group_by(StudyGroup.id, StudyGroup.name).order_by(StudyGroup.name))
        return [(name, count) for name, count in rows]

    async def holding(self, role: str) -> int:
        """How many current members hold `role`."""
        return await self.session.scalar(
            select(func.count(Member.id)).join(MemberRole, MemberRole.member_id == Member.id)
            .where(MemberRole.role == role, Member.left_at.is_(None))) or 0

    async def mentors(self) -> list[tuple[str, int]]:
        """Every mentor with apprentices, and how many current ones."""
        apprentice = aliased(Member)
        mentor = aliased(Member)
        rows = await self.session.execute(
            select(mentor.name, func.count(apprentice.id))
            .select_from(Mentorship)
            .join(mentor, mentor.id == Mentorship.mentor_id)
            .join(apprentice, apprentice.id == Mentorship.apprentice_id)
            .where(mentor.left_at.is_(None), apprentice.left_at.is_(None))
            .group_by(mentor.id, mentor.name).order_by(mentor.name))
        return [(name, count) for name, count in rows]
