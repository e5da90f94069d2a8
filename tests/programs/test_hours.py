"""Hours by category: /credit with 线上/校本/县级/县级以上, the platform's online-hours import (dry run,
/confirm, re-import books nothing twice), and /score showing each category against its target."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.domain.hours import HoursRow, Person, category_of, plan_hours_import, read_hours_export
from bot.domain.policy import Checkins, Hours, Policy
from bot.domain.roster import RosterFileError
from bot.kernel.messages import Attachment, AttachmentKind
from storage.models import AuditEntry, HoursLine
from tests.conftest import SHANGHAI, open_chat

# Seed 004: 线上 120 + 校本 30 学时 (完成"中国研修网"网络研修线上任务，认定远程培训120学时；…校本研修认定30学时).
WANGLUO = Policy(checkins=Checkins(acknowledge="reply"),
                 hours=Hours(online_per_semester=120, school_based_per_semester=30, per_year=0, per_five_years=0))

EXPORT = """中国教师研修网 学员学时统计表
导出时间：2026-11-20
序号,学员姓名,工作单位,获得学时
1,王芳,紫阳县第二小学,96
2,李明,紫阳县第二小学,120.5
3,张三,紫阳县第二小学,30
4,,紫阳县第二小学,10
5,赵丽,紫阳县第二小学,很多
""".encode("gb18030")


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("word", "category"), [
    ("线上", "online"), ("校本", "school"), ("县级", "county"), ("县级以上", "higher"), ("市级", "higher"),
    ("縣級", "county"), (" 线上 ", "online"), ("网络研修", "online"), ("随便", None), ("", None),
])
def test_category_words(word, category):
    assert category_of(word) == category


def test_export_reader_skips_title_rows_and_flags_bad_rows():
    rows = read_hours_export(EXPORT, "学时.csv")
    assert [(r.line, r.name, r.school, r.hours, r.problem) for r in rows] == [
        (4, "王芳", "紫阳县第二小学", 96.0, ""), (5, "李明", "紫阳县第二小学", 120.5, ""),
        (6, "张三", "紫阳县第二小学", 30.0, ""), (7, "", "紫阳县第二小学", 10.0, "hours_row_no_name"),
        (8, "赵丽", "紫阳县第二小学", None, "hours_row_bad_hours"),
    ]
    with pytest.raises(RosterFileError) as problem:
        read_hours_export("姓名,学校\n王芳,二小\n".encode(), "x.csv")
    assert problem.value.key == "hours_import_columns"


def test_plan_books_the_difference_and_tells_namesakes_apart_by_school():
    people = [Person(1, "王芳", "二小"), Person(2, "王芳", "一中"), Person(3, "李明", "二小")]
    rows = [HoursRow(2, "王芳", "一中", 40), HoursRow(3, "王芳", "", 10), HoursRow(4, "李明", "", 50),
            HoursRow(5, "李明", "", 60), HoursRow(6, "周七", "", 5)]
    plans = plan_hours_import(rows, people, booked={2: 30.0, 3: 50.0})
    assert [(p.member_id, p.problem, p.change) for p in plans] == [
        (2, "", 10.0), (None, "hours_row_ambiguous", 0.0), (3, "", 0.0),
        (3, "hours_row_duplicate", 0.0), (None, "hours_row_unknown", 0.0),
    ]


async def test_credit_books_each_category_and_score_shows_them_against_targets(sqlite_url, clock):
    async with open_chat(sqlite_url, clock, policy=WANGLUO) as chat:
        chat.clock.set(at(2026, 9, 1))  # on the roster from the semester's first day: every hour is owed
        await chat.join("coord", "教研室", roles=("coordinator",))
        await chat.join("u1", "王芳")
        chat.clock.set(at(2026, 10, 20))
        assert "已为1人登记12学时（集体备课）" in await chat.one("/credit 12 王芳 | 集体备课", user="coord")
        reply = await chat.one("/credit 6 王芳 | 县级骨干培训 | 县级", user="coord")
        assert reply == "已为1人登记6学时（县级骨干培训，县级）：王芳"
        await chat.one("/credit 40 王芳 | 研修网课程 | 线上", user="coord")
        assert "不认识的学时类别“外星”" in await chat.one("/credit 2 王芳 | 某培训 | 外星", user="coord")
        ledger = sorted((line.category, line.hours) for line in await chat.rows(HoursLine))
        assert ledger == [("county", 6.0), ("online", 40.0), ("school", 12.0)]
        chat.clock.set(at(2027, 1, 25))
        score = (await chat.one("/score", user="u1")).splitlines()
        assert "学时明细：线上 40/120 · 校本 12/30 · 县级 6" in score
        # 80 online and 18 school-based hours missing, but the hours item takes at most 30 points.
        assert "· 校本学时 12/30，缺18学时 −30" in score
        assert not any(line.startswith("· 线上学时") for line in score)


async def test_platform_export_dry_run_confirm_and_reimport(sqlite_url, clock):
    async with open_chat(sqlite_url, clock, policy=WANGLUO) as chat:
        await chat.join("coord", "教研室", roles=("coordinator",))
        await chat.join("u1", "王芳")
        await chat.join("u2", "李明")
        chat.adapter.files["f1"] = EXPORT
        file = (Attachment(AttachmentKind.DOCUMENT, "f1", "学时.csv"),)
        dry = await chat.one("/hours import", user="coord", private=True, attachments=file)
        assert "共5行：将登记2人、合计216.5线上学时" in dry and "3行无法登记" in dry
        assert "· 第6行 张三：名单中没有此人" in dry and "· 第4行 王芳：96（+96）" in dry
        assert await chat.rows(HoursLine) == []  # a dry run books nothing
        done = await chat.one("/confirm", user="coord", private=True)
        assert done == "已登记线上学时：2人、合计216.5学时；0人无变化，3行未登记。"
        assert sorted((l.member_id, l.category, l.hours) for l in await chat.rows(HoursLine)) == [
            (2, "online", 96.0), (3, "online", 120.5)]
        assert [e.action for e in await chat.rows(AuditEntry) if e.action == "hours.import"] == ["hours.import"]

        # A week later the platform's totals grew for one teacher; the same export again adds only that.
        chat.clock.set(at(2026, 11, 30))
        chat.adapter.files["f2"] = EXPORT.replace("96".encode(), "100".encode())
        file = (Attachment(AttachmentKind.DOCUMENT, "f2", "学时.csv"),)
        dry = await chat.one("/hours import", user="coord", private=True, attachments=file)
        assert "将登记1人、合计4线上学时；1人与已登记的相同" in dry
        await chat.one("/confirm", user="coord", private=True)
        totals = {}
        for line in await chat.rows(HoursLine):
            totals[line.member_id] = totals.get(line.member_id, 0) + line.hours
        assert totals == {2: 100.0, 3: 120.5}
        score = (await chat.one("/score", user="u1")).splitlines()
        assert "学时明细：线上 100/120 · 校本 0/30" in score


async def test_hours_import_is_for_coordinators_in_private(chat):
    await chat.join("u1", "王芳")
    assert "用法" not in await chat.one("/hours import", user="u1", private=True)
    await chat.join("coord", "教研室", roles=("coordinator",))
    assert "私聊" in await chat.one("/hours import", user="coord")
    assert "用法" in await chat.one("/hours import", user="coord", private=True)
