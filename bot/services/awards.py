"""/outstanding (推优): the program's awards and cuts, computed from the current standings by the
rules in the policy's [awards] section, each with the reason it was given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.awards import (
    Candidate,
    LeaderAward,
    Pick,
    UnitAward,
    bottom_cut,
    outstanding_leaders,
    outstanding_members,
)
from bot.domain.policy import Policy
from bot.services.scores import standings
from storage.awards import UnitLeaders
from storage.repositories import Repositories


@dataclass(frozen=True)
class AwardsResult:
    unit: str  # "workshop" | "group"
    members: list[UnitAward]
    leaders: list[LeaderAward]
    cut: list[Pick]
    cut_share: float
    ranked: int  # how many teachers were ranked


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
    return AwardsResult(rules.unit, members, leaders, cut, rules.bottom_share, len(candidates))
