"""Awards and cuts as policy rules, with seed 004's places and seed 002's 10% cut."""

from __future__ import annotations

from bot.domain.awards import Candidate, bottom_cut, outstanding_leaders, outstanding_members


def c(member_id: int, unit: str, points: float, grade: str = "excellent", name: str = "") -> Candidate:
    return Candidate(member_id, name or f"T{member_id:02d}", unit, points, grade)


def test_two_per_workshop_and_a_pool_sharing_two():
    """Seed 004: 语文、数学、综合各个工作坊优秀学员2名，体育和艺术工作坊优秀学员合计2名."""
    candidates = [
        c(1, "语文", 98), c(2, "语文", 95), c(3, "语文", 93), c(4, "语文", 99, "pass"),  # a grade below the eligible one
        c(5, "数学", 80, "fail"), c(6, "体育", 97), c(7, "艺术", 96), c(8, "艺术", 91),
    ]
    awards = outstanding_members(candidates, per_unit=2, pools={"体育+艺术": (["体育", "艺术"], 2)})
    assert [(a.label, a.places, [p.member_id for p in a.picks]) for a in awards] == [
        ("体育+艺术", 2, [6, 7]), ("数学", 2, []), ("语文", 2, [1, 2])]


def test_a_tie_at_the_last_place_names_everyone_tied_and_flags_them():
    awards = outstanding_members([c(1, "语文", 98), c(2, "语文", 95), c(3, "语文", 95), c(4, "语文", 94)],
                                 per_unit=2)
    assert [(p.member_id, p.rank, p.tied_at_edge) for p in awards[0].picks] == [(1, 1, False), (2, 2, True),
                                                                               (3, 2, True)]


def test_outstanding_leader_by_exact_mean_then_size():
    candidates = [c(1, "语文", 90.1), c(2, "语文", 89.9), c(3, "数学", 90), c(4, "数学", 90), c(5, "综合", 99)]
    leaders = {"语文": [(11, "坊主甲")], "数学": [(12, "坊主乙")]}  # 综合 has no 坊主: skipped
    found = outstanding_leaders(candidates, leaders, 1)
    # Both means are exactly 90 with two members each: the unit name decides, as written (数 before 语).
    assert [(l.member_id, l.unit, l.mean, l.members) for l in found] == [(12, "数学", 90.0, 2)]
    assert [l.member_id for l in outstanding_leaders(candidates, leaders, 2)] == [12, 11]


def test_bottom_ten_percent_rounds_up_and_names_ties():
    """Seed 002: 末位淘汰，淘汰率为10%. 21 members: 3 are named."""
    candidates = [c(i, "", 100 - i) for i in range(1, 22)]
    assert [p.member_id for p in bottom_cut(candidates, 0.10)] == [21, 20, 19]
    tied = [c(i, "", 90) for i in range(1, 5)] + [c(9, "", 60)] + [c(i, "", 95) for i in range(10, 15)]
    cut = bottom_cut(tied, 0.2)  # 2 of 10: 60, then one of four at 90 → all four named, flagged
    assert [(p.member_id, p.tied_at_edge) for p in cut] == [(9, False), (1, True), (2, True), (3, True), (4, True)]
    assert bottom_cut(candidates, 0) == []
