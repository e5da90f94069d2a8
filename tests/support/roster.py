"""Putting people on the roster directly, as a finished roster import would have."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Member
from storage.repositories import Repositories


async def enrol(
    session_factory: async_sessionmaker[AsyncSession], name: str, school: str, now: datetime,
    roles: tuple[str, ...] = ("teacher",), reuse: bool = True,
) -> int:
    """The member id of `name` at `school`, adding them (and the school) if missing.

    With `reuse=False` a namesake is added even when someone of that name is already there.
    """
    async with session_factory() as session, session.begin():
        repos = Repositories(session)
        unit, _ = await repos.schools.get_or_create(school, now)
        existing = await repos.members.in_school(unit.id, name)
        if existing and reuse:
            return existing[0].id
        member = await repos.members.add(
            Member(name=name, school_id=unit.id, created_at=now, updated_at=now), roles=roles
        )
        return member.id
