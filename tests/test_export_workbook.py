"""The workbook a county office files, from chat in to XLSX out: every sheet says what it holds in words."""

from __future__ import annotations

from io import BytesIO

import openpyxl

from bot.kernel.messages import Attachment, AttachmentKind
from tests.scores.test_scores import REFLECTION, at

SCHOOL, OTHER = "紫阳县第二小学", "紫阳县第十小学"


def sheet_rows(book, name: str) -> list[list]:
    return [[cell.value for cell in row] for row in book[name].iter_rows()]


async def test_the_workbook_holds_texts_check_ins_sources_and_completion(chat_any_db):
    chat = chat_any_db
    await chat.join("coord", "教研室", roles=("coordinator",))
    await chat.join("u1", "王芳", SCHOOL)
    await chat.join("u2", "李雷", OTHER)
    await chat.join("u3", "赵敏", "紫阳县第三小学")
    chat.clock.set(at(2026, 11, 20, 8))
    assert "签到成功" in await chat.one("签到", user="u1")
    photo = Attachment(AttachmentKind.DOCUMENT, "doc-1", "-分数教学反思.docx", "application/msword")
    await chat.say(REFLECTION, user="u1", attachments=(photo,))
    await chat.one("/credit 3 王芳 李雷 | @全体 集体备课", user="coord")
    [_] = await chat.say("/export", user="coord", private=True)
    book = openpyxl.load_workbook(BytesIO(chat.adapter.sent[-1].file.content))

    records = sheet_rows(book, "研修记录")
    assert records[0][-2:] == ["正文", "附件"]
    assert records[1][-2] == REFLECTION.removeprefix("反思：") and records[1][-1] == "-分数教学反思.docx"

    checkins = sheet_rows(book, "签到")
    assert checkins[0] == ["姓名", "学校", "工作坊", "日期", "签到时间", "平台"]
    assert checkins[1][:2] == ["王芳", SCHOOL] and checkins[1][4].hour == 8 and checkins[1][5] == "memory"

    hours = sheet_rows(book, "学时台账")
    sources = {row[6] for row in hours[1:]}
    assert sources == {"补录（memory群）"}, sources
    assert {row[7] for row in hours[1:] if row[6].startswith("补录")} == {"@全体 集体备课"}

    completion = sheet_rows(book, "完成情况")
    assert completion[0] == ["单位类型", "单位", "教师人数", "全部完成", "完成率", "优秀", "合格", "不合格", "平均积分"]
    schools = [row[1] for row in completion[1:] if row[0] == "学校"]
    assert schools == [SCHOOL, "紫阳县第三小学", OTHER]  # 二, 三, 十: the order of their numbers
    assert all(row[2] == 1 and row[4].endswith("%") for row in completion[1:])

    page = book["研修记录"].page_setup
    assert page.orientation == "landscape" and int(page.fitToWidth) == 1


def test_sources_are_described_in_words():
    from bot.services.reports import describe_source

    assert describe_source("record:12") == "研修记录 #12"
    assert describe_source("session:3") == "网络研讨 #3"
    assert describe_source("credit:wecom:robot:二小:991") == "补录（企业微信群）"
    assert describe_source("credit:onebot:10001:5") == "补录（QQ群）"
    assert describe_source("imported") == "imported"


async def test_a_group_leader_exports_her_own_group_and_nothing_else(chat):
    await chat.join("coord", "教研室", roles=("coordinator",))
    await chat.join("lead", "组长甲", SCHOOL, roles=("teacher", "leader"))
    await chat.join("u1", "王芳", SCHOOL)
    await chat.join("u2", "李雷", OTHER)
    for group, people in (("第一小组", ("组长甲", "王芳")), ("第二小组", ("李雷",))):
        await chat.one(f"/group add {group}", user="coord")
        for name in people:
            assert "小组设为" in await chat.one(f"/assign {name} 小组 {group}", user="coord")
    chat.clock.set(at(2026, 11, 20, 8))
    await chat.say(REFLECTION, user="u1")
    await chat.say(REFLECTION, user="u2")

    [reply] = await chat.say("/export", user="lead", private=True)
    assert "第一小组" in reply
    book = openpyxl.load_workbook(BytesIO(chat.adapter.sent[-1].file.content))
    assert [row[1] for row in sheet_rows(book, "研修记录")[1:]] == ["王芳"]
    scores = {row[1] for row in sheet_rows(book, "积分（2026—2027学年第一学期）")[1:]}
    assert scores == {"组长甲", "王芳"}, "only the group's people"

    assert "只能导出自己负责" in await chat.one("/export group 第二小组", user="lead", private=True)
    assert "只有协调员" in await chat.one("/export briefing 2026-11", user="lead", private=True)
    assert "权限" in await chat.one("/export", user="u1", private=True), "a teacher exports nothing"
    [everyone] = await chat.say("/export group 第二小组", user="coord", private=True)
    book = openpyxl.load_workbook(BytesIO(chat.adapter.sent[-1].file.content))
    assert [row[1] for row in sheet_rows(book, "研修记录")[1:]] == ["李雷"]
