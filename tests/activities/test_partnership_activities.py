"""Seed 000's "联·挂·帮" activities from the example policy: each is owed by the schools of its role
(常规诊断 by every 帮扶校, 同课同构 by every 引领校), per month or two months and per semester."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.domain.policy import Checkins
from bot.ops.policy import load_policy
from tests.conftest import SHANGHAI, open_chat

PEIYUZHAN = Path(__file__).resolve().parents[2] / "deploy" / "policies" / "peiyuzhan.toml"


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)


async def test_partnership_activities_are_owed_by_the_schools_of_their_role(sqlite_url, clock):
    rules = load_policy(PEIYUZHAN).model_copy(update={"checkins": Checkins(acknowledge="reply")})
    async with open_chat(sqlite_url, clock, policy=rules) as chat:
        clock.set(at(11, 2))
        await chat.join("coord", "教研室", roles=("coordinator",))
        for line in ("/school add 城关小学 基地校", "/school add 河东小学 引领校 城关小学",
                     "/school add 石门小学 帮扶校 城关小学"):
            assert "已添加学校" in await chat.one(line, user="coord")
        await chat.join("s1", "周老师", school="石门小学", roles=("teacher", "leader"))
        await chat.join("s2", "吴老师", school="石门小学")
        await chat.join("h1", "郑老师", school="河东小学", roles=("teacher", "leader"))

        clock.set(at(11, 12))  # recorded two days after it was held, with its roll
        recorded = await chat.say("/activity new 常规诊断 11月10日 9:00 | 60 | 作业批改常规 | 石门小学", user="s1")
        assert recorded[0].startswith("已安排活动：#1 常规诊断《作业批改常规》11月10日")
        await chat.say("/activity roll 1 周老师 吴老师", user="s1")
        assert "计入次数" in (await chat.say("/activity end 1", user="s1"))[0]

        clock.set(at(12, 1))
        everything = (await chat.one("/activities", user="coord", private=True)).splitlines()
        assert "⚠️ 常规诊断 · 石门小学：本月（12.1–12.31）0/1次" in everything
        assert "⚠️ 常规诊断 · 石门小学：本学期（9.1–1.20）1/3次" in everything
        assert "⚠️ 学习方式变革研讨 · 石门小学：这两个月（11.1–12.31）0/1次" in everything
        assert "⚠️ 学习方式变革研讨 · 石门小学：本学期（9.1–1.20）0/2次" in everything
        assert "⚠️ 同课同构 · 河东小学：本学期（9.1–1.20）0/1次" in everything
        assert "⚠️ 集中研修 · 紫阳县乡村骨干教师培育站：本月（12.1–12.31）0/1次" in everything
        assert not any("城关小学" in line or "紫阳县第二小学" in line for line in everything), \
            "the base school and a school outside the partnership owe none of them"
        assert not any("常规诊断 · 河东小学" in line for line in everything), "常规诊断 is for 帮扶校"

        own = await chat.one("/activities", user="s2", private=True)
        assert "常规诊断 · 石门小学" in own and "河东小学" not in own and "集中研修" in own
        compliance = (await chat.one("/compliance", user="coord", private=True)).splitlines()
        assert "⚠️ 常规诊断 · 石门小学：本学期（9.1–1.20）1/3次" in compliance
        assert "⚠️ 学员现有3人，规则要求25—30人" in compliance and "⚠️ 导师组现有0人，规则要求3人" in compliance

        elsewhere = await chat.say("/activity new 常规诊断 12月3日 9:00 | 60 | 听课 | 城关小学", user="coord", private=True)
        assert "常规诊断由帮扶校开展，城关小学不是帮扶校" in elsewhere[0], "held, but it counts for no school"
