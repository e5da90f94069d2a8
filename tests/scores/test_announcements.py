"""Score announcements (per bound group, paginated, with a chart, privacy settings, on schedule),
nudges before the monthly deadline, and exports (XLSX workbook, briefing, command line)."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

import openpyxl
from docx import Document

from bot.domain.policy import Announcements, Policy
from reminders.scheduler import session_env
from storage.models import AuditEntry
from reminders.planner import sweep
from tests.conftest import SHANGHAI, open_chat
from tests.scores.test_scores import REFLECTION, at
from tests.test_config_cli import run_cli

SCHOOL, OTHER = "紫阳县第二小学", "紫阳中学"


async def school_with_teachers(chat, count: int = 3) -> None:
    await chat.join("coord", "教研室", roles=("coordinator",))
    for number in range(1, count + 1):
        await chat.join(f"u{number}", f"老师{number:02d}", SCHOOL)
    await chat.join("x1", "外校老师", OTHER)
    await chat.one(f"/bind school {SCHOOL}", user="coord", chat="group-school")
    await chat.one(f"/bind school {OTHER}", user="coord", chat="group-other")


async def tick(chat) -> list:
    before = len(chat.adapter.sent)
    app = chat.app
    await sweep(app.session_factory, app.dispatcher.delivery, session_env(app), chat.clock)
    return chat.adapter.sent[before:]


async def test_announce_posts_each_group_its_own_ranking_and_a_chart(chat):
    await school_with_teachers(chat)
    await chat.one("/credit 12 老师02 | 集体备课", user="coord")
    chat.clock.set(at(2026, 12, 2))
    replies = await chat.say("/announce", user="coord", chat="group-office")
    assert replies[0] == "成绩公示已发到2个群。"
    school = [m for m in chat.adapter.sent if m.chat.chat_id == "group-school"][-2:]
    table, chart = school
    assert table.text.startswith("📊 紫阳县第二小学 成绩公示（2026—2027学年第一学期，截至12月2日）")
    assert table.text.splitlines()[1].startswith("1. 老师02 学时12") and "外校老师" not in table.text
    assert "共3人" in table.text and "缺：" in table.text
    assert chart.file.file_name.endswith(".png") and chart.file.content.startswith(b"\x89PNG")
    other = [m for m in chat.adapter.sent if m.chat.chat_id == "group-other" and m.text.startswith("📊")]
    assert "外校老师" in other[0].text and "老师02" not in other[0].text
    assert any(e.action == "scores.announce" for e in await chat.rows(AuditEntry))


async def test_long_rankings_are_paginated_and_privacy_is_respected(sqlite_url, clock):
    policy = Policy(announcements=Announcements(rows_per_message=5, show="initials", chart=False))
    async with open_chat(sqlite_url, clock, policy=policy) as chat:
        await school_with_teachers(chat, count=12)
        await chat.say("/announce", user="coord")
        pages = [m.text for m in chat.adapter.sent if m.chat.chat_id == "group-school" and m.text.startswith("📊")]
        assert [page.splitlines()[0].endswith(f"（第{n}/3页）") for n, page in enumerate(pages, 1)] == [True] * 3
        assert "1. 老*** 学时0" in pages[0] and "老师01" not in "".join(pages)
        assert all(len(page.splitlines()) <= 8 for page in pages)
    grades_only = Policy(announcements=Announcements(show="grades"))
    async with open_chat(sqlite_url, clock, policy=grades_only) as chat:
        await chat.say("/announce", user="coord")
        [summary] = [m.text for m in chat.adapter.sent if m.chat.chat_id == "group-school" and m.text.startswith("📊")]
        assert "共12人" in summary and "老" not in summary.split("\n", 1)[1]


async def test_the_scheduled_announcement_goes_out_once_on_the_first_at_nine(chat):
    await school_with_teachers(chat)
    chat.clock.set(at(2026, 12, 1, 8))
    assert [m for m in await tick(chat) if "成绩公示" in m.text] == []
    chat.clock.set(at(2026, 12, 1, 9))
    first = [m for m in await tick(chat) if "成绩公示" in m.text]
    assert {m.chat.chat_id for m in first} == {"group-school", "group-other"}
    chat.clock.set(at(2026, 12, 1, 10))
    assert [m for m in await tick(chat) if "成绩公示" in m.text] == []


async def test_nudges_go_privately_once_a_few_days_before_month_end_at_a_decent_hour(chat):
    await school_with_teachers(chat, count=2)
    await chat.enrol("赵强", SCHOOL)
    await chat.enrol("钱多", SCHOOL)
    chat.clock.set(at(2026, 11, 20))
    await chat.one(REFLECTION, user="u1")
    chat.clock.set(at(2026, 11, 27, 15))
    assert [m for m in await tick(chat) if "还差" in m.text] == []
    chat.clock.set(at(2026, 11, 27, 16))
    nudges = [m for m in await tick(chat) if "还差" in m.text or "还没有交齐" in m.text]
    by_user = {m.chat.chat_id: m.text for m in nudges if m.chat.kind.value == "private"}
    assert by_user["u1"] == "老师01老师您好，11月还差：教学案例1篇，11月30日截止。发送“反思：……”或“案例：……”即可提交。"
    assert "教学反思1篇、教学案例1篇" in by_user["u2"]
    private = [m for m in nudges if m.chat.kind.value == "private"]
    [group] = [m for m in nudges if m.chat.kind.value == "group"]
    assert {m.chat.chat_id for m in private} == {"u1", "u2", "x1"}
    assert group.chat.chat_id == "group-school" and "以下老师还没有交齐：赵强、钱多" in group.text
    chat.clock.set(at(2026, 11, 28, 16))
    assert [m for m in await tick(chat) if "还差" in m.text] == []


async def test_export_sends_a_workbook_and_the_monthly_briefing(chat):
    await school_with_teachers(chat)
    chat.clock.set(at(2026, 11, 20))
    await chat.one(REFLECTION, user="u1")
    await chat.one("/credit 3 老师01 老师02 | 集体备课", user="coord")
    assert "只能在与我的私聊中使用" in await chat.one("/export", user="coord")
    [workbook] = await chat.say("/export", user="coord", private=True)
    assert "记录1条，学时2条，积分4人" in workbook
    book = openpyxl.load_workbook(BytesIO(chat.adapter.sent[-1].file.content))
    assert book.sheetnames == ["研修记录", "学时台账", "积分（2026—2027学年第一学期）"]
    row = [c.value for c in book["研修记录"][2]]
    assert (row[1], row[2], row[4]) == ("老师01", SCHOOL, "教学反思")
    [school_only] = await chat.say(f"/export school {OTHER}", user="coord", private=True)
    assert "记录0条，学时0条，积分1人" in school_only
    chat.clock.set(at(2026, 12, 2))
    replies = await chat.say("/export briefing 2026-11", user="coord", private=True)
    assert replies[0].startswith("2026年11月研修简报")
    document = Document(BytesIO(chat.adapter.sent[-2].file.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "教师研修项目研修简报" in text and "2026年11月" in text
    assert "| 教学反思 | 1 |" in replies[1]


def test_command_line_export_writes_xlsx_csv_and_the_briefing(tmp_path):
    assert run_cli("console", stdin="/start\n", cwd=tmp_path).returncode == 0
    xlsx = run_cli("export", "--from", "2026-09-01", "--to", "2026-12-31", "--out", "台账.xlsx", cwd=tmp_path)
    assert xlsx.returncode == 0, xlsx.stderr
    assert openpyxl.load_workbook(tmp_path / "台账.xlsx").sheetnames[0] == "研修记录"
    csv = run_cli("export", "--format", "csv", "--out", "csv", cwd=tmp_path)
    assert csv.returncode == 0 and len(list((tmp_path / "csv").glob("*.csv"))) == 3
    brief = run_cli("export", "--briefing", "2026-11", "--out", "简报.docx", cwd=tmp_path)
    assert brief.returncode == 0 and (tmp_path / "简报.md").read_text(encoding="utf-8").startswith("# ")
    bad = run_cli("export", "--school", "没有这所学校", cwd=tmp_path)
    assert bad.returncode == 2 and "no such school" in bad.stderr
    assert run_cli("export", "--from", "昨天", cwd=tmp_path).returncode == 2
