"""Which partnership a school is in: the seed's 基地校 with its 引领校 and 帮扶校, one link, never a chain."""

from __future__ import annotations

from bot.domain.partnerships import SchoolFacts, base_problem, partnerships_of

CHENGGUAN = SchoolFacts(1, "城关小学", "base")
XIANGYANG = SchoolFacts(2, "向阳小学", "lead", base_id=1)
XINHUA = SchoolFacts(3, "新华小学", "supported", base_id=1)
ERXIAO = SchoolFacts(4, "紫阳县第二小学", "base")
ZIYANG = SchoolFacts(5, "紫阳中学", "supported", base_id=4)


def test_each_base_school_leads_the_schools_that_name_it():
    found = partnerships_of([CHENGGUAN, XIANGYANG, XINHUA, ERXIAO, ZIYANG])
    assert [(group.base.name, [p.name for p in group.partners]) for group in found.groups] == [
        ("城关小学", ["向阳小学", "新华小学"]), ("紫阳县第二小学", ["紫阳中学"])]
    assert found.of_school(3).base is CHENGGUAN and found.of_school(5).base is ERXIAO
    assert found.of_sessions_schools([4, 5]).base is ERXIAO and found.of_sessions_schools([2, 3]) is None
    assert found.unassigned == ()


def test_one_base_school_takes_the_partners_that_name_none():
    old = [SchoolFacts(1, "城关小学", "base"), SchoolFacts(2, "向阳小学", "lead"), SchoolFacts(6, "教研室", None)]
    [group] = partnerships_of(old).groups
    assert [school.name for school in group.schools] == ["城关小学", "向阳小学"], "a school with no role takes no part"


def test_with_several_base_schools_a_partner_naming_none_is_unassigned():
    loose = SchoolFacts(7, "东关小学", "supported")
    found = partnerships_of([CHENGGUAN, ERXIAO, loose, XIANGYANG])
    assert found.unassigned == (loose,) and found.of_school(7) is None


def test_an_archived_base_school_leaves_its_partners_unassigned():
    found = partnerships_of([SchoolFacts(1, "城关小学", "base", archived=True), XIANGYANG, ERXIAO])
    assert [group.base.name for group in found.groups] == ["紫阳县第二小学"]
    assert found.unassigned == (XIANGYANG,)


def test_a_base_school_is_one_link_from_its_partners():
    assert base_problem(XINHUA, CHENGGUAN) is None
    assert base_problem(XINHUA, XIANGYANG) == "school_base_not_base"
    assert base_problem(ERXIAO, CHENGGUAN) == "school_base_of_base"
    assert base_problem(CHENGGUAN, CHENGGUAN) == "school_base_self"
    assert base_problem(XINHUA, SchoolFacts(1, "城关小学", "base", archived=True)) == "school_base_archived"
