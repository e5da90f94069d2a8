"""Roster import (one use case for a file sent in chat and `yanxiu roster import`) and roster listings.

The pure planner (bot.domain.roster) decides; this module feeds it the stored roster, applies the
plan in the caller's transaction and writes the one audit line both paths share.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.identity import ACCOUNT_PLATFORMS
from bot.domain.partnerships import BASE
from bot.domain.roles import PERSON_ROLES, PRIVILEGED_ROLES
from bot.domain.roster import Action, ExistingMember, KnownSchool, RosterPlan, RosterRow, RowPlan, plan_import
from bot.services.audit import Actor, record
from storage.models import Member
from storage.people import RosterLine
from storage.repositories import Repositories

__all__ = ["Applied", "RosterLine", "apply_plan", "import_plan", "may_grant", "plan_against", "plan_for"]


def may_grant(actor: Actor) -> set[str]:
    """Coordinators may not hand out coordinator or admin roles through a file; administrators may."""
    return set(PERSON_ROLES) if actor.is_admin else set(PERSON_ROLES) - PRIVILEGED_ROLES


async def plan_for(uow: Repositories, actor: Actor, rows: Sequence[RosterRow]) -> RosterPlan:
    """The dry run: what importing `rows` as `actor` would do to the roster as it is now."""
    return await plan_against(uow, rows, may_grant(actor))


async def import_plan(uow: Repositories, actor: Actor, now: datetime, plan: RosterPlan, file_name: str,
                      progress: Callable[[int, int], object] | None = None) -> Applied:
    """Apply a plan and audit it, in the caller's unit of work; `progress` as for `apply_plan`."""
    applied = await apply_plan(uow, plan, now, progress)
    await record(uow, actor, now, "roster.import", file_name, after={
        "created": applied.created, "updated": applied.updated, "rejected": plan.count(Action.REJECT),
        "new_schools": list(plan.new_schools), "new_workshops": list(plan.new_workshops),
        "new_groups": list(plan.new_groups),
    } | ({"partnerships": [[school, base] for school, _before, base in plan.partnerships]}
         if plan.partnerships else {}))
    return applied


async def unit_roster(uow: Repositories, kind: str | None = None, unit_id: int | None = None) -> list[RosterLine]:
    """Members of one unit (or everyone), current and departed, with linking state and roles."""
    if kind is None:
        return await uow.members.everyone()
    return await uow.members.roster(**{f"{kind}_id": unit_id})


async def existing_members(repos: Repositories) -> list[ExistingMember]:
    """Everyone on the roster, departed included, as the pure planner sees them."""
    named = await repos.roster_accounts.all()
    field_of = {platform: field for field, platform in ACCOUNT_PLATFORMS.items()}
    return [
        ExistingMember(
            id=line.member.id, name=line.member.name, school=line.member.school.name,
            subject=line.member.subject,
            workshop=line.member.workshop.name if line.member.workshop else "",
            group=line.member.group.name if line.member.group else "",
            roles=line.roles, phone=line.member.phone or "", staff_no=line.member.staff_no or "",
            left=line.member.left_at is not None,
            accounts=tuple(sorted((field_of[platform], handle)
                                  for platform, handle in named.get(line.member.id, {}).items()
                                  if platform in field_of)),
        )
        for line in await repos.members.everyone()
    ]


async def plan_against(repos: Repositories, rows: Sequence[RosterRow], may_grant: Collection[str]) -> RosterPlan:
    """What importing `rows` would do to the roster as it is now."""
    stored = [school for school, _count in await repos.schools.listing(include_archived=True)]
    names = {school.id: school.name for school in stored}
    known = {school.name: KnownSchool(school.role, names.get(school.base_school_id, "")) for school in stored}
    return plan_import(
        rows, await existing_members(repos),
        schools=await repos.schools.names(), workshops=await repos.workshops.names(),
        groups=await repos.groups.names(), may_grant=may_grant, known_schools=known,
    )


@dataclass(frozen=True)
class Applied:
    created: int
    updated: int


class _UnitIds:
    """Unit names to ids, creating the units the plan announced."""

    def __init__(self, repos: Repositories, now: datetime) -> None:
        self.repos, self.now, self.cache = repos, now, {}

    async def id_of(self, kind: str, name: str) -> int | None:
        if not name:
            return None
        if (kind, name) not in self.cache:
            unit, _ = await self.repos.units(kind).get_or_create(name, self.now)
            self.cache[kind, name] = unit.id
        return self.cache[kind, name]


#: A long import reports its progress every this many rows ("正在导入 2000/5000…").
PROGRESS_EVERY = 1000


async def apply_plan(repos: Repositories, plan: RosterPlan, now: datetime,
                     progress: Callable[[int, int], object] | None = None) -> Applied:
    """Create and update as planned; `progress(done, total)` is called every PROGRESS_EVERY rows."""
    units = _UnitIds(repos, now)
    created = updated = 0
    total = sum(1 for row in plan.rows if row.action in (Action.CREATE, Action.UPDATE))
    for row in plan.rows:
        if row.action is Action.CREATE:
            await _create(repos, units, row, now)
            created += 1
        elif row.action is Action.UPDATE:
            await _update(repos, units, row, now)
            updated += 1
        else:
            continue
        if progress is not None and (created + updated) % PROGRESS_EVERY == 0 and created + updated < total:
            progress(created + updated, total)
    await _set_bases(repos, units, plan)
    return Applied(created, updated)


async def _set_bases(repos: Repositories, units: _UnitIds, plan: RosterPlan) -> None:
    """The 基地校 column: each partner points to its 基地校; a 基地校 with no role yet becomes one."""
    for school_name, _before, base_name in plan.partnerships:
        school = await repos.schools.get(await units.id_of("school", school_name))
        base = await repos.schools.get(await units.id_of("school", base_name))
        if base.role is None:
            await repos.schools.update(base, role=BASE)
        await repos.schools.update(school, base_school_id=base.id)


async def _create(repos: Repositories, units: _UnitIds, row: RowPlan, now: datetime) -> None:
    member = Member(
        name=row.name, school_id=await units.id_of("school", row.school), subject=row.subject,
        workshop_id=await units.id_of("workshop", row.workshop), group_id=await units.id_of("group", row.group),
        phone=row.phone or None, staff_no=row.staff_no or None, created_at=now, updated_at=now,
    )
    await repos.members.add(member, roles=row.roles)
    await _name_accounts(repos, member.id, row)


async def _name_accounts(repos: Repositories, member_id: int, row: RowPlan) -> None:
    """The accounts the row names: each links to the member on its first message."""
    for field, platform in ACCOUNT_PLATFORMS.items():
        if handle := getattr(row, field):
            await repos.roster_accounts.put(member_id, platform, handle)


async def _update(repos: Repositories, units: _UnitIds, row: RowPlan, now: datetime) -> None:
    member = await repos.members.get(row.member_id)
    changed = {field for field, _old, _new in row.changes}
    values: dict[str, object] = {"updated_at": now}
    for field in ("name", "subject", "phone", "staff_no"):
        if field in changed:
            values[field] = getattr(row, field)
    for kind in ("school", "workshop", "group"):
        if kind in changed:
            values[f"{kind}_id"] = await units.id_of(kind, getattr(row, kind))
    if "rejoin" in changed:
        values["left_at"] = None
    for role in row.roles:
        await repos.members.grant(member.id, role, now)
    await repos.members.update(member, **values)
    await _name_accounts(repos, member.id, row)
