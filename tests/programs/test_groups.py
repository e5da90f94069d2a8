"""Study groups: outstanding groups by the mean score of their assessed members (seed 000: 发掘推荐
优秀学习小组), and the unit-size checks /compliance names (seed 001: 每个小组由5—8名教师组成)."""

from __future__ import annotations

from bot.domain.awards import Candidate, GroupAward, outstanding_groups
from bot.domain.policy import Awards, Checkins, Hours, Policy, Records, Units
from tests.conftest import open_chat
from tests.programs.support import at, imported_program

ROSTER = """姓名,学校,小组,角色
王芳,紫阳县第二小学,一组,学员
李明,紫阳县第二小学,一组,组长、学员
赵强,紫阳县第二小学,一组,学员
钱多,紫阳县第二小学,二组,导师、学员
孙丽,紫阳县第二小学,二组,学员
周杰,紫阳县第二小学,三组,学员
""".encode()


def policy(groups: int, **units) -> Policy:
    return Policy(checkins=Checkins(acknowledge="reply"),
                  records=Records(reflections_per_month=0, cases_per_month=0, observations_per_semester=0),
                  hours=Hours(school_based_per_semester=0, per_year=0, per_five_years=0),
                  awards=Awards(unit="group", outstanding_per_unit=0, outstanding_leaders=0, outstanding_groups=groups),
                  units=Units(**units))


def test_groups_rank_by_mean_with_ties_shared_in_pinyin_order():
    people = [Candidate(1, "王芳", "一组", 100, "excellent"), Candidate(2, "李明", "一组", 90, "excellent"),
              Candidate(3, "钱多", "二组", 95, "excellent"), Candidate(4, "周杰", "三组", 95, "excellent"),
              Candidate(5, "孙丽", "四组", 80, "pass"), Candidate(6, "无组", "", 100, "excellent")]
    assert outstanding_groups(people, 1) == [GroupAward("二组", 95, 1, 1, True), GroupAward("三组", 95, 1, 1, True),
                                             GroupAward("一组", 95, 2, 1, True)]  # er < san < yi
    people[1] = Candidate(2, "李明", "一组", 91, "excellent")
    assert outstanding_groups(people, 1) == [GroupAward("一组", 95.5, 2, 1)]
    assert [g.unit for g in outstanding_groups(people, 3)] == ["一组", "二组", "三组"]
    assert not any(g.tied_at_edge for g in outstanding_groups(people, 3))  # the tie sits inside the places
    assert outstanding_groups(people, 0) == []


async def program(chat) -> None:
    await imported_program(chat, ROSTER, (("wang", "王芳"), ("li", "李明"), ("zhao", "赵强"), ("qian", "钱多")))


async def test_outstanding_groups_are_named_with_their_mean(sqlite_url, clock):
    """Hand count: everyone starts at 100; 赵强 is marked 不合格 (−5).
    一组 (王芳 100, 李明 100, 赵强 95) → 98.3; 二组 (钱多 100, 孙丽 100) → 100; 三组 (周杰 100) → 100.
    One place: 二组 and 三组 share it and both are flagged for the coordinator; two places: the same two,
    no flag; 一组 is named only with three places."""
    async with open_chat(sqlite_url, clock, policy=policy(1)) as chat:
        await program(chat)
        chat.clock.set(at(10, 9))
        await chat.one("/mark 不合格 赵强 | 暑期集中培训", user="coord")
        lines = (await chat.one("/outstanding", user="coord")).splitlines()
        groups = next(line for line in lines if line.startswith("优秀小组"))
        assert groups == ("优秀小组（1个，按已参评成员平均积分）：二组（平均100分，2人，第1名）〔与名额外的人并列，请协调员定夺〕；"
                          "三组（平均100分，1人，第1名）〔与名额外的人并列，请协调员定夺〕")
        assert await chat.one("/outstanding", user="wang") == "抱歉，您没有使用 /outstanding 的权限。"
    async with open_chat(sqlite_url.replace("yanxiu.db", "three.db"), clock, policy=policy(3)) as chat:
        await program(chat)
        chat.clock.set(at(10, 9))
        await chat.one("/mark 不合格 赵强 | 暑期集中培训", user="coord")
        lines = (await chat.one("推优", user="coord")).splitlines()
        groups = next(line for line in lines if line.startswith("优秀小组"))
        assert groups.endswith("；一组（平均98.3分，3人，第3名）") and "并列" not in groups


async def test_no_group_line_when_the_policy_names_none(sqlite_url, clock):
    async with open_chat(sqlite_url, clock, policy=policy(0)) as chat:
        await program(chat)
        assert not any(line.startswith("优秀小组") for line in (await chat.one("/outstanding", user="coord")).splitlines())


async def test_compliance_names_groups_outside_the_size_range_and_busy_mentors(sqlite_url, clock):
    async with open_chat(sqlite_url, clock, policy=policy(0, group_min=2, group_max=2, mentor_apprentices_max=2,
                                                          cohort_min=25, cohort_max=30, mentors_min=3)) as chat:
        await program(chat)
        for name in ("王芳", "李明", "赵强"):
            await chat.one(f"/pair 钱多 {name}", user="coord")
        lines = (await chat.one("/compliance", user="coord")).splitlines()
        assert "⚠️ 小组人数应为2人，不符合的有：一组（3人）、三组（1人）" in lines
        assert "⚠️ 导师带徒超过2人：钱多（3人）" in lines
        assert "⚠️ 学员现有6人，规则要求25—30人" in lines, "seed 000: 每個培育站25名學員"
        assert "⚠️ 导师组现有1人，规则要求至少3人" in lines, "seed 000: 每個培育站由3名導師構成導師組"
    async with open_chat(sqlite_url.replace("yanxiu.db", "ok.db"), clock,
                         policy=policy(0, group_min=1, group_max=3, mentor_apprentices_max=3, cohort_max=6,
                                       mentors_min=1, mentors_max=1)) as chat:
        await program(chat)
        for name in ("王芳", "李明", "赵强"):
            await chat.one(f"/pair 钱多 {name}", user="coord")
        reply = await chat.one("/compliance", user="coord")
        assert "小组人数" not in reply and "导师带徒" not in reply and "学员现有" not in reply and "导师组" not in reply
    async with open_chat(sqlite_url.replace("yanxiu.db", "unchecked.db"), clock, policy=policy(0)) as chat:
        await program(chat)
        assert "小组人数" not in await chat.one("/compliance", user="coord")  # 0 = not checked
