"""Record reviews: what a reviewer may see waiting, and storing a verdict."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.reviews import Unit
from storage.models import DeclaredRecord, DeclaredReview, Member, Mentorship, Record, RecordReview


@dataclass(frozen=True)
class ReviewedRecord:
    id: int
    author: Unit
    author_name: str
    kind: str
    title: str
    day: date
    grade: str  # this reviewer's grade so far, "" if none
    declared: bool = False  # a policy-declared kind's record (shown as D12); `kind` is then its name

    @property
    def ref(self) -> str:
        return f"D{self.id}" if self.declared else str(self.id)


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
                     apprentices: set[int], everyone: bool, declared: bool = False) -> list[ReviewedRecord]:
        """Kept records since `since` by the members this reviewer looks after, oldest first; with
        `declared`, the records of the policy-declared kinds instead."""
        scope = []
        if workshop_id is not None:
            scope.append(Member.workshop_id == workshop_id)
        if group_id is not None:
            scope.append(Member.group_id == group_id)
        if apprentices:
            scope.append(Member.id.in_(apprentices))
        if not everyone and not scope:
            return []
        table = DeclaredRecord if declared else Record
        condition = table.day >= since
        if not everyone:
            condition = and_(condition, or_(*scope))
        return await (self._declared(condition, reviewer_id) if declared else self._records(condition, reviewer_id))

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

    async def declared_record(self, record_id: int, reviewer_id: int) -> ReviewedRecord | None:
        found = await self._declared(DeclaredRecord.id == record_id, reviewer_id)
        return found[0] if found else None

    async def _declared(self, condition, reviewer_id: int) -> list[ReviewedRecord]:
        rows = await self.session.execute(
            select(DeclaredRecord.id, Member.id, Member.workshop_id, Member.group_id, Member.name, DeclaredRecord.kind,
                   DeclaredRecord.title, DeclaredRecord.day, DeclaredReview.grade)
            .join(Member, Member.id == DeclaredRecord.member_id)
            .outerjoin(DeclaredReview, (DeclaredReview.record_id == DeclaredRecord.id)
                       & (DeclaredReview.reviewer_id == reviewer_id))
            .where(condition, DeclaredRecord.withdrawn_at.is_(None), Member.left_at.is_(None))
            .order_by(DeclaredRecord.day, DeclaredRecord.id)
        )
        return [ReviewedRecord(record_id, Unit(member_id, workshop_id, group_id), name, kind, title, day, grade or "",
                               declared=True)
                for record_id, member_id, workshop_id, group_id, name, kind, title, day, grade in rows]

    async def save(self, review: RecordReview | DeclaredReview) -> bool:
        """Store the verdict; True when it replaces this reviewer's earlier one."""
        table = type(review)
        existing = await self.session.scalar(select(table).where(
            table.record_id == review.record_id, table.reviewer_id == review.reviewer_id))
        if existing is not None:
            existing.grade, existing.comment, existing.created_at = review.grade, review.comment, review.created_at
            await self.session.flush()
            return True
        self.session.add(review)
        await self.session.flush()
        return False

    async def of_records(self, record_ids: list[int]) -> dict[int, list[tuple[str, str, str]]]:
        """Record id → (reviewer name, grade, comment) for each review."""
        return await self._verdicts(RecordReview, record_ids)

    async def of_declared(self, record_ids: list[int]) -> dict[int, list[tuple[str, str, str]]]:
        """Declared record id → (reviewer name, grade, comment) for each review."""
        return await self._verdicts(DeclaredReview, record_ids)

    async def _verdicts(self, model: type[RecordReview | DeclaredReview],
                        record_ids: list[int]) -> dict[int, list[tuple[str, str, str]]]:
        if not record_ids:
            return {}
        rows = await self.session.execute(
            select(model.record_id, Member.name, model.grade, model.comment)
            .join(Member, Member.id == model.reviewer_id)
            .where(model.record_id.in_(record_ids))
            .order_by(model.id)
        )
        found: dict[int, list[tuple[str, str, str]]] = {}
        for record_id, name, grade, comment in rows:
            found.setdefault(record_id, []).append((name, grade, comment))
        return found

    async def lessons(self, kinds: list[str], first: date, last: date) -> list[Lesson]:
        """Kept lessons of these kinds in [first, last], oldest first, each with its verdicts."""
        if not kinds:
            return []
        rows = (await self.session.execute(
            select(DeclaredRecord.id, DeclaredRecord.kind, DeclaredRecord.day, DeclaredRecord.title,
                   DeclaredRecord.class_subject, Member.id, Member.name, Member.workshop_id, Member.group_id)
            .join(Member, Member.id == DeclaredRecord.member_id)
            .where(DeclaredRecord.kind.in_(kinds), DeclaredRecord.withdrawn_at.is_(None),
                   DeclaredRecord.day >= first, DeclaredRecord.day <= last, Member.left_at.is_(None))
            .order_by(DeclaredRecord.day, DeclaredRecord.id))).all()
        verdicts = await self.of_declared([row[0] for row in rows])
        return [Lesson(record_id, kind, day, title or "", subject or "", Unit(member_id, workshop_id, group_id), name,
                       tuple((reviewer, grade) for reviewer, grade, _ in verdicts.get(record_id, ())))
                for record_id, kind, day, title, subject, member_id, name, workshop_id, group_id in rows]


@dataclass(frozen=True)
class Lesson:
    """A lesson record (研究课, 送教课 …) with the grades its evaluators gave."""

    id: int
    kind: str
    day: date
    title: str
    class_subject: str
    teacher: Unit
    teacher_name: str
    verdicts: tuple[tuple[str, str], ...]  # (evaluator name, grade), in the order given
