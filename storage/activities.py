"""Repository for activities (集体备课, 小组研讨 …) and their attendance rolls."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Activity, ActivityAttendance, Member, MemberRole

UNIT_COLUMNS = {"school": Member.school_id, "workshop": Member.workshop_id, "group": Member.group_id}


class Activities:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, activity: Activity) -> Activity:
        self.session.add(activity)
        await self.session.flush()
        return activity

    async def get(self, activity_id: int) -> Activity | None:
        return await self.session.get(Activity, activity_id)

    async def with_status(self, *statuses: str) -> list[Activity]:
        rows = await self.session.scalars(
            select(Activity).where(Activity.status.in_(statuses)).order_by(Activity.planned_start, Activity.id)
        )
        return list(rows)

    async def between(self, start: datetime, end: datetime, *statuses: str) -> list[Activity]:
        """Activities planned to start in [start, end), of the given statuses (any when none given)."""
        query = select(Activity).where(Activity.planned_start >= start, Activity.planned_start < end)
        if statuses:
            query = query.where(Activity.status.in_(statuses))
        return list(await self.session.scalars(query.order_by(Activity.planned_start, Activity.id)))

    async def arrivals(self, activity_id: int) -> dict[int, datetime]:
        rows = await self.session.execute(
            select(ActivityAttendance.member_id, ActivityAttendance.arrived_at)
            .where(ActivityAttendance.activity_id == activity_id)
        )
        return {member_id: arrived_at for member_id, arrived_at in rows}

    async def arrival(self, activity_id: int, member_id: int) -> ActivityAttendance | None:
        return await self.session.scalar(select(ActivityAttendance).where(
            ActivityAttendance.activity_id == activity_id, ActivityAttendance.member_id == member_id))

    async def mark(self, activity_id: int, member_id: int, at: datetime, marked_by: str) -> bool:
        """Mark the member present from `at`; False if already marked (the first mark stands)."""
        if await self.arrival(activity_id, member_id) is not None:
            return False
        self.session.add(ActivityAttendance(activity_id=activity_id, member_id=member_id, arrived_at=at,
                                            marked_by=marked_by[:120], excused=False))
        await self.session.flush()
        return True

    async def unmark(self, activity_id: int, member_id: int) -> bool:
        result = await self.session.execute(delete(ActivityAttendance).where(
            ActivityAttendance.activity_id == activity_id, ActivityAttendance.member_id == member_id))
        return bool(result.rowcount)

    async def unit_members(self, unit_kind: str, unit_id: int | None) -> list[tuple[Member, frozenset[str]]]:
        """Current members of the unit (everyone, for the program), each with their roles, by id."""
        query = select(Member).where(Member.left_at.is_(None)).order_by(Member.id)
        if unit_kind != "program":
            query = query.where(UNIT_COLUMNS[unit_kind] == unit_id)
        members = list(await self.session.scalars(query))
        roles: dict[int, set[str]] = {}
        if members:
            rows = await self.session.execute(
                select(MemberRole.member_id, MemberRole.role)
                .where(MemberRole.member_id.in_([member.id for member in members]))
            )
            for member_id, role in rows:
                roles.setdefault(member_id, set()).add(role)
        return [(member, frozenset(roles.get(member.id, ()))) for member in members]
