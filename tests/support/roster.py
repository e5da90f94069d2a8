"""Putting people on the roster directly, as a finished roster import would have."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.identity import CODE_ALPHABET, CODE_LENGTH, code_hash, format_code
from storage.models import Member
from storage.repositories import Repositories


async def enrol(
    session_factory: async_sessionmaker[AsyncSession], name: str, school: str, now: datetime,
    roles: tuple[str, ...] = ("teacher",), reuse: bool = True, account: tuple[str, str] | None = None,
) -> int:
    """The member id of `name` at `school`, adding them (and the school) if missing.

    With `reuse=False` a namesake is added even when someone of that name is already there.
    `account` (platform, user id) is the account the roster names for them: it links on its first message.
    """
    async with session_factory() as session, session.begin():
        repos = Repositories(session)
        unit, _ = await repos.schools.get_or_create(school, now)
        existing = await repos.members.in_school(unit.id, name)
        if existing and reuse:
            member_id = existing[0].id
        else:
            member_id = (await repos.members.add(
                Member(name=name, school_id=unit.id, created_at=now, updated_at=now), roles=roles
            )).id
        if account is not None:
            await repos.roster_accounts.put(member_id, *account)
        return member_id


async def invitation(session_factory: async_sessionmaker[AsyncSession], member_id: int, now: datetime) -> str:
    """A one-time code for the member, as /invite would hand out (without its audit line)."""
    async with session_factory() as session, session.begin():
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        await Repositories(session).invitations.issue(member_id, code_hash(code), now, "test")
        return format_code(code)
