"""The five example policies in deploy/policies, one per seed document: each loads, and each runs a
scripted semester through the chat whose scores match the hand count written beside it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.policy import Checkins, Policy
from bot.kernel.messages import Attachment, AttachmentKind
from bot.ops.policy import load_policy
from tests.programs.support import link
from tests.conftest import SHANGHAI, open_chat

POLICIES = Path(__file__).resolve().parents[2] / "deploy" / "policies"
REFLECTION = "反思：" + "今天的课堂上我尝试了小组合作学习，学生讨论热烈，但有的小组偏离了主题，下次要把任务说得更具体，并且在巡视时及时提醒。"
CASE = "案例：" + "《秋天的雨》教学案例：以朗读为主线，引导学生抓住关键词体会秋天的美，课后学生能仿写一段描写秋天的话，效果较好。"
PLAN = "【个人研修计划】本学期我计划每月读一本教育专著并写读书笔记，每两周上一节研究课请导师指导，学期末完成一篇课堂教学改进的总结，和组员一起磨课三次。"
OBSERVE = "/observe {name} | 三年级数学 | 分数的初步认识 | 亮点：情境导入自然。建议：多给学生表达的机会。"


def policy(name: str) -> Policy:
    loaded = load_policy(POLICIES / f"{name}.toml")
    return loaded.model_copy(update={"checkins": Checkins(acknowledge="reply")})  # replies are what tests read


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)


def header(score: str) -> str:
    return score.splitlines()[0]


async def start(chat, rules: Policy, *names: str) -> None:
    """Everyone is on the roster from the first day, so every period of the semester is owed."""
    chat.clock.set(at(rules.semester.start, 8))
    await chat.join("coord", "教研室", roles=("coordinator",))
    for number, name in enumerate(names, start=1):
        await chat.join(f"u{number}", name)


async def final_scores(chat, rules: Policy, count: int) -> list[str]:
    chat.clock.set(at(rules.semester.end + timedelta(days=2)))
    return [await chat.one("/score", user=f"u{number}") for number in range(1, count + 1)]


@pytest.mark.parametrize("name", ["peiyuzhan", "tongban", "songjiao", "xiaoben", "wangluo"])
def test_every_example_policy_loads_and_each_rule_says_where_it_comes_from(name):
    """Every rule (outside the name, zone and dates) carries a comment quoting its document or saying
    that the value is an example the document does not give."""
    rules = load_policy(POLICIES / f"{name}.toml")
    assert rules.name
    section, bare = "", []
    for line in (POLICIES / f"{name}.toml").read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            section = line
        elif "=" in line and not line.lstrip().startswith("#") and section not in ("", "[semester]"):
            if "#" not in line:
                bare.append(line)
    assert bare == []


async def test_xiaoben_semester_matches_the_hand_count(sqlite_url, clock):
    """Seed 003: a reflection and a case every month (−2 each missing), 48 hours (−2 an hour, at most
    −30), a training marked 优秀 +2 / 不合格 −5. Semester 2026-09-01 … 2027-01-20: five months.

    王芳: all ten records, 48 hours, one 优秀 → 100 + 2 = 102 (优秀).
    李明: September's two records only (8 missing: −16), 40 hours (8 short: −16), one 不合格 (−5) → 63 (合格).
    """
    rules = policy("xiaoben")
    async with open_chat(sqlite_url, clock, policy=rules) as chat:
        await start(chat, rules, "王芳", "李明")
        for month in (9, 10, 11, 12, 1):
            chat.clock.set(at(date(2027 if month == 1 else 2026, month, 12)))
            await chat.one(REFLECTION, user="u1")
            await chat.one(CASE, user="u1")
            if month == 9:
                await chat.one(REFLECTION, user="u2")
                await chat.one(CASE, user="u2")
        await chat.one("/credit 48 王芳 | 校本集中培训", user="coord")
        await chat.one("/credit 40 李明 | 校本集中培训", user="coord")
        await chat.one("/mark 优秀 王芳 | 县级培训", user="coord")
        await chat.one("/mark 不合格 李明 | 县级培训", user="coord")
        wang, li = await final_scores(chat, rules, 2)
        assert "积分 102（优秀）" in header(wang)
        assert "积分 63（合格）" in header(li)
        assert "· 校本学时 40/48，缺8学时 −16" in li.splitlines()


async def test_tongban_semester_matches_the_hand_count(sqlite_url, clock):
    """Seed 001: a reflection every week (−2 a week missing), an observation a semester (−2), a
    personal plan (个人计划) a semester (−2).
    Semester 2026-09-01 … 2027-01-15: the weeks from Monday 7 September to Monday 11 January, 19 weeks
    (the week begun on 31 August started before the semester and is not owed).

    王芳: a reflection every Tuesday, one observation and her plan → 100 (优秀).
    李明: four reflections on 8 September (one week), no observation, no plan → 100 − 18×2 − 2 − 2 = 60,
    exactly the pass mark (合格).
    """
    rules = policy("tongban")
    assert (rules.units.group_min, rules.units.group_max, rules.awards.outstanding_groups) == (5, 8, 1)
    async with open_chat(sqlite_url, clock, policy=rules) as chat:
        await start(chat, rules, "王芳", "李明")
        tuesday = date(2026, 9, 8)
        while tuesday <= rules.semester.end:
            chat.clock.set(at(tuesday))
            await chat.one(REFLECTION + f"（{tuesday:%m%d}）", user="u1")
            tuesday += timedelta(days=7)
        chat.clock.set(at(date(2026, 9, 8), 15))
        for number in range(4):
            await chat.one(REFLECTION + f"第{number + 1}篇", user="u2")
        await chat.say(OBSERVE.format(name="李明"), user="u1")
        assert "已收到个人研修计划" in await chat.one(PLAN.replace("【个人研修计划】", "个人计划："), user="u1")
        wang, li = await final_scores(chat, rules, 2)
        assert "积分 100（优秀）" in header(wang)
        assert "积分 60（合格）" in header(li) and "· 本学期 个人研修计划缺1篇 −2" in li.splitlines()
        assert sum("这周 教学反思缺1篇 −2" in line for line in li.splitlines()) == 18


async def test_songjiao_year_counts_and_the_ten_percent_cut(sqlite_url, clock):
    """Seed 002: 72 hours a school year, 360 in five years from summer 2016; the training team's
    bottom 10% named for the cut.

    王芳: 20 school-based + 16 county hours this year → 本学年 36/72, 2026—2031五年周期 36/360.
    Scores: no quotas in this document; 李明 marked 不合格 → 95, the others 100.
    The training team (导师) 赵强, 钱多, 孙丽: 10% of 3 rounds up to 1 → 钱多, marked 不合格 (95).
    """
    rules = policy("songjiao")
    [lesson] = rules.records.kinds
    assert (lesson.name, lesson.lesson, lesson.scale, rules.reviews.points) == (
        "送教课", True, ["合格", "优质", "精品"], {"优质": 2, "精品": 4})
    async with open_chat(sqlite_url, clock, policy=rules) as chat:
        await start(chat, rules, "王芳", "李明")
        for user, name in (("m1", "赵强"), ("m2", "钱多"), ("m3", "孙丽")):
            await chat.join(user, name, roles=("mentor",))
        chat.clock.set(at(date(2026, 10, 15)))
        await chat.one("/credit 20 王芳 | 校本研修", user="coord")
        await chat.one("/credit 16 王芳 | 县级骨干培训 | 县级", user="coord")
        await chat.one("/mark 不合格 李明 钱多 | 送教下乡集中培训", user="coord")
        wang, li = await final_scores(chat, rules, 2)
        assert "累计学时：本学年 36/72 · 2026—2031五年周期 36/360" in wang.splitlines()
        assert "学时明细：校本 20 · 县级 16" in wang.splitlines()
        assert "积分 100（优秀）" in header(wang) and "积分 95（优秀）" in header(li)
        awards = (await chat.one("/outstanding", user="coord")).splitlines()
        assert "末位10%（1人）：钱多 95分" in awards


async def test_wangluo_semester_matches_the_hand_count(sqlite_url, clock):
    """Seed 004: 线上 120 (the platform's export) + 校本 30 hours; −2 an hour missing, at most −30.
    Semester 2026-10-20 … 2026-12-31.

    王芳: platform 120, 校本 30 → 100 (优秀).
    李明: platform 100, 校本 24 → 校本 6 short (−12), 线上 20 short (−40, capped to the 18 left) → 70;
          no 教学设计 handed in (一个教学设计, −2) → 68 (合格). 王芳 hands hers in as a file.
    Outstanding (2 per workshop; 体育+艺术 share 2): 语文 王芳 only (李明 is not 优秀).
    """
    rules = policy("wangluo")
    async with open_chat(sqlite_url, clock, policy=rules) as chat:
        await start(chat, rules)
        chat.adapter.files["roster"] = "姓名,学校,工作坊,角色\n王芳,紫阳县第二小学,语文,学员\n李明,紫阳县第二小学,语文,坊主、学员\n".encode()
        roster = (Attachment(AttachmentKind.DOCUMENT, "roster", "名单.csv"),)
        await chat.one("/roster import", user="coord", private=True, attachments=roster)
        await chat.one("/confirm", user="coord", private=True)
        await link(chat, "u1", "王芳")
        await link(chat, "u2", "李明")
        chat.clock.set(at(date(2026, 12, 20)))
        chat.adapter.files["hours"] = "姓名,学校,学时\n王芳,紫阳县第二小学,120\n李明,紫阳县第二小学,100\n".encode()
        export = (Attachment(AttachmentKind.DOCUMENT, "hours", "研修网学时.csv"),)
        await chat.one("/hours import", user="coord", private=True, attachments=export)
        await chat.one("/confirm", user="coord", private=True)
        await chat.one("/credit 30 王芳 | 校本研修", user="coord")
        await chat.one("/credit 24 李明 | 校本研修", user="coord")
        assert "请以文件或图片提交" in await chat.one("教学设计：《分数的初步认识》教学目标……", user="u1")
        chat.adapter.files["design"] = b"%PDF-1.4"
        design = (Attachment(AttachmentKind.DOCUMENT, "design", "分数的初步认识.pdf"),)
        assert "已收到教学设计《分数的初步认识》" in (await chat.say("教学设计《分数的初步认识》", user="u1",
                                                                   attachments=design))[0]
        wang, li = await final_scores(chat, rules, 2)
        assert "积分 100（优秀）" in header(wang) and "学时明细：线上 120/120 · 校本 30/30" in wang.splitlines()
        assert "积分 68（合格）" in header(li) and "· 本学期 教学设计缺1篇 −2" in li.splitlines()
        assert "· 校本学时 24/30，缺6学时 −12" in li.splitlines() and "· 线上学时 100/120，缺20学时 −18" in li.splitlines()
        awards = (await chat.one("/outstanding", user="coord")).splitlines()
        assert "语文（2名）：王芳 100分（第1名）" in awards
        assert "优秀坊主：李明（语文，2人平均84分）" in awards


async def test_peiyuzhan_semester_matches_the_hand_count(sqlite_url, clock):
    """Seed 000: each member logs at least one observation a semester (同课同构/同课异构 每學期至少一次),
    a personal plan (個人研修計劃, at least 50 characters) and a research lesson (每人至少上一節研究課),
    −2 for each missing; the mentor grades the lesson (精品 +4); the mentor's guidance log is the
    mentor's to write; the best study group by mean score is named (發掘推薦優秀學習小組).

    王芳 (一组): observation, plan, lesson graded 精品 by her mentor → 100 + 4 = 104.
    李明 (一组): nothing → 100 − 2 − 2 − 2 = 94.
    赵强 (二组): observation and plan, no lesson → 98.
    钱多 (导师, no group): his guidance log on 王芳; owes the members' quotas too → 94, and no
    导师指导记录 line; 李明 owes no guidance log.
    Groups: 一组 (104 + 94) / 2 = 99, 二组 98 → 一组 is the outstanding group."""
    rules = policy("peiyuzhan")
    assert (rules.sessions.min_minutes, rules.sessions.min_per_school, rules.sessions.per_month,
            rules.sessions.per_semester) == (30, 5, 1, 3)
    async with open_chat(sqlite_url, clock, policy=rules) as chat:
        await start(chat, rules, "王芳", "李明", "赵强")
        await chat.join("u4", "钱多", roles=("mentor",))
        for line in ("/group add 一组", "/group add 二组", "/assign 王芳 小组 一组", "/assign 李明 小组 一组",
                     "/assign 赵强 小组 二组", "/pair 钱多 王芳"):
            await chat.one(line, user="coord")
        chat.clock.set(at(date(2026, 11, 5)))
        await chat.say(OBSERVE.format(name="李明"), user="u1")
        await chat.say(OBSERVE.format(name="王芳"), user="u3")
        assert "至少50字" in await chat.one("【个人研修计划】多读书，多上课。", user="u2")
        assert "已收到个人研修计划" in await chat.one(PLAN, user="u1")
        assert "已收到个人研修计划" in await chat.one(PLAN, user="u3")
        assert "已收到研究课《秋天的雨》" in await chat.one(
            "研究课：《秋天的雨》\n执教：王芳 班级：三(2)班 学科：语文\n以读促悟。", user="u1")
        assert "指导对象：王芳" in await chat.one(
            "导师指导记录：\n学员：王芳\n听了《秋天的雨》试讲，建议朗读指导再细一些，板书再简洁一些。", user="u4")
        lesson = next(line for line in (await chat.one("/review", user="u4")).splitlines() if "秋天的雨" in line)
        assert "已评阅" in (await chat.say(f"/review {lesson.split()[0]} 精品 朗读指导到位", user="u4"))[0]
        wang, li, zhao, qian = await final_scores(chat, rules, 4)
        assert "积分 104（优秀）" in header(wang) and "· 课例评定：《秋天的雨》精品 +4" in wang.splitlines()
        assert "积分 94（优秀）" in header(li) and "导师指导记录" not in li
        assert "积分 98（优秀）" in header(zhao) and "· 本学期 研究课缺1篇 −2" in zhao.splitlines()
        assert "积分 94（优秀）" in header(qian) and "导师指导记录" not in qian
        awards = (await chat.one("/outstanding", user="coord")).splitlines()
        assert "优秀小组（1个，按已参评成员平均积分）：一组（平均99分，2人，第1名）" in awards
