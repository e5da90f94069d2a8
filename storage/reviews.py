"""Record reviews: what a reviewer may see waiting, and storing a verdict."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.reviews import Unit
from storage.models import Member, Mentorship, Record, RecordReview


@dataclass(frozen=True)
class ReviewedRecord:
    id: int
    author: Unit
    author_name: str
    kind: str
    title: str
    day: date
    grade: str  # this reviewer's grade so far, "" if none


class Reviews:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def unit_of(self, member_id: int) -> Unit | None:
        row = (await self.session.execute(
            select(Member.id, Member.workshop_id, Member.group_id).where(Member.id == member_id))).first()
        return Unit(*row) if row else None

    async def apprentices(self, mentor_id: int) -> set[int]:
        return set(await self.session.scalars(
            select(Mentorship.apprentice_id).where(Mentorship.mentor_id == mentor_id)))

    async def record(self, record_id: int, reviewer_id: int) -> ReviewedRecord | None:
        found = await self._records(Record.id == record_id, reviewer_id)
        return found[0] if found else None

    async def recent(self, since: date, reviewer_id: int, *, workshop_id: int | None, group_id: int | None,
                     apprentices: set[int], everyone: bool) -> list[ReviewedRecord]:
        """Kept records since `since` by the members this reviewer looks after, oldest first."""
        scope = []
        if workshop_id is not None:
            scope.append(Member.workshop_id == workshop_id)
        if group_id is not None:
            scope.append(Member.group_id == group_id)
        if apprentices:
            scope.append(Member.id.in_(apprentices))
        if not everyone and not scope:
            return []
        condition = Record.day >= since
        if not everyone:
            condition = and_(condition, or_(*scope))
        return await self._records(condition, reviewer_id)

    async def _records(self, condition, reviewer_id: int) -> list[ReviewedRecord]:
        rows = await self.session.execute(
            select(Record.id, Member.id, Member.workshop_id, Member.group_id, Member.name, Record.kind,
                   Record.title, Record.day, RecordReview.grade)
            .join(Member, Member.id == Record.member_id)
            .outerjoin(RecordReview, (RecordReview.record_id == Record.id) & (RecordReview.reviewer_id == reviewer_id))
            .where(condition, Record.withdrawn_at.is_(None), Member.left_at.is_(None))
            .order_by(Record.day, Record.id)
        )
        return [ReviewedRecord(record_id, Unit(member_id, workshop_id, group_id), name, kind, title, day, grade or "")
                for record_id, member_id, workshop_id, group_id, name, kind, title, day, grade in rows]

    async def save(self, review: RecordReview) -> bool:
        """Store the verdict; True when it replaces this reviewer's earlier one."""
        existing = await self.session.scalar(select(RecordReview).where(
            RecordReview.record_id == review.record_id, RecordReview.reviewer_id == review.reviewer_id))
        if existing is not None:
            existing.grade, existing.comment, existing.created_at = review.grade, review.comment, review.created_at
            await self.session.flush()
            return True
        self.session.add(review)
        await self.session.flush()
        return False

    async def of_records(self, record_ids: list[int]) -> dict[int, list[tuple[str, str, str]]]:
        """Record id → (reviewer name, grade, comment) for each review."""
        rows = await self.session.execute(
            select(RecordReview.record_id, Member.name, RecordReview.grade, RecordReview.comment)
            .join(Member, Member.id == RecordReview.reviewer_id)
            .where(RecordReview.record_id.in_(record_ids))
            .order_by(RecordReview.id)
        )
        found: dict[int, list[tuple[str, str, str]]] = {}
        for record_id, name, grade, comment in rows:
            found.setdefault(record_id, []).append((name, grade, comment))
        return found
