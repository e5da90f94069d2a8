"""Repositories for the program's structure: schools, workshops, study groups and bound chats."""

from __future__ import annotations

from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChatBinding, Member, School, StudyGroup, Workshop

Unit = TypeVar("Unit", School, Workshop, StudyGroup)


class _Units(Generic[Unit]):
    """What schools, workshops and groups share: unique names, renaming, archiving, head counts."""

    model: type[Unit]
    member_column: str

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_name(self, name: str) -> Unit | None:
        return await self.session.scalar(select(self.model).where(self.model.name == name))

    async def get(self, unit_id: int) -> Unit | None:
        return await self.session.get(self.model, unit_id)

    async def add(self, unit: Unit) -> Unit:
        self.session.add(unit)
        await self.session.flush()
        return unit

    async def listing(self, include_archived: bool = False) -> list[tuple[Unit, int]]:
        """Units by name, each with its number of current members."""
        column = getattr(Member, self.member_column)
        counts = (
            select(column.label("unit_id"), func.count().label("n"))
            .where(Member.left_at.is_(None))
            .group_by(column)
            .subquery()
        )
        query = (
            select(self.model, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.unit_id == self.model.id)
            .order_by(self.model.name)
        )
        if not include_archived:
            query = query.where(self.model.archived_at.is_(None))
        return [(unit, count) for unit, count in await self.session.execute(query)]

    async def update(self, unit: Unit, **values: object) -> Unit:
        """Change stored columns of one unit (name, role, subject, archived_at)."""
        for column, value in values.items():
            setattr(unit, column, value)
        await self.session.flush()
        return unit

    async def names(self) -> set[str]:
        return set(await self.session.scalars(select(self.model.name)))

    async def get_or_create(self, name: str, now: datetime) -> tuple[Unit, bool]:
        unit = await self.by_name(name)
        if unit is not None:
            return unit, False
        return await self.add(self.model(name=name, created_at=now)), True


class Schools(_Units[School]):
    model = School
    member_column = "school_id"

    async def partners_of(self, base_id: int) -> list[School]:
        """Current schools that name this 基地校 as theirs."""
        rows = await self.session.scalars(
            select(School).where(School.base_school_id == base_id, School.archived_at.is_(None)).order_by(School.name))
        return list(rows)


class Workshops(_Units[Workshop]):
    model = Workshop
    member_column = "workshop_id"


class StudyGroups(_Units[StudyGroup]):
    model = StudyGroup
    member_column = "group_id"


class ChatBindings:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, platform: str, chat_id: str) -> ChatBinding | None:
        return await self.session.get(ChatBinding, (platform, chat_id))

    async def bind(self, binding: ChatBinding) -> ChatBinding | None:
        """Bind the chat, replacing any earlier binding, which is returned (detached values)."""
        previous = await self.get(binding.platform, binding.chat_id)
        before = None
        if previous is not None:
            before = ChatBinding(
                platform=previous.platform, chat_id=previous.chat_id, scope=previous.scope,
                school_id=previous.school_id, workshop_id=previous.workshop_id,
                title=previous.title, bound_at=previous.bound_at,
            )
        await self.session.merge(binding)
        await self.session.flush()
        return before

    async def unbind(self, platform: str, chat_id: str) -> bool:
        result = await self.session.execute(
            delete(ChatBinding).where(ChatBinding.platform == platform, ChatBinding.chat_id == chat_id)
        )
        return bool(result.rowcount)

    async def for_schools(self, platform: str, school_ids: list[int], with_program: bool = True) -> list[ChatBinding]:
        """The chats of these schools, and (by default) the chats bound to the whole program."""
        condition = (ChatBinding.scope == "school") & ChatBinding.school_id.in_(school_ids)
        if with_program:
            condition = condition | (ChatBinding.scope == "program")
        rows = await self.session.scalars(
            select(ChatBinding).where(ChatBinding.platform == platform, condition).order_by(ChatBinding.chat_id)
        )
        return list(rows)

    async def all(self) -> list[ChatBinding]:
        rows = await self.session.scalars(
            select(ChatBinding).order_by(ChatBinding.scope, ChatBinding.platform, ChatBinding.chat_id)
        )
        return list(rows)
