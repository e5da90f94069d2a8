"""/outstanding (推优): the program's awards and cuts, computed from the current standings by the
rules in the policy's [awards] section, each with the reason it was given."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.domain.awards import (
    Candidate,
    GroupAward,
    LeaderAward,
    Pick,
    UnitAward,
    bottom_cut,
    outstanding_groups,
    outstanding_leaders,
    outstanding_members,
)
from bot.domain.policy import Policy
from bot.domain.roles import MENTOR, TEACHER
from bot.i18n import Translator
from bot.services.scores import standings
from storage.awards import UnitLeaders
from storage.quotas import GroupSizes
from storage.repositories import Repositories


@dataclass(frozen=True)
class AwardsResult:
    unit: str  # "workshop" | "group"
    members: list[UnitAward]
    leaders: list[LeaderAward]
    cut: list[Pick]
    cut_share: float
    ranked: int  # how many teachers were ranked
    groups: list[GroupAward] = field(default_factory=list)
    group_places: int = 0


async def awards(uow: Repositories, policy: Policy, today: date) -> AwardsResult:
    rules = policy.awards
    ranked = await standings(uow, policy, today)
    candidates = [
        Candidate(s.who.member_id, s.who.name, s.who.workshop if rules.unit == "workshop" else s.who.group,
                  s.score.points, s.score.grade)
        for s in ranked
    ]
    pools = {"+".join(pool.units): (pool.units, pool.places) for pool in rules.pools}
    members = outstanding_members(candidates, per_unit=rules.outstanding_per_unit, pools=pools,
                                  eligible_grades=rules.eligible_grades)
    units = UnitLeaders(uow.db)
    leaders = outstanding_leaders(candidates, await units.leaders(rules.unit), rules.outstanding_leaders)
    cut_from = candidates
    if rules.bottom_role:
        holders = await units.holders(rules.bottom_role)
        cut_from = [c for c in candidates if c.member_id in holders]
    cut = bottom_cut(cut_from, rules.bottom_share)
    by_group = [Candidate(s.who.member_id, s.who.name, s.who.group, s.score.points, s.score.grade) for s in ranked]
    groups = outstanding_groups(by_group, rules.outstanding_groups)
    return AwardsResult(rules.unit, members, leaders, cut, rules.bottom_share, len(candidates), groups,
                        rules.outstanding_groups)


def _within(count: int, low: int, high: int) -> bool:
    return count >= low and (not high or count <= high)


def _allowed(t: Translator, low: int, high: int) -> str:
    if low and low == high:
        return t("units_range_exactly", count=low)
    if low and high:
        return t("units_range_between", low=low, high=high)
    if low:
        return t("units_range_at_least", low=low)
    return t("units_range_at_most", high=high)


async def unit_size_lines(uow: Repositories, policy: Policy, t: Translator) -> list[str]:
    """Warnings for /compliance: study groups outside `[units] group_min`..`group_max`, mentors with
    more apprentices than `mentor_apprentices_max`, a cohort of 学员 or a mentor team outside its
    size (0 = not checked); none when all is well."""
    rules, sizes, lines = policy.units, GroupSizes(uow.db), []
    if rules.group_min or rules.group_max:
        outside = [(name, count) for name, count in await sizes.groups()
                   if not _within(count, rules.group_min, rules.group_max)]
        if outside:
            lines.append(t("units_group_size", range=_allowed(t, rules.group_min, rules.group_max), groups="、".join(
                t("units_group_line", name=name, count=count) for name, count in outside)))
    for role, low, high, key in ((TEACHER, rules.cohort_min, rules.cohort_max, "units_cohort_size"),
                                 (MENTOR, rules.mentors_min, rules.mentors_max, "units_mentor_team")):
        if low or high:
            count = await sizes.holding(role)
            if not _within(count, low, high):
                lines.append(t(key, range=_allowed(t, low, high), count=count))
    if rules.mentor_apprentices_max:
        heavy = [(name, count) for name, count in await sizes.mentors() if count > rules.mentor_apprentices_max]
        if heavy:
            lines.append(t("units_mentor_load", limit=rules.mentor_apprentices_max, mentors="、".join(
                t("units_group_line", name=name, count=count) for name, count in heavy)))
    return lines
