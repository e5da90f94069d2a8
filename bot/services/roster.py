"""Applying a planned roster import (bot.domain.roster) to the database, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.roster import Action, ExistingMember, RosterPlan, RosterRow, RowPlan, plan_import
from storage.models import Member
from storage.repositories import Repositories


async def existing_members(repos: Repositories) -> list[ExistingMember]:
    """Everyone on the roster, departed included, as the pure planner sees them."""
    return [
        ExistingMember(
            id=line.member.id, name=line.member.name, school=line.member.school.name,
            subject=line.member.subject,
            workshop=line.member.workshop.name if line.member.workshop else "",
            group=line.member.group.name if line.member.group else "",
            roles=line.roles, phone=line.member.phone or "", staff_no=line.member.staff_no or "",
            left=line.member.left_at is not None,
        )
        for line in await repos.members.everyone()
    ]


async def plan_against(repos: Repositories, rows: Sequence[RosterRow], may_grant: Collection[str]) -> RosterPlan:
    """What importing `rows` would do to the roster as it is now."""
    return plan_import(
        rows, await existing_members(repos),
        schools=await repos.schools.names(), workshops=await repos.workshops.names(),
        groups=await repos.groups.names(), may_grant=may_grant,
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
    return Applied(created, updated)


async def _create(repos: Repositories, units: _UnitIds, row: RowPlan, now: datetime) -> None:
    member = Member(
        name=row.name, school_id=await units.id_of("school", row.school), subject=row.subject,
        workshop_id=await units.id_of("workshop", row.workshop), group_id=await units.id_of("group", row.group),
        phone=row.phone or None, staff_no=row.staff_no or None, created_at=now, updated_at=now,
    )
    await repos.members.add(member, roles=row.roles)


async def _update(repos: Repositories, units: _UnitIds, row: RowPlan, now: datetime) -> None:
    member = await repos.members.get(row.member_id)
    changed = {field for field, _old, _new in row.changes}
    if "name" in changed:
        member.name = row.name
    if "school" in changed:
        member.school_id = await units.id_of("school", row.school)
    if "subject" in changed:
        member.subject = row.subject
    if "workshop" in changed:
        member.workshop_id = await units.id_of("workshop", row.workshop)
    if "group" in changed:
        member.group_id = await units.id_of("group", row.group)
    if "phone" in changed:
        member.phone = row.phone
    if "staff_no" in changed:
        member.staff_no = row.staff_no
    if "rejoin" in changed:
        member.left_at = None
    for role in row.roles:
        await repos.members.grant(member.id, role, now)
    member.updated_at = now
    await repos.db.flush()
