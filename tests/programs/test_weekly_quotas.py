"""Seed 001's "每周撰写一篇教育教学反思" through the chat: each week is judged on its own."""

from __future__ import annotations

from datetime import date, datetime

from bot.domain.policy import Checkins, Hours, Policy, Program, Records
from tests.conftest import SHANGHAI, open_chat

REFLECTION = "反思：" + "今天的课堂上我尝试了小组合作学习，学生讨论热烈，但有的小组偏离了主题，下次要把任务说得更具体，并且在巡视时及时提醒。"
TONGBAN = Policy(
    checkins=Checkins(acknowledge="reply"), program=Program(counting_from=date(2026, 11, 2)),
    records=Records(reflections_per_month=0, reflections_per_week=1, cases_per_month=0),
    hours=Hours(school_based_per_semester=0),  # hours are not what this test is about
)


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)


async def test_four_reflections_on_one_day_fill_one_week(sqlite_url, clock):
    async with open_chat(sqlite_url, clock, policy=TONGBAN) as chat:
        chat.clock.set(at(11, 1))
        await chat.join("u1", "王芳")
        await chat.join("u2", "李明")
        chat.clock.set(at(11, 2))
        for number in range(4):
            await chat.one(REFLECTION + f"第{number + 1}篇。", user="u1")
        for day in (3, 10, 17, 24):  # one each week, Tuesday
            chat.clock.set(at(11, day))
            await chat.one(REFLECTION, user="u2")
        chat.clock.set(at(11, 30))  # Monday: the weeks of 2, 9, 16 and 23 November are over
        wang = (await chat.one("/score", user="u1")).splitlines()
        assert [line for line in wang if "这周" in line] == [
            "· 11.9—11.15这周 教学反思缺1篇 −2", "· 11.16—11.22这周 教学反思缺1篇 −2",
            "· 11.23—11.29这周 教学反思缺1篇 −2"]
        assert any(line.startswith("还缺：11.9起那周反思1篇、11.16起那周反思1篇、11.23起那周反思1篇") for line in wang)
        li = (await chat.one("/score", user="u2")).splitlines()
        assert not any("这周" in line for line in li)
        assert "积分 94" in wang[0] and "积分 100" in li[0]


async def test_weeks_before_a_teacher_joined_are_not_owed(sqlite_url, clock):
    async with open_chat(sqlite_url, clock, policy=TONGBAN) as chat:
        chat.clock.set(at(11, 16))
        await chat.join("u1", "王芳")
        chat.clock.set(at(11, 30))
        wang = (await chat.one("/score", user="u1")).splitlines()
        assert [line for line in wang if "这周" in line] == [
            "· 11.16—11.22这周 教学反思缺1篇 −2", "· 11.23—11.29这周 教学反思缺1篇 −2"]


async def test_me_shows_this_weeks_reflection_not_a_month_that_asks_for_none(sqlite_url, clock):
    async with open_chat(sqlite_url, clock, policy=TONGBAN) as chat:
        chat.clock.set(at(11, 30))  # a Monday
        await chat.join("u1", "王芳")
        assert "本周教学反思：0/1，还差1篇（截止12月6日）" in (await chat.one("/me", user="u1")).splitlines()
        chat.clock.set(at(12, 2))
        await chat.one(REFLECTION, user="u1")
        lines = (await chat.one("/me", user="u1")).splitlines()
        assert "本周教学反思：1/1 已完成" in lines
        assert not any(line.startswith("12月教学反思") for line in lines), "the month asks for none"
        chat.clock.set(at(12, 7))  # the next Monday: a new week
        assert "本周教学反思：0/1，还差1篇（截止12月13日）" in (await chat.one("/me", user="u1")).splitlines()
