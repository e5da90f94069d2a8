"""Who changed what: the audit log every organiser action writes, from chat or the command line.

One `Actor` shape for both paths, so `/audit` reads the same kind of line whichever way a change
was made, and the rules that depend on who acts (only administrators touch coordinator powers)
are checked in the services, not in each front end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.roles import ADMIN
from storage.models import AuditEntry
from storage.repositories import Repositories


@dataclass(frozen=True)
class Actor:
    """The person (or operator) behind a change."""

    label: str
    """As the audit log names them: `王芳 (telegram:123)` or `cli:root`."""
    member_id: int | None = None
    roles: frozenset[str] = frozenset()

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.roles


def operator(user: str) -> Actor:
    """Someone at the server's command line: they hold the database, so they act as an administrator."""
    return Actor(label=f"cli:{user}"[:120], roles=frozenset({ADMIN}))


async def record(
    uow: Repositories, actor: Actor, now: datetime, action: str, target: str,
    before: dict | None = None, after: dict | None = None,
) -> None:
    """One audit line, in the same unit of work as the change it describes."""
    await uow.audit.add(AuditEntry(
        at=now, actor=actor.label[:120], actor_member_id=actor.member_id,
        action=action, target=target[:200], before=before, after=after,
    ))


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor: str
    action: str
    target: str
    before: dict | None
    after: dict | None


async def recent(uow: Repositories, limit: int, action_prefix: str | None = None) -> list[AuditLine]:
    entries = await uow.audit.recent(limit, action_prefix)
    return [AuditLine(e.at, e.actor, e.action, e.target, e.before, e.after) for e in entries]
