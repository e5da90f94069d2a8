"""The web dashboard's access: signed links from chat, who is looking (from a signed pass), the
audit of every visit, and what a scope covers.

What viewers see is in bot.services.dashboard_views, what they act on in bot.services.dashboard_work.
Everything takes the unit of work and the time, and keeps to the viewer's scope; the web layer only
renders what comes back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.dashboard import LinkIssuer, Scope, scope_for
from bot.domain.policy import Policy
from bot.kernel.access import resolve_roles, rule_for
from bot.kernel.dispatcher import UserError
from bot.services.audit import Actor, record
from bot.services.scores import Standing, standings
from storage.models import Member
from storage.repositories import Repositories


@asynccontextmanager
async def unit_of_work(session_factory) -> AsyncIterator[Repositories]:
    """One transaction for one web request, as the dispatcher opens one for one chat message."""
    async with session_factory() as session, session.begin():
        yield Repositories(session)


# --- links -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Link:
    url: str
    expires: datetime
    scope_label: str


async def dashboard_link(uow: Repositories, policy: Policy, issuer: LinkIssuer | None, member: Member | None,
                         roles: frozenset[str], account: str, now: datetime) -> Link:
    """A signed link for the asker, scoped to the units they lead; UserError when off or not a leader."""
    if issuer is None:
        raise UserError("dashboard_off")
    scope = scope_for(roles, school_id=member.school_id if member else None,
                      workshop_id=member.workshop_id if member else None,
                      group_id=member.group_id if member else None)
    if scope is None:
        raise UserError("dashboard_no_unit")
    url, expires = issuer.link(account, member.id if member else None, scope, now)
    return Link(url, expires, await scope_label(uow, scope, policy))


# --- who is looking ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Viewer:
    account: str
    member_id: int | None
    name: str
    roles: frozenset[str]
    scope: Scope
    scope_label: str

    @property
    def actor(self) -> str:
        """Named as the chat's audit entries name people: roster name and platform account."""
        return f"{self.name} ({self.account})" if self.name else self.account

    @property
    def as_actor(self) -> Actor:
        """The viewer as the shared services name and check whoever acts."""
        return Actor(label=self.actor, member_id=self.member_id, roles=self.roles)

    def may(self, route_name: str) -> bool:
        """The chat's permission table decides what the page offers too."""
        return rule_for(route_name).allows(self.roles)


async def viewer_for(
    uow: Repositories, token: Pass, admins: frozenset[tuple[str, str]], policy: Policy,
) -> Viewer | None:
    """The viewer a pass names, if their roles today still give the scope it was signed for."""
    platform, _, user_id = token.account.partition(":")
    member = await uow.members.by_account(platform, user_id)
    if member is not None and member.left_at is not None:
        member = None
    if token.member_id != (member.id if member else None):
        return None
    granted = await uow.members.roles(member.id) if member else set()
    roles = resolve_roles(member is not None, granted, (platform, user_id) in admins)
    scope = scope_for(roles, school_id=member.school_id if member else None,
                      workshop_id=member.workshop_id if member else None,
                      group_id=member.group_id if member else None)
    if scope != token.scope:
        return None
    return Viewer(token.account, token.member_id, member.name if member else "", roles, scope,
                  await scope_label(uow, scope, policy))


async def scope_label(uow: Repositories, scope: Scope, policy: Policy) -> str:
    if scope.is_program:
        return policy.name
    unit = await uow.units(scope.kind).get(scope.unit_id)
    return unit.name if unit else "?"


async def audit(uow: Repositories, viewer: Viewer, action: str, target: str, now: datetime,
                before: dict | None = None, after: dict | None = None) -> None:
    await record(uow, viewer.as_actor, now, action, target, before, after)


async def audit_refusal(uow: Repositories, reason: str, path: str, remote: str, now: datetime) -> None:
    """A refused link or session: nobody is known for sure, so the entry names the web and the address."""
    await record(uow, Actor(label=f"web ({remote})"), now, "dashboard.refused", path, after={"reason": reason})


async def member_ids_in(uow: Repositories, scope: Scope) -> set[int] | None:
    """The members inside a unit scope (None: the whole program)."""
    if scope.is_program:
        return None
    lines = await uow.members.roster(**{f"{scope.kind}_id": scope.unit_id})
    return {line.member.id for line in lines}


async def scoped_standings(uow: Repositories, policy: Policy, today: date, scope: Scope) -> list[Standing]:
    filters = {f"{scope.kind}_id": scope.unit_id} if scope.kind in ("school", "workshop") else {}
    ranked = await standings(uow, policy, today, **filters)
    if scope.kind == "group":
        inside = await member_ids_in(uow, scope) or set()
        ranked = [s for s in ranked if s.who.member_id in inside]
    return ranked


async def schools_in_scope(uow: Repositories, scope: Scope) -> set[int] | None:
    """The schools a scope's members belong to (None: every school)."""
    if scope.is_program:
        return None
    if scope.kind == "school":
        return {scope.unit_id}
    lines = await uow.members.roster(**{f"{scope.kind}_id": scope.unit_id})
    return {line.member.school_id for line in lines}
