"""送教下乡's five stages (seed 002) from deploy/policies/songjiao.toml: /stages shows each with its
dates, whether it is over, current or to come, and whether its expected activity was held."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.domain.policy import Checkins
from bot.ops.policy import load_policy
from storage.models import Activity, HoursLine
from tests.conftest import SHANGHAI, open_chat

SONGJIAO = Path(__file__).resolve().parents[2] / "deploy" / "policies" / "songjiao.toml"
TEACHERS = {"t1": "王芳", "t2": "李明", "t3": "张丽"}


async def test_stages_show_what_each_stage_held(sqlite_url, clock):
    rules = load_policy(SONGJIAO).model_copy(update={"checkins": Checkins(acknowledge="reply")})
    clock.set(datetime(2026, 10, 10, 10, 0, tzinfo=SHANGHAI))
    async with open_chat(sqlite_url, clock, policy=rules) as chat:
        await chat.join("coord", "教研室", roles=("coordinator",))
        for user, name in TEACHERS.items():
            await chat.join(user, name)
        assert "已安排活动：#1 诊断示范《课堂诊断与示范课》" in await chat.one(
            "/activity new 示范课 10月12日 09:00 | 90 | 课堂诊断与示范课 | 紫阳县第二小学", user="coord")
        clock.set(datetime(2026, 10, 12, 11, 0, tzinfo=SHANGHAI))
        assert "王芳、李明、张丽" in await chat.one("/activity roll 1 王芳 李明 张丽", user="coord")
        result = await chat.one("/activity end 1", user="coord")
        assert result.startswith("✅ 诊断示范 #1《课堂诊断与示范课》计入次数：时长90分钟，到场率100%。"), result
        assert "到场者每人计县级学时3。" in result
        assert {(line.category, line.hours) for line in await chat.rows(HoursLine)} == {("county", 3)}

        stages = (await chat.one("/stages", user="t1")).splitlines()
        assert stages == [
            "舒兰市国培计划送教下乡 各阶段：",
            "✔️ 集中研修（9月1日—9月20日，已结束）",
            "  ❌ 集中研修：未开展",
            "▶️ 诊断示范（9月21日—10月31日，进行中）",
            "  ✅ 诊断示范：已开展1次",
            "⏳ 研课磨课（11月1日—12月15日，未开始）",
            "  ⏳ 研课磨课：尚未开展",
            "⏳ 成果展示（12月16日—1月5日，未开始）",
            "  ⏳ 成果展示：尚未开展",
            "⏳ 总结提升（1月6日—1月20日，未开始）",
            "  ⏳ 总结提升：尚未开展",
        ]
        assert "研课磨课" in await chat.one("阶段", user="t1"), "the Chinese word asks too"
        [row] = await chat.rows(Activity)
        assert row.unit_kind == "school" and row.counted
