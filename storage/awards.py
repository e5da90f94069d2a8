"""Who leads which unit and who holds a role: what awards and cuts need besides the scores."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Member, MemberRole, StudyGroup, Workshop


class UnitLeaders:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def leaders(self, unit: str) -> dict[str, list[tuple[int, str]]]:
        """Unit name → its current leaders (id, name): 坊主 of workshops, 组长 of groups."""
        role, model, column = (("workshop_leader", Workshop, Member.workshop_id) if unit == "workshop"
                               else ("leader", StudyGroup, Member.group_id))
        rows = await self.session.execute(
            select(model.name, Member.id, Member.name)
            .join(Member, column == model.id)
            .join(MemberRole, (MemberRole.member_id == Member.id) & (MemberRole.role == role))
            .where(Member.left_at.is_(None))
            .order_by(model.name, Member.id)
        )
        found: dict[str, list[tuple[int, str]]] = {}
        for unit_name, member_id, name in rows:
            found.setdefault(unit_name, []).append((member_id, name))
        return found

    async def holders(self, role: str) -> set[int]:
        rows = await self.session.scalars(select(MemberRole.member_id).where(MemberRole.role == role))
        return set(rows)
