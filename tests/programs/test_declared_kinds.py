"""Record kinds declared in the policy (教学设计, 个人研修计划 …): read from a post's head, kept with
their rules (attachment required, minimum length), counted toward their quota in the score."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from pydantic import ValidationError

from bot.domain.policy import Checkins, Hours, Policy, RecordKindRule, Records
from bot.domain.record_kinds import read_declared
from bot.kernel.messages import Attachment, AttachmentKind
from storage.models import DeclaredRecord, Record
from tests.conftest import SHANGHAI, open_chat

KINDS = [
    RecordKindRule(name="教学设计", keywords=["教案"], attachment_required=True, count=1,
                   evaluators=["workshop_leader"]),  # seed 004: 自主完成一个基于课标要求的教学设计
    RecordKindRule(name="个人研修计划", min_chars=20, count=1),  # seed 000: 個人研修計劃
    RecordKindRule(name="微课例", count=0),  # kept and shown, not required
]
POLICY = Policy(checkins=Checkins(acknowledge="reply"),
                records=Records(kinds=KINDS, reflections_per_month=0, cases_per_month=0, observations_per_semester=0),
                hours=Hours(school_based_per_semester=0, per_year=0, per_five_years=0))
PLAN = "【个人研修计划】本学期我计划读两本教育专著，每月上一节研究课，并完成一个微课例。"
REFLECTION = "反思：" + "今天的课堂上我尝试了小组合作学习，学生讨论热烈，但有的小组偏离了主题，下次要把任务说得更具体，并且在巡视时及时提醒。"


@pytest.mark.parametrize(("text", "kind", "title"), [
    ("教学设计：《分数的初步认识》\n一、教学目标", "教学设计", "分数的初步认识"),
    ("《秋天的雨》教学设计\n教学目标：……", "教学设计", "秋天的雨"),
    ("#教案 第三单元", "教学设计", ""),
    ("教学设计《分数的初步认识》", "教学设计", "分数的初步认识"),
    ("【个人研修计划】本学期我计划……", "个人研修计划", ""),
    ("教學設計：繁體也認得", "教学设计", ""),
    ("今天的教学设计很好", None, None),  # not at the head as a label
    ("大家记得交教学设计", None, None),
])
def test_reading_a_declared_kind_from_the_head_of_a_post(text, kind, title):
    post = read_declared(text, KINDS)
    assert (post.kind.name if post else None, post.title if post else None) == (kind, title)


def test_kinds_may_not_share_words():
    with pytest.raises(ValidationError):
        Records(kinds=[RecordKindRule(name="教学设计"), RecordKindRule(name="教案", keywords=["教学设计"])])


def at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=SHANGHAI)


async def test_declared_kinds_are_kept_with_their_rules_and_counted(sqlite_url, clock):
    async with open_chat(sqlite_url, clock, policy=POLICY) as chat:
        chat.clock.set(at(9, 1))
        await chat.join("u1", "王芳")
        await chat.join("u2", "李明")
        chat.clock.set(at(10, 9))
        assert await chat.one(PLAN, user="u1") == "已收到个人研修计划（本学期第1篇）。"
        assert "至少20字" in await chat.one("【个人研修计划】多读书。", user="u2")
        assert "请以文件或图片提交" in await chat.one("教学设计：《分数的初步认识》一、教学目标……", user="u1")
        chat.adapter.files["f"] = b"%PDF"
        photo = (Attachment(AttachmentKind.DOCUMENT, "f", "分数.pdf"),)
        message = chat.message("教学设计《分数的初步认识》", user="u1", attachments=photo)
        assert (await chat.send(message)) == ["已收到教学设计《分数的初步认识》（本学期第1篇）。"]
        assert await chat.send(message) == []  # the same message again keeps nothing twice
        assert "教学反思" in await chat.one(REFLECTION, user="u2")  # the built-in kinds are read as before
        kept = sorted((row.member_id, row.kind, row.title, len(row.attachments)) for row in await chat.rows(DeclaredRecord))
        assert kept == [(1, "个人研修计划", "", 0), (1, "教学设计", "分数的初步认识", 1)]
        assert [row.kind for row in await chat.rows(Record)] == ["reflection"]

        chat.clock.set(at(1, 25, 2027))
        wang = (await chat.one("/score", user="u1")).splitlines()
        li = (await chat.one("/score", user="u2")).splitlines()
        assert not any("缺" in line and "篇" in line for line in wang[2:-1] if line.startswith("·"))
        assert "· 本学期 教学设计缺1篇 −2" in li and "· 本学期 个人研修计划缺1篇 −2" in li
        assert any(line.startswith("还缺：教学设计1篇、个人研修计划1篇") for line in li)
        assert "积分 96" in li[0] and "积分 100" in wang[0]


async def test_without_declared_kinds_such_posts_stay_chatter(chat):
    await chat.join("u1", "王芳")
    assert await chat.say("教学设计：《分数的初步认识》一、教学目标……", user="u1") == []
