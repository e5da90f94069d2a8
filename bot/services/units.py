"""Schools, workshops and study groups: create, rename, set a school's role and 基地校, archive and restore.

Every change is audited; names are checked here so chat and command line refuse the same things.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.partnerships import BASE, Partnerships, SchoolFacts, base_problem, partnerships_of
from bot.domain.people import school_problem
from bot.domain.roles import school_role
from bot.i18n import Term
from bot.kernel.dispatcher import UserError
from bot.services.audit import Actor, record
from storage.models import School, StudyGroup, Workshop
from storage.repositories import Repositories

KINDS = ("school", "workshop", "group")
Unit = School | Workshop | StudyGroup


@dataclass(frozen=True)
class UnitLine:
    name: str
    kind: str
    detail: str
    """A school's role key, a workshop's subject, nothing for a group."""
    members: int
    archived: bool
    base: str = ""
    """A partner school's 基地校, when it names one."""


def _detail(kind: str, unit: Unit) -> str:
    if kind == "school":
        return unit.role or ""
    if kind == "workshop":
        return unit.subject
    return ""


def checked_name(text: str) -> str:
    if school_problem(text):
        raise UserError("unit_name_bad", name=text)
    return text


def checked_school_role(text: str) -> str:
    role = school_role(text)
    if role is None:
        raise UserError("school_role_unknown", role=text)
    return role


async def find(uow: Repositories, kind: str, name: str, *, active: bool = False) -> Unit:
    """The unit of this kind called `name` (only a current one with `active`), or a UserError."""
    unit = await uow.units(kind).by_name(name) if name else None
    if unit is None or (active and unit.archived_at is not None):
        raise UserError("unit_not_found", kind=Term(f"unit_{kind}"), name=name)
    return unit


async def listing(uow: Repositories, kind: str) -> list[UnitLine]:
    units = await uow.units(kind).listing(include_archived=True)
    return [UnitLine(unit.name, kind, _detail(kind, unit), count, unit.archived_at is not None)
            for unit, count in units]


async def add(uow: Repositories, actor: Actor, now: datetime, kind: str, name: str, extra: list[str]) -> UnitLine:
    name = checked_name(name)
    if await uow.units(kind).by_name(name) is not None:
        raise UserError("unit_exists", kind=Term(f"unit_{kind}"), name=name)
    base: School | None = None
    if kind == "school":
        role = checked_school_role(extra[0]) if extra else None
        unit: Unit = School(name=name, role=role, created_at=now)
        if len(extra) > 1:
            base = await find(uow, "school", " ".join(extra[1:]))
            _check_base(unit, base)
    elif kind == "workshop":
        subject = " ".join(extra)
        if len(subject) > 20:
            raise UserError("subject_too_long")
        unit = Workshop(name=name, subject=subject, created_at=now)
    else:
        workshop_id = None
        if extra:
            workshop_id = (await find(uow, "workshop", " ".join(extra))).id
        unit = StudyGroup(name=name, workshop_id=workshop_id, created_at=now)
    await uow.units(kind).add(unit)
    if base is not None:
        await uow.schools.update(unit, base_school_id=base.id)
    detail = _detail(kind, unit)
    after = {"name": name, "detail": detail} | ({"base": base.name} if base is not None else {})
    await record(uow, actor, now, f"{kind}.add", name, after=after)
    return UnitLine(name, kind, detail, 0, False, base.name if base is not None else "")


async def rename(uow: Repositories, actor: Actor, now: datetime, kind: str, old: str, new: str) -> str:
    """Returns the old name as stored."""
    unit = await find(uow, kind, old)
    new = checked_name(new)
    if await uow.units(kind).by_name(new) is not None:
        raise UserError("unit_exists", kind=Term(f"unit_{kind}"), name=new)
    old_name = unit.name
    await uow.units(kind).update(unit, name=new)
    await record(uow, actor, now, f"{kind}.rename", new, before={"name": old_name}, after={"name": new})
    return old_name


async def set_school_role(uow: Repositories, actor: Actor, now: datetime, name: str, role_word: str) -> str:
    school = await find(uow, "school", name)
    role = checked_school_role(role_word)
    old_role = school.role
    if old_role == BASE and role != BASE and await uow.schools.partners_of(school.id):
        raise UserError("school_has_partners", name=school.name)
    changes: dict[str, object] = {"role": role}
    if role == BASE:
        changes["base_school_id"] = None  # a 基地校 points to nothing
    await uow.schools.update(school, **changes)
    await record(uow, actor, now, "school.role", school.name, before={"role": old_role}, after={"role": role})
    return role


async def set_archived(uow: Repositories, actor: Actor, now: datetime, kind: str, name: str,
                       archiving: bool) -> tuple[str, bool]:
    """Archive or restore; returns the unit's name and whether anything changed."""
    unit = await find(uow, kind, name)
    if (unit.archived_at is not None) == archiving:
        return unit.name, False
    before = unit.archived_at
    after = now if archiving else None
    await uow.units(kind).update(unit, archived_at=after)
    await record(uow, actor, now, f"{kind}.{'archive' if archiving else 'restore'}", unit.name,
                 before={"archived_at": before.isoformat() if before else None},
                 after={"archived_at": after.isoformat() if after else None})
    return unit.name, True


def facts(school: School) -> SchoolFacts:
    return SchoolFacts(school.id, school.name, school.role, school.base_school_id, school.archived_at is not None)


def _check_base(school: School, base: School) -> None:
    problem = base_problem(facts(school), facts(base))
    if problem is not None:
        raise UserError(problem, name=school.name, base=base.name)


async def set_base(uow: Repositories, actor: Actor, now: datetime, name: str, base_name: str) -> School:
    """`/school base`: move a 引领校/帮扶校 to another 基地校's partnership; returns the new 基地校."""
    school = await find(uow, "school", name)
    base = await find(uow, "school", base_name)
    _check_base(school, base)
    before = await uow.schools.get(school.base_school_id) if school.base_school_id is not None else None
    await uow.schools.update(school, base_school_id=base.id)
    await record(uow, actor, now, "school.base", school.name,
                 before={"base": before.name if before is not None else None}, after={"base": base.name})
    return base


async def partnerships(uow: Repositories) -> Partnerships:
    """The program's partnerships as stored now (schools in name order)."""
    return partnerships_of([facts(school) for school, _count in await uow.schools.listing()])


async def school_listing(uow: Repositories) -> tuple[list[tuple[UnitLine, list[UnitLine]]], list[UnitLine]]:
    """/school list: each 基地校 with its partners under it, then every other school (archived last)."""
    stored = await uow.schools.listing(include_archived=True)
    names = {school.id: school.name for school, _count in stored}
    lines = {school.id: UnitLine(school.name, "school", school.role or "", count, school.archived_at is not None,
                                 names.get(school.base_school_id, "")) for school, count in stored}
    grouped = partnerships_of([facts(school) for school, _count in stored])
    placed = {school.id for group in grouped.groups for school in group.schools}
    groups = [(lines[group.base.id], [lines[partner.id] for partner in group.partners]) for group in grouped.groups]
    others = sorted((line for school_id, line in lines.items() if school_id not in placed),
                    key=lambda line: line.archived)
    return groups, others
