"""Score announcements (per bound group, paginated, with a chart, privacy settings, on schedule),
nudges before the monthly deadline, and exports (XLSX workbook, briefing, command line)."""

from __future__ import annotations

from io import BytesIO

import openpyxl
from docx import Document

from bot.domain.policy import Announcements, Policy
from reminders.scheduler import session_env
from storage.models import AuditEntry
from reminders.planner import sweep
from tests.conftest import open_chat
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


async def test_announce_is_previewed_then_sent_privately_by_default(chat):
    chat.clock.set(at(2026, 9, 1))
    await school_with_teachers(chat)
    await chat.one("/credit 12 老师02 | 集体备课", user="coord")
    chat.clock.set(at(2026, 12, 2))
    before = len(chat.adapter.sent)
    preview = await chat.one("/announce", user="coord", private=True)
    assert preview.startswith("预览：将向2个群发布成绩公示，并私信4位老师各自的明细。")
    assert "共3人" in preview or "共1人" in preview
    assert all(m.chat.chat_id == "coord" for m in chat.adapter.sent[before:]), "nothing is sent before /confirm"
    replies = await chat.say("确认", user="coord", private=True)
    assert replies[0] == "成绩公示已发到2个群，并已私信4位老师各自的明细。"
    [school] = [m for m in chat.adapter.sent if m.chat.chat_id == "group-school"][-1:]
    assert school.file is None, "no chart of everyone's points in the group by default"
    lines = school.text.splitlines()
    assert lines[0] == "📊 紫阳县第二小学 成绩公示（2026—2027学年第一学期，截至12月2日）"
    assert "共3人：优秀0人，合格0人，不合格3人。" in lines
    assert "· 紫阳县第二小学：0/3人已完成本期任务" in lines
    assert not any(line.startswith("1.") for line in lines) and "缺：" not in school.text
    assert any(line.startswith("公示期：12月2日—12月6日") for line in lines)
    private = {m.chat.chat_id: m.text for m in chat.adapter.sent if m.chat.kind.value == "private"}
    assert private["u2"].startswith("老师02老师，2026—2027学年第一学期成绩公示：您的积分")
    assert "还缺：" in private["u2"] and "异议" in private["u2"]
    assert "外校老师" in private["x1"]
    assert any(e.action == "scores.announce" for e in await chat.rows(AuditEntry))
    assert "没有需要确认" in await chat.one("/confirm", user="coord", private=True)


async def test_announce_posts_the_ranked_table_and_chart_when_the_policy_asks(sqlite_url, clock):
    policy = Policy(announcements=Announcements(table=True))
    async with open_chat(sqlite_url, clock, policy=policy) as chat:
        await school_with_teachers(chat)
        await chat.one("/credit 12 老师02 | 集体备课", user="coord")
        chat.clock.set(at(2026, 12, 2))
        await chat.say("/announce", user="coord", chat="group-office")
        await chat.say("/confirm", user="coord", chat="group-office")
        school = [m for m in chat.adapter.sent if m.chat.chat_id == "group-school"][-2:]
        table, chart = school
        assert table.text.startswith("📊 紫阳县第二小学 成绩公示（2026—2027学年第一学期，截至12月2日）")
        rows = table.text.splitlines()
        assert rows[1].startswith("1. 老师02 学时12") and "外校老师" not in table.text
        assert rows[2].startswith("2（并列）. 老师01") and rows[3].startswith("2（并列）. 老师03"), "ties share a rank"
        assert "共3人" in table.text and "缺：" in table.text
        assert chart.file.file_name.endswith(".png") and chart.file.content.startswith(b"\x89PNG")
        other = [m for m in chat.adapter.sent if m.chat.chat_id == "group-other" and m.text.startswith("📊")]
        assert "外校老师" in other[0].text and "老师02" not in other[0].text


async def test_long_rankings_are_paginated_and_privacy_is_respected(sqlite_url, clock):
    policy = Policy(announcements=Announcements(rows_per_message=5, show="initials", chart=False, table=True))
    async with open_chat(sqlite_url, clock, policy=policy) as chat:
        await school_with_teachers(chat, count=12)
        await chat.say("/announce", user="coord")
        await chat.say("/confirm", user="coord")
        pages = [m.text for m in chat.adapter.sent if m.chat.chat_id == "group-school" and m.text.startswith("📊")]
        assert [page.splitlines()[0].endswith(f"（第{n}/3页）") for n, page in enumerate(pages, 1)] == [True] * 3
        assert "1（并列）. 老***① 学时0" in pages[0] and "老师01" not in "".join(pages)
        masks = [line.split()[1] for page in pages for line in page.splitlines() if line.startswith("1（并列）.")]
        assert len(masks) == len(set(masks)) == 12, "two teachers never share one mask"
        assert all(len(page.splitlines()) <= 5 + 1 for page in pages[:-1])
    grades_only = Policy(announcements=Announcements(show="grades"))
    async with open_chat(sqlite_url, clock, policy=grades_only) as chat:
        await chat.say("/announce", user="coord")
        await chat.say("/confirm", user="coord")
        [summary] = [m.text for m in chat.adapter.sent if m.chat.chat_id == "group-school" and m.text.startswith("📊")]
        assert "共12人" in summary and "老师0" not in summary and "老师1" not in summary


async def test_the_scheduled_announcement_goes_out_once_on_the_first_at_nine(chat):
    await school_with_teachers(chat)
    chat.clock.set(at(2026, 12, 1, 8))
    assert [m for m in await tick(chat) if "成绩公示" in m.text and m.chat.kind.value == "group"] == []
    chat.clock.set(at(2026, 12, 1, 9))
    first = [m for m in await tick(chat) if "成绩公示" in m.text]
    assert {m.chat.chat_id for m in first if m.chat.kind.value == "group"} == {"group-school", "group-other"}
    assert {m.chat.chat_id for m in first if m.chat.kind.value == "private"} == {"u1", "u2", "u3", "x1"}
    chat.clock.set(at(2026, 12, 1, 10))
    assert [m for m in await tick(chat) if "成绩公示" in m.text] == []


async def test_nudges_go_privately_once_a_few_days_before_month_end_at_a_decent_hour(chat):
    chat.clock.set(at(2026, 11, 1))
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
    assert book.sheetnames == ["研修记录", "学时台账", "积分（2026—2027学年第一学期）", "签到", "完成情况"]
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
    assert csv.returncode == 0 and len(list((tmp_path / "csv").glob("*.csv"))) == 5
    brief = run_cli("export", "--briefing", "2026-11", "--out", "简报.docx", cwd=tmp_path)
    assert brief.returncode == 0 and (tmp_path / "简报.md").read_text(encoding="utf-8").startswith("# ")
    bad = run_cli("export", "--school", "没有这所学校", cwd=tmp_path)
    assert bad.returncode == 1 and "no such school" in bad.stderr
    assert run_cli("export", "--from", "昨天", cwd=tmp_path).returncode == 2


async def test_the_scheduled_announcement_is_shown_the_day_before_and_can_be_held(chat):
    chat.clock.set(at(2026, 9, 1))
    await school_with_teachers(chat)
    chat.clock.set(at(2026, 11, 30, 9))
    prepared = [m for m in await tick(chat) if "定时成绩公示将于" in m.text]
    assert [m.chat.chat_id for m in prepared] == ["coord"]
    assert "12月1日 09:00" in prepared[0].text and "2个群" in prepared[0].text
    assert [m for m in await tick(chat) if "定时成绩公示将于" in m.text] == [], "shown once"
    assert "已暂缓12月1日 09:00" in await chat.one("/announce hold", user="coord", private=True)
    chat.clock.set(at(2026, 12, 1, 9))
    assert [m for m in await tick(chat) if "成绩公示" in m.text and m.chat.kind.value == "group"] == []
    assert "将按时发布" in await chat.one("/announce release", user="coord", private=True)
    released = [m for m in await tick(chat) if "成绩公示" in m.text and m.chat.kind.value == "group"]
    assert {m.chat.chat_id for m in released} == {"group-school", "group-other"}
    actions = [e.action for e in await chat.rows(AuditEntry)]
    assert "scores.announce.hold" in actions and "scores.announce.release" in actions
