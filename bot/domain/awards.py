"""Awards and cuts as the program documents state them, from the ranked scores.

- N outstanding members per unit (workshop or group), only among those graded excellent; units may
  pool their places (seed 004: 体育和艺术工作坊优秀学员合计2名).
- Outstanding leaders: the leaders whose units have the best mean points (seed 004: 优秀坊主一名).
- The bottom share (seed 002: 末位淘汰, 淘汰率为10%): the lowest-ranked, rounded up.
- Outstanding groups (seed 000: 小组评优): study groups by the mean points of their assessed members.
A tie at the edge of a quota is never broken by chance: everyone tied there is named and flagged,
so the coordinator decides. Pure: scores and units in, named results with their reasons out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from bot.domain.ranking import rank_with_ties


@dataclass(frozen=True)
class Candidate:
    member_id: int
    name: str
    unit: str  # the workshop or group name ("" = none)
    points: float
    grade: str


@dataclass(frozen=True)
class Pick:
    member_id: int
    name: str
    points: float
    rank: int  # within the unit or pool, ties sharing a rank (for a cut: the place from the bottom)
    tied_at_edge: bool = False  # shares the last place with someone beyond the quota


@dataclass(frozen=True)
class UnitAward:
    label: str  # the unit, or the pooled units joined with "+"
    places: int
    picks: tuple[Pick, ...]


def _ranked_picks(found: Sequence[Candidate], places: int) -> tuple[Pick, ...]:
    ordered = sorted(found, key=lambda c: (-round(c.points, 1), c.name))
    ranks: list[int] = []
    for position, candidate in enumerate(ordered, start=1):
        same = ranks and round(ordered[position - 2].points, 1) == round(candidate.points, 1)
        ranks.append(ranks[-1] if same else position)
    if places <= 0 or not ordered:
        return ()
    if len(ordered) <= places:
        return tuple(Pick(c.member_id, c.name, c.points, r) for c, r in zip(ordered, ranks))
    edge = round(ordered[places - 1].points, 1)
    tied = round(ordered[places].points, 1) == edge
    return tuple(
        Pick(c.member_id, c.name, c.points, r, tied and round(c.points, 1) == edge)
        for c, r in zip(ordered, ranks)
        if r <= places
    )


def outstanding_members(candidates: Sequence[Candidate], *, per_unit: int,
                        pools: Mapping[str, tuple[Sequence[str], int]] | None = None,
                        eligible_grades: Sequence[str] = ("excellent",)) -> list[UnitAward]:
    """Per unit (or pool), up to `per_unit` (or the pool's count) members with an eligible grade, best
    first; every unit with a candidate appears, empty when nobody there is eligible."""
    pools = pools or {}
    pool_of = {unit: label for label, (units, _) in pools.items() for unit in units}
    groups: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        if not candidate.unit:
            continue
        label = pool_of.get(candidate.unit, candidate.unit)
        groups.setdefault(label, [])
        if candidate.grade in eligible_grades:
            groups[label].append(candidate)
    awards = []
    for label in sorted(groups):
        places = pools[label][1] if label in pools else per_unit
        awards.append(UnitAward(label, places, _ranked_picks(groups[label], places)))
    return awards


@dataclass(frozen=True)
class LeaderAward:
    member_id: int
    name: str
    unit: str
    mean: float
    members: int


def outstanding_leaders(candidates: Sequence[Candidate], leaders: Mapping[str, Sequence[tuple[int, str]]],
                        count: int) -> list[LeaderAward]:
    """The leaders of the `count` units with the best mean points (exact means; ties: more members,
    then the unit name). `leaders` maps a unit to its leaders (id, name); units without one are skipped."""
    tenths: dict[str, list[int]] = {}
    for candidate in candidates:
        if candidate.unit in leaders and leaders[candidate.unit]:
            tenths.setdefault(candidate.unit, []).append(round(candidate.points * 10))
    order = sorted(tenths, key=lambda u: (-Fraction(sum(tenths[u]), len(tenths[u])), -len(tenths[u]), u))
    result = []
    for unit in order[: max(count, 0)]:
        mean = round(sum(tenths[unit]) / len(tenths[unit]) / 10, 1)
        result += [LeaderAward(member_id, name, unit, mean, len(tenths[unit])) for member_id, name in leaders[unit]]
    return result


def bottom_cut(candidates: Sequence[Candidate], share: float) -> list[Pick]:
    """The lowest `share` of the ranking, rounded up (10% of 21 is 3); those tied with the last one cut
    are named too and flagged, for the coordinator to settle."""
    if share <= 0 or not candidates:
        return []
    cut = math.ceil(len(candidates) * share - 1e-9)
    ordered = sorted(candidates, key=lambda c: (round(c.points, 1), c.name))
    edge = round(ordered[cut - 1].points, 1)
    tied = cut < len(ordered) and round(ordered[cut].points, 1) == edge
    return [Pick(c.member_id, c.name, c.points, position, tied and round(c.points, 1) == edge)
            for position, c in enumerate(ordered, start=1) if round(c.points, 1) <= edge]


@dataclass(frozen=True)
class GroupAward:
    unit: str
    mean: float
    members: int
    rank: int  # equal means share a rank
    tied_at_edge: bool = False  # shares the last place with a group beyond the places


def outstanding_groups(candidates: Sequence[Candidate], count: int) -> list[GroupAward]:
    """The study groups with the best mean points of their assessed members (seed 000: 小组评优),
    `count` places; equal means (to a tenth) share a rank, and a tie on the last place names every
    group in it, flagged for the coordinator. Within a tie, groups are in pinyin order."""
    if count <= 0:
        return []
    tenths: dict[str, list[int]] = {}
    for candidate in candidates:
        if candidate.unit:
            tenths.setdefault(candidate.unit, []).append(round(candidate.points * 10))
    means = [(unit, round(sum(found) / len(found) / 10, 1), len(found)) for unit, found in tenths.items()]
    ranked = [entry for entry in rank_with_ties(means, points=lambda m: m[1], name=lambda m: m[0])
              if entry.rank <= count]
    edge = ranked[-1].rank if len(ranked) > count else None
    return [GroupAward(unit, mean, members, entry.rank, entry.rank == edge)
            for entry in ranked for unit, mean, members in (entry.item,)]
