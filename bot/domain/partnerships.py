"""Partnerships (培育站): a 基地校 with the 引领校 and 帮扶校 it leads.

A county runs several in one program. Sessions, their quota and /compliance are per partnership,
so every caller asks the same question here: which partnership is this school in?
Programs from before partnerships were named keep working: with exactly one 基地校, a partner
school that names no 基地校 belongs to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

BASE = "base"
PARTNER_ROLES = ("lead", "supported")


@dataclass(frozen=True)
class SchoolFacts:
    """What partnerships need to know of a stored school."""

    id: int
    name: str
    role: str | None
    base_id: int | None = None
    archived: bool = False


@dataclass(frozen=True)
class Partnership:
    base: SchoolFacts
    partners: tuple[SchoolFacts, ...]

    @property
    def schools(self) -> tuple[SchoolFacts, ...]:
        """The base school first, then its partners."""
        return (self.base, *self.partners)

    @property
    def school_ids(self) -> frozenset[int]:
        return frozenset(school.id for school in self.schools)


@dataclass(frozen=True)
class Partnerships:
    groups: tuple[Partnership, ...]
    unassigned: tuple[SchoolFacts, ...]
    """Partner schools no partnership takes: several 基地校 and none named (or an archived one)."""

    def of_school(self, school_id: int) -> Partnership | None:
        return next((group for group in self.groups if school_id in group.school_ids), None)

    def of_sessions_schools(self, school_ids: Iterable[int]) -> Partnership | None:
        """The partnership a session belongs to: the one whose 基地校 takes part in it."""
        ids = set(school_ids)
        return next((group for group in self.groups if group.base.id in ids), None)


def partnerships_of(schools: Sequence[SchoolFacts]) -> Partnerships:
    """Current schools grouped under their 基地校, in the order given (archived schools take no part)."""
    active = [school for school in schools if not school.archived]
    bases = [school for school in active if school.role == BASE]
    base_ids = {school.id for school in bases}
    only = bases[0].id if len(bases) == 1 else None
    members: dict[int, list[SchoolFacts]] = {base.id: [] for base in bases}
    unassigned = []
    for school in active:
        if school.role == BASE:
            continue
        if school.base_id in base_ids:
            members[school.base_id].append(school)
        elif school.role in PARTNER_ROLES or school.base_id is not None:
            if school.base_id is None and only is not None:
                members[only].append(school)
            else:
                unassigned.append(school)
    return Partnerships(tuple(Partnership(base, tuple(members[base.id])) for base in bases), tuple(unassigned))


def base_problem(school: SchoolFacts, base: SchoolFacts) -> str | None:
    """Why `base` cannot be the 基地校 of `school` (an i18n key), or None.

    A 基地校 points to nothing, and a partner's partner is no partnership: the chain is one link long.
    """
    if school.id == base.id:
        return "school_base_self"
    if school.role == BASE:
        return "school_base_of_base"
    if base.role != BASE:
        return "school_base_not_base"
    if base.archived:
        return "school_base_archived"
    return None
