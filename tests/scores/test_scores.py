"""Hours, points and grades through the chat: /score, /credit, /mark, /scores, /freeze and /adjust."""

from __future__ import annotations

from datetime import datetime

from storage.models import AuditEntry, FrozenScore, HoursLine, ScoreAdjustment, TrainingMark
from tests.conftest import SHANGHAI

REFLECTION = "反思：" + "今天的课堂上我尝试了小组合作学习，学生讨论热烈，但有的小组偏离了主题，下次要把任务说得更具体，并且在巡视时及时提醒。"
CASE = "案例：" + "《秋天的雨》教学案例：以朗读为主线，引导学生抓住关键词体会秋天的美，课后学生能仿写一段描写秋天的话，效果较好。"


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=SHANGHAI)


async def coordinator(chat) -> None:
    await chat.join("coord", "教研室", roles=("coordinator",))


async def test_score_explains_every_point_with_the_seed_rules(chat):
    chat.clock.set(at(2026, 9, 1))  # on the roster since the semester began
    await coordinator(chat)
    await chat.join("u1", "王芳")
    chat.clock.set(at(2026, 10, 10))
    await chat.one(REFLECTION, user="u1")
    await chat.one(CASE, user="u1")
    chat.clock.set(at(2026, 11, 12))
    await chat.one(REFLECTION, user="u1")
    assert "已为1人登记44学时" in await chat.one("/credit 44 王芳 | 暑期集中培训", user="coord")
    await chat.one("/mark 优秀 王芳 | 县级骨干教师培训", user="coord")
    chat.clock.set(at(2026, 12, 2))
    score = await chat.one("/score", user="u1")
    lines = score.splitlines()
    assert lines[0].startswith("王芳（紫阳县第二小学）2026—2027学年第一学期：积分")
    assert "· 9月 教学反思缺1篇 −2" in lines and "· 9月 教学案例缺1篇 −2" in lines
    assert "· 11月 教学案例缺1篇 −2" in lines and not any(line.startswith("· 10月") for line in lines)
    assert "· 培训成绩优秀 1次 +2" in lines
    assert any(line.startswith("还缺：9月反思1篇、9月案例1篇、11月案例1篇") for line in lines)
    assert "学期进行中" in lines[-1]


async def test_hours_item_is_capped_and_measured_against_the_whole_semester_at_the_end(chat):
    chat.clock.set(at(2026, 9, 1))
    await chat.join("u1", "王芳")
    chat.clock.set(at(2027, 1, 25))
    score = await chat.one("/score", user="u1")
    assert "· 校本学时 0/48，缺48学时 −30" in score.splitlines()
    assert "不合格" in score.splitlines()[0] and "最终积分" in score


async def test_credit_from_a_session_and_by_names_is_one_ledger_line_each(chat):
    await coordinator(chat)
    await chat.join("u1", "王芳")
    await chat.join("u2", "李明")
    reply = await chat.one("/credit 2.5 王芳、李明 | 集体备课", user="coord")
    assert reply == "已为2人登记2.5学时（集体备课）：王芳、李明"
    lines = await chat.rows(HoursLine)
    assert [(line.hours, line.minutes, line.category) for line in lines] == [(2.5, 112, "school")] * 2
    assert "学时需大于0" in await chat.one("/credit 0 王芳 | 集体备课", user="coord")
    assert "用法" in await chat.one("/credit 2 王芳", user="coord")
    assert "名单里没有“张三”" in await chat.one("/credit 2 王芳 张三 | 集体备课", user="coord")
    assert len(await chat.rows(HoursLine)) == 2, "a bad name stores nothing for anyone"
    assert [e.action for e in await chat.rows(AuditEntry)].count("hours.credit") == 1


async def test_marks_replace_rather_than_duplicate(chat):
    await coordinator(chat)
    await chat.join("u1", "王芳")
    await chat.one("/mark 优秀 王芳 | 县级培训", user="coord")
    await chat.one("/mark 不合格 王芳 | 县级培训", user="coord")
    [mark] = await chat.rows(TrainingMark)
    assert mark.mark == "unqualified"
    assert "培训成绩不合格 1次 −5" in await chat.one("/score", user="u1")


async def test_only_organisers_see_other_teachers_scores(chat):
    await coordinator(chat)
    await chat.join("u1", "王芳")
    await chat.join("u2", "李明")
    assert "只能查看自己的积分" in await chat.one("/score 李明", user="u1")
    assert "李明（紫阳县第二小学）" in await chat.one("/score 李明", user="coord")


async def test_scores_ranks_teachers(chat):
    await coordinator(chat)
    await chat.join("u1", "王芳")
    await chat.join("u2", "李明")
    await chat.one("/credit 10 王芳 | 集体备课", user="coord")
    chat.clock.set(at(2026, 12, 2))
    table = (await chat.say("/scores", user="coord", private=True))[0]
    rows = table.splitlines()
    assert rows[0].startswith("📊 全项目 积分排名（2026—2027学年第一学期，截至12月2日）")
    assert rows[1].startswith("1. 王芳 学时10") and rows[2].startswith("2. 李明 学时0")
    assert "共2人" in table
    assert rows[-1].startswith("（这是当前积分的查看，不是成绩公示") and "公示期" not in table, \
        "a look names no objection period and claims nothing was sent"


async def test_freeze_then_adjust_keeps_the_frozen_score_and_lists_the_correction(chat):
    await coordinator(chat)
    await chat.join("u1", "王芳")
    assert "学期要到2027-01-20才结束" in await chat.one("/freeze", user="coord")
    chat.clock.set(at(2027, 1, 25))
    assert "已冻结2026—2027学年第一学期的积分（1人）" in await chat.one("/freeze", user="coord")
    [frozen] = await chat.rows(FrozenScore)
    before = frozen.points
    await chat.one("/credit 48 王芳 | 补登暑期培训", user="coord")
    assert f"积分 {before:g}" in await chat.one("/score", user="u1"), "new hours do not change a frozen score"
    assert "调整 +2 分" in await chat.one("/adjust 王芳 +2 补交10月教学反思", user="coord")
    score = await chat.one("/score", user="u1")
    assert f"积分 {before + 2:g}" in score and "· 调整：补交10月教学反思 +2" in score and "已冻结" in score
    assert "已经冻结了" in await chat.one("/freeze", user="coord")
    assert "用法" in await chat.one("/adjust 王芳 很多", user="coord")
    [adjustment] = await chat.rows(ScoreAdjustment)
    assert adjustment.points == 2 and "教研室" in adjustment.actor
