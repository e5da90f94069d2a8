"""Declared kinds as first-class records (D-ids in /mine, /undo, /delete, /edit, /me, /myfile, the
export), reviewed by their own evaluators on their own scale; lessons posted for a teacher and graded
into the score; guidance logs written by mentors and owed by mentors only."""

from __future__ import annotations

from io import BytesIO

import pytest
from docx import Document
from openpyxl import load_workbook
from pydantic import ValidationError

from bot.domain.policy import Checkins, Hours, Policy, RecordKindRule, Records, Reviews
from bot.domain.record_kinds import DeclaredPost, declared_id, facts_of, lesson_points
from bot.kernel.adapter import Capabilities
from storage.models import DeclaredRecord, DeclaredReview, DeclaredRevision, Member, Record
from tests.conftest import open_chat
from tests.programs.support import at, imported_program

KINDS = [
    RecordKindRule(name="个人研修计划", min_chars=10, count=1),  # seed 000: 制定个人研修计划
    RecordKindRule(name="研究课", keywords=["公开课"], lesson=True, evaluators=["mentor"],
                   scale=["达标", "优质", "示范"]),  # seed 000: 研究课; seed 002: 合格课/优质课/精品课
    RecordKindRule(name="导师指导记录", authors=["mentor"], count=1, min_chars=10),  # seed 000
]
POLICY = Policy(checkins=Checkins(acknowledge="reply"),
                records=Records(kinds=KINDS, reflections_per_month=0, cases_per_month=0, observations_per_semester=0),
                hours=Hours(school_based_per_semester=0, per_year=0, per_five_years=0),
                reviews=Reviews(points={"优质": 2, "示范": 4}))
ROSTER = """姓名,学校,工作坊,小组,角色
王芳,紫阳县第二小学,语文,一组,学员
李明,紫阳县第二小学,语文,一组,组长、学员
赵强,紫阳县第二小学,数学,二组,学员
钱多,紫阳县第二小学,数学,三组,导师
孙丽,紫阳县第二小学,数学,三组,导师
""".encode()
PLAN = "【个人研修计划】本学期读两本教育专著，每月上一节研究课。"
REFLECTION = "反思：" + "今天的课堂上我尝试了小组合作学习，学生讨论热烈，但有的小组偏离了主题，下次要把任务说得更具体，并且在巡视时及时提醒。"
LESSON = "研究课：《秋天的雨》\n执教：王芳 班级：三(2)班 学科：语文\n以读促悟，抓住秋天的色彩和气味展开。"
GUIDANCE = "导师指导记录：\n学员：王芳\n听了《秋天的雨》试讲，建议朗读指导再细一些。"


async def program(chat) -> None:
    people = (("wang", "王芳"), ("li", "李明"), ("zhao", "赵强"), ("qian", "钱多"), ("sun", "孙丽"))
    await imported_program(chat, ROSTER, people)
    await chat.one("/pair 钱多 王芳", user="coord")


def test_ids_and_facts_are_read_as_written():
    assert [declared_id(text) for text in ("D12", "#d12", "ｄ１２", "12", "D", "DD1")] == [12, 12, 12, None, None, None]
    facts = facts_of(DeclaredPost(KINDS[1], "秋天的雨", "执教：王芳 班级：三(2)班 学科：语文\n……"))
    assert (facts.teacher, facts.class_subject) == ("王芳", "三(2)班 语文")
    assert facts_of(DeclaredPost(KINDS[2], "", "学员：李明\n……")).about == "李明"
    assert lesson_points(["优质", "示范"], {"优质": 2, "示范": 4}) == 4  # the best grade, not the sum
    assert lesson_points(["达标"], {"优质": 2}) == 0


def test_the_policy_refuses_what_would_silently_do_nothing():
    with pytest.raises(ValidationError, match="no scale has"):
        Policy(reviews=Reviews(points={"优质课": 2}))  # the scale says 优质
    assert Policy(records=Records(kinds=[RecordKindRule(name="送教课", scale=["达标课", "优质课"])]),
                  reviews=Reviews(points={"优质课": 2})).reviews.points == {"优质课": 2}
    with pytest.raises(ValidationError, match="evaluators"):
        RecordKindRule(name="研究课", evaluators=["学员"])  # a trainee grades no one's lesson
    assert RecordKindRule(name="研究课", evaluators=["坊主"]).evaluators == ["workshop_leader"]
    with pytest.raises(ValidationError, match="authors"):
        RecordKindRule(name="导师指导记录", authors=["coordinator"])


async def test_a_declared_record_is_listed_withdrawn_and_edited_by_its_author(sqlite_url, clock):
    async with open_chat(sqlite_url, clock, policy=POLICY) as chat:
        await program(chat)
        chat.clock.set(at(10, 9))
        assert "本学期个人研修计划：0/1，还差1篇" in await chat.one("/me", user="wang")
        await chat.one(PLAN, user="wang")
        chat.clock.advance(seconds=60)
        await chat.one(REFLECTION, user="wang")
        plan = (await chat.rows(DeclaredRecord))[0].id
        reflection = (await chat.rows(Record))[0].id
        mine = await chat.one("/mine", user="wang")
        assert f"#D{plan} 10月9日 个人研修计划" in mine and f"#{reflection} 10月9日 教学反思" in mine
        assert "本学期个人研修计划：1/1 已完成" in await chat.one("/me", user="wang")

        # the ordinary id and the D-id never reach each other's record
        assert "找不到您的记录 #D99" in await chat.one("/delete D99", user="wang")
        assert "找不到您的记录" in await chat.one(f"/delete D{plan}", user="li")  # not hers to delete
        edited = await chat.one(f"/edit D{plan} 本学期读三本教育专著，每月上一节研究课。", user="wang")
        assert edited == f"已修改 #D{plan}（个人研修计划，第2版），原内容已保留在历史中。"
        assert "太短" in await chat.one(f"/edit D{plan} 读书", user="wang")
        assert (await chat.rows(DeclaredRecord))[0].body == "本学期读三本教育专著，每月上一节研究课。"
        assert [r.body for r in await chat.rows(DeclaredRevision)] == [PLAN.removeprefix("【个人研修计划】")]

        assert "教学反思" in await chat.one("/undo", user="wang")  # the latest of any kind goes first
        assert f"已撤回 #D{plan}（个人研修计划）" in await chat.one("/undo", user="wang")
        assert "本学期个人研修计划：0/1" in await chat.one("/me", user="wang")
        assert "没有可以撤回的记录" in await chat.one("/undo", user="wang")

        await chat.one(PLAN.replace("两本", "四本"), user="wang")
        chat.clock.set(at(1, 25, 2027))
        latest = max(row.id for row in await chat.rows(DeclaredRecord))
        assert "该时段已结束并冻结" in await chat.one(f"/delete D{latest}", user="wang")
        assert "个人研修计划缺" not in await chat.one("/score", user="wang")
        assert "本学期 个人研修计划缺1篇 −2" in await chat.one("/score", user="zhao")


async def test_the_training_file_and_the_workbook_hold_the_declared_kinds(sqlite_url, clock):
    async with open_chat(sqlite_url, clock, policy=POLICY) as chat:
        await program(chat)
        chat.clock.set(at(10, 9))
        await chat.one(PLAN, user="wang")
        await chat.one(LESSON, user="wang")
        lesson = max(row.id for row in await chat.rows(DeclaredRecord))
        await chat.say(f"/review D{lesson} 优质 朗读指导到位", user="qian")
        await chat.say("/myfile", user="wang", private=True)
        sent = [m for m in chat.adapter.sent if m.file is not None][-1]
        texts = [p.text for p in Document(BytesIO(sent.file.content)).paragraphs]
        assert "个人研修计划（1篇）" in texts and "研究课（1篇）" in texts and "导师指导记录（0篇）" in texts
        assert "班级学科：三(2)班 语文" in texts and "评定：优质（钱多）" in texts

        await chat.say("/export", user="coord", private=True)
        sent = [m for m in chat.adapter.sent if m.file is not None][-1]
        book = load_workbook(BytesIO(sent.file.content))
        assert {"个人研修计划", "研究课", "导师指导记录"} <= set(book.sheetnames)
        rows = list(book["研究课"].values)
        assert rows[1][:2] == (f"D{lesson}", "王芳") and rows[1][-1] == "优质（钱多）"


async def test_a_lesson_is_graded_by_its_named_evaluators_into_the_score(sqlite_url, clock):
    async with open_chat(sqlite_url, clock, policy=POLICY) as chat:
        await program(chat)
        chat.clock.set(at(10, 9))
        refused = await chat.one(LESSON, user="zhao")
        assert refused == "只有协调员可以为其他老师登记研究课；请王芳老师自己发送，或去掉“执教”一行。"
        saved = await chat.one(LESSON, user="coord")
        lesson = (await chat.rows(DeclaredRecord))[0]
        assert saved == f"已为王芳登记研究课《秋天的雨》（编号 D{lesson.id}，本学期第1篇）。"
        assert (lesson.member_id, lesson.class_subject, lesson.posted_by_id is not None) == (
            next(m.id for m in await chat.rows(Member) if m.name == "王芳"),
            "三(2)班 语文", True)
        assert f"#D{lesson.id} 10月9日 研究课《秋天的雨》（教研室代登记）" in await chat.one("/mine", user="wang")
        await chat.one("公开课：《画杨桃》\n班级：四(1)班 学科：语文\n引导学生从不同角度观察。", user="zhao")

        # the group leader reviews reflections and plans, but 研究课 names only mentors
        refusal = await chat.one(f"/review D{lesson.id} 优质", user="li")
        assert refusal == "研究课由导师（自己的徒弟）评阅，您不能评阅王芳的这篇研究课。"
        assert "还没有需要评阅" in await chat.one("/review", user="li")
        listing = await chat.one("/review", user="qian")
        assert f"#D{lesson.id} 王芳 研究课《秋天的雨》10.9 · 待评阅" in listing
        assert "研究课的等级：达标、优质、示范。" in listing and "画杨桃" not in listing  # 赵强 is not his
        assert "达标、优质、示范" in await chat.one(f"/review D{lesson.id} 精品", user="qian")
        replies = await chat.say(f"/review D{lesson.id} 优质 朗读指导到位", user="qian")
        assert replies[0] == f"已评阅 #D{lesson.id}（王芳）：优质。已私信告知作者。"
        assert replies[1] == "钱多评阅了您的研究课《秋天的雨》：优质。评语：朗读指导到位"
        assert [(r.record_id, r.grade) for r in await chat.rows(DeclaredReview)] == [(lesson.id, "优质")]

        everything = await chat.one("/lessons", user="coord")
        assert everything.splitlines()[0] == "2026—2027学年第一学期课例（共2节）："
        assert f"D{lesson.id} 10.9 王芳 研究课《秋天的雨》 三(2)班 语文 · 优质（钱多）" in everything
        assert "赵强 研究课《画杨桃》 四(1)班 语文 · 待评定" in everything
        assert "画杨桃" not in await chat.one("课例", user="qian") and "秋天的雨" in await chat.one("/lessons", user="qian")
        assert "还没有登记课例" in await chat.one("/lessons", user="li")
        assert "秋天的雨" not in await chat.one("/lessons", user="wang")  # teachers are not shown the list

        chat.clock.set(at(1, 25, 2027))
        wang = (await chat.one("/score", user="wang")).splitlines()
        assert "· 课例评定：《秋天的雨》优质 +2" in wang and "积分 100" in wang[0]  # 100 − 2 (no plan) + 2 (优质)
        zhao = await chat.one("/score", user="zhao")
        assert "课例评定" not in zhao  # not graded: no points


async def test_guidance_is_the_mentors_to_write_and_to_owe(sqlite_url, clock):
    async with open_chat(sqlite_url, clock, policy=POLICY) as chat:
        await program(chat)
        chat.clock.set(at(10, 9))
        assert await chat.one(GUIDANCE, user="wang") == "导师指导记录由导师填写，您的角色不需要提交。"
        assert "不是您的徒弟" in await chat.one(GUIDANCE.replace("王芳", "赵强"), user="qian")
        assert "请写明导师指导记录的指导对象" in await chat.one("导师指导记录：今天听课，建议朗读再细一些。", user="qian")
        saved = await chat.one(GUIDANCE, user="qian")
        record = (await chat.rows(DeclaredRecord))[0]
        assert saved == f"已收到导师指导记录，指导对象：王芳（编号 D{record.id}，本学期第1篇）。"
        assert (record.about_name, record.posted_by_id) == ("王芳", None)
        assert "导师指导记录" not in await chat.one("/me", user="wang")
        assert "本学期导师指导记录：1/1 已完成" in await chat.one("/me", user="qian")

        chat.clock.set(at(1, 25, 2027))
        assert "导师指导记录" not in await chat.one("/score", user="wang")  # teachers do not owe it
        assert "导师指导记录缺" not in await chat.one("/score", user="qian")
        assert "· 本学期 导师指导记录缺1篇 −2" in (await chat.one("/score", user="sun")).splitlines()


async def test_erasure_takes_her_declared_records_and_her_name_from_others(sqlite_url, clock):
    async with open_chat(sqlite_url, clock, policy=POLICY) as chat:
        await program(chat)
        chat.clock.set(at(10, 9))
        await chat.one(PLAN, user="wang")
        await chat.one(GUIDANCE, user="qian")
        await chat.one("/forgetme", user="wang", private=True)
        await chat.one("/confirm", user="wang", private=True)
        [left] = await chat.rows(DeclaredRecord)  # her plan is gone; his guidance log stays
        assert left.kind == "导师指导记录" and left.about_member_id is None and "王芳" not in left.about_name


async def test_the_coordinator_takes_back_a_lesson_posted_for_a_teacher(sqlite_url, clock):
    async with open_chat(sqlite_url, clock, policy=POLICY) as chat:
        await program(chat)
        chat.clock.set(at(10, 9))
        await chat.one(LESSON, user="coord")
        lesson = (await chat.rows(DeclaredRecord))[0].id
        assert "没有可以撤回的记录" in await chat.one("/undo", user="wang")  # /undo takes only what she posted
        assert await chat.one("/undo", user="coord") == f"已撤回 #D{lesson}（研究课），不再计入统计。"
        await chat.one(LESSON.replace("秋天的雨", "画杨桃"), user="coord")
        second = max(row.id for row in await chat.rows(DeclaredRecord))
        assert "找不到您的记录" in await chat.one(f"/delete D{second}", user="zhao")
        assert f"已撤回 #D{second}" in await chat.one(f"/delete D{second}", user="wang")  # hers, all the same


async def test_the_text_training_file_lists_the_declared_kinds(sqlite_url, clock):
    """Where files cannot be sent, /myfile is text: each declared kind has its section too."""
    async with open_chat(sqlite_url, clock, policy=POLICY,
                         capabilities=Capabilities(max_text_length=20000, can_send_files=False)) as chat:
        await program(chat)
        chat.clock.set(at(10, 9))
        await chat.one(LESSON, user="coord")
        lesson = (await chat.rows(DeclaredRecord))[0].id
        text = "\n".join(await chat.say("/myfile", user="wang", private=True))
        assert "## 个人研修计划（0篇）" in text and "## 研究课（1篇）" in text
        assert f"### #D{lesson} 2026-10-09 《秋天的雨》" in text
        assert "- 班级学科：三(2)班 语文" in text and "- 登记人：教研室" in text
