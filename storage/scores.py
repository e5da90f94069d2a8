"""Everything scoring needs, aggregated in SQL: one query per kind of activity for the whole program,
so recomputing ten thousand teachers' scores takes seconds, not a query per teacher."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.checkins import month_bounds
from bot.domain.scoring import Activity, month_key, month_of_key
from storage.models import (
    FrozenScore,
    HoursLine,
    Member,
    MemberRole,
    Record,
    RecordMonthCount,
    School,
    ScoreAdjustment,
    StudyGroup,
    TrainingMark,
    Workshop,
)


@dataclass(frozen=True)
class Assessed:
    """A teacher whose score is computed, with the units an announcement groups them by."""

    member_id: int
    name: str
    school_id: int
    school: str
    workshop_id: int | None
    workshop: str
    group: str
    joined_at: datetime | None = None
    """When the person was put on the roster: periods before are not owed."""


class Scores:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _rows(self, query):
        """Plain rows of an aggregate, without the ORM's per-row processing (a tenth of a second per
        hundred thousand rows)."""
        return (await (await self.session.connection()).execute(query)).all()

    async def assessed(
        self, *, school_id: int | None = None, workshop_id: int | None = None, group_id: int | None = None,
        staff_roles: Collection[str] = ("coordinator", "admin"),
    ) -> list[Assessed]:
        """Current members, optionally of one school or workshop: everyone on the roster except those
        whose every role is a staff role (bot.domain.roles.is_assessed, in SQL)."""
        other_role = exists().where(MemberRole.member_id == Member.id, MemberRole.role.notin_(list(staff_roles)))
        any_role = exists().where(MemberRole.member_id == Member.id)
        query = (
            select(Member.id, Member.name, Member.school_id, School.name, Member.workshop_id,
                   func.coalesce(Workshop.name, ""), func.coalesce(StudyGroup.name, ""), Member.created_at)
            .join(School, School.id == Member.school_id)
            .where(or_(other_role, ~any_role))
            .outerjoin(Workshop, Workshop.id == Member.workshop_id)
            .outerjoin(StudyGroup, StudyGroup.id == Member.group_id)
            .where(Member.left_at.is_(None))
            .order_by(Member.id)
        )
        if school_id is not None:
            query = query.where(Member.school_id == school_id)
        if workshop_id is not None:
            query = query.where(Member.workshop_id == workshop_id)
        if group_id is not None:
            query = query.where(Member.group_id == group_id)
        return [Assessed(*row) for row in await self._rows(query)]

    async def activities(self, period: str, first: date, last: date) -> dict[int, Activity]:
        """Every member's hours, records by month, observations, marks and adjustments in [first, last]."""
        hours: dict[int, dict[str, float]] = defaultdict(dict)
        for member_id, category, total in await self._rows(
            select(HoursLine.member_id, HoursLine.category, func.sum(HoursLine.hours))
            .with_hint(HoursLine, "INDEXED BY ix_hours_scoring", "sqlite")  # else SQLite walks the day index
            .where(HoursLine.day >= first, HoursLine.day <= last)
            .group_by(HoursLine.member_id, HoursLine.category)
        ):
            hours[member_id][category] = float(total or 0)
        monthly: dict[tuple[int, str], dict[tuple[int, int], int]] = defaultdict(dict)
        observations: dict[int, int] = defaultdict(int)
        for member_id, kind, month, count in await self._record_counts(first, last):
            if kind == "observation":
                observations[member_id] += count
            elif count:
                monthly[member_id, kind][month_of_key(month)] = count
        marks: dict[int, list[str]] = defaultdict(list)
        for member_id, mark, count in await self._rows(
            select(TrainingMark.member_id, TrainingMark.mark, func.count())
            .where(TrainingMark.day >= first, TrainingMark.day <= last)
            .group_by(TrainingMark.member_id, TrainingMark.mark)
        ):
            marks[member_id] += [mark] * count
        adjustments: dict[int, list[tuple[float, str]]] = defaultdict(list)
        for member_id, points, reason in await self._rows(
            select(ScoreAdjustment.member_id, ScoreAdjustment.points, ScoreAdjustment.reason)
            .where(ScoreAdjustment.period == period)
            .order_by(ScoreAdjustment.id)
        ):
            adjustments[member_id].append((float(points), reason))
        members = set(hours) | {m for m, _ in monthly} | set(observations) | set(marks) | set(adjustments)
        return {
            member_id: Activity(
                member_id=member_id,
                school_based_hours=hours[member_id].get("school", 0.0),
                online_hours=hours[member_id].get("online", 0.0),
                hours_by_category=dict(hours.get(member_id, {})),
                reflections=monthly.get((member_id, "reflection"), {}),
                cases=monthly.get((member_id, "case"), {}),
                observations=observations.get(member_id, 0),
                marks=tuple(marks.get(member_id, ())),
                adjustments=tuple(adjustments.get(member_id, ())),
            )
            for member_id in members
        }

    async def _record_counts(self, first: date, last: date) -> list[tuple[int, str, int, int]]:
        """(member, kind, month key, count) of the records in [first, last] that are not withdrawn.

        Whole months come from record_month_counts, which the database keeps in step with the
        records (a tenth of the rows a scan of the records would read). Records of the first and
        last month that fall outside the days are then taken back with a small query on the day index.
        """
        counts: dict[tuple[int, str, int], int] = defaultdict(int)
        months = (month_key(first), month_key(last))
        for member_id, kind, month, count in await self._rows(
            select(RecordMonthCount.member_id, RecordMonthCount.kind, RecordMonthCount.month_key,
                   RecordMonthCount.records)
            .where(RecordMonthCount.month_key >= months[0], RecordMonthCount.month_key <= months[1],
                   RecordMonthCount.records > 0)
        ):
            counts[member_id, kind, month] = count
        key = (Record.member_id, Record.kind, Record.month_key)
        edges = []  # the days of the first and last month outside [first, last]
        if first.day != 1:
            edges.append((Record.day >= first.replace(day=1)) & (Record.day < first))
        if last != month_bounds(last)[1]:
            edges.append((Record.day > last) & (Record.day <= month_bounds(last)[1]))
        for days in edges:  # one range per query: with OR between them the databases scan every record
            for member_id, kind, month, count in await self._rows(
                select(*key, func.count()).where(Record.withdrawn_at.is_(None), days).group_by(*key)
            ):
                counts[member_id, kind, month] -= count
        return [(*group, count) for group, count in counts.items()]

    async def frozen(self, period: str) -> dict[int, FrozenScore]:
        rows = await self.session.scalars(select(FrozenScore).where(FrozenScore.period == period))
        return {row.member_id: row for row in rows}

    async def freeze(self, rows: list[FrozenScore]) -> None:
        self.session.add_all(rows)
        await self.session.flush()

    async def unfreeze(self, period: str) -> int:
        result = await self.session.execute(delete(FrozenScore).where(FrozenScore.period == period))
        return result.rowcount

    async def adjust(self, adjustment: ScoreAdjustment) -> None:
        self.session.add(adjustment)
        await self.session.flush()

    async def mark(self, mark: TrainingMark) -> bool:
        """Record a training mark; False if this teacher already has one for that training and day."""
        existing = await self.session.scalar(
            select(TrainingMark).where(
                TrainingMark.member_id == mark.member_id, TrainingMark.title == mark.title,
                TrainingMark.day == mark.day,
            )
        )
        if existing is not None:
            existing.mark = mark.mark
            await self.session.flush()
            return False
        self.session.add(mark)
        await self.session.flush()
        return True


def period_key(start: date) -> str:
    """A semester is known by its first day."""
    return start.isoformat()

