"""Teachers posting the way they already do, through the dispatcher: what is stored and what is said."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.domain.policy import Checkins, Hours, Policy, Records
from bot.kernel.adapter import Capabilities
from bot.kernel.messages import Attachment, AttachmentKind
from storage.models import Attendance, CheckIn, OnlineSession, Record, School, SessionSchool
from tests.conftest import open_chat
from tests.handlers.test_people import make_coordinator

SCHOOL = "紫阳县第二小学"
REFLECTION = "这节课我让学生分角色朗读，再讨论秋天的雨带来了哪些颜色，孩子们发言很踊跃；不足是朗读指导不够具体，下次要先示范再练读。"
PHOTO = Attachment(AttachmentKind.PHOTO, "photo-1", None, "image/jpeg")


def relay(*names: str) -> str:
    return "#接龙\n11月23日研修签到\n例 张三 XX小学\n\n" + "\n".join(f"{n}. {name} {SCHOOL}" for n, name in enumerate(names, 1))


async def teachers(chat):
    await chat.join("u1", "王芳")
    await chat.join("u2", "李明")
    await chat.enrol("赵丽")
    return chat


async def test_a_relay_checks_in_only_the_sender_and_reposts_stay_quiet(chat):
    await teachers(chat)
    assert await chat.one(relay("李明"), user="u2") == "李明签到成功（11月23日，接龙）。"
    assert await chat.one(relay("李明", "王芳"), user="u1") == "王芳签到成功（11月23日，接龙）。"
    assert await chat.say(relay("李明", "王芳", "赵丽"), user="u1") == []  # someone else's line: nothing
    assert await chat.say(relay("李明", "王芳"), user="u2") == []  # a repost by someone already in
    assert len(await chat.rows(CheckIn)) == 2
    assert await chat.say("#接龙\n周五午餐订餐\n1. 李明 1份\n2. 王芳 1份", user="u1") == []


async def test_the_policy_may_let_a_relay_check_in_the_others(sqlite_url, clock):
    policy = Policy(records=Records(relay_proxies=True), checkins=Checkins(acknowledge="reply"))
    async with open_chat(sqlite_url, clock, policy=policy) as chat:
        await teachers(chat)
        assert "王芳、赵丽签到成功" in await chat.one(relay("王芳", "赵丽", "不在名单"), user="u1")
        assert len(await chat.rows(CheckIn)) == 2


async def test_a_name_with_the_check_in_must_be_the_senders_and_traditional_works(chat):
    await teachers(chat)
    assert "只能为自己" in await chat.one("李明簽到", user="u1")
    assert "王芳老师签到成功" in await chat.one("早上好～王芳老師簽到😊", user="u1")


async def test_a_header_then_the_body_then_a_photo_make_one_record(chat):
    await teachers(chat)
    assert "请发送教学反思正文" in await chat.one("《秋天的雨》教学反思", user="u1")
    chat.clock.advance(minutes=1)
    assert "11月第1篇教学反思《秋天的雨》" in await chat.one(REFLECTION, user="u1")
    chat.clock.advance(minutes=1)
    assert await chat.say("", user="u1", attachments=(PHOTO,)) == []  # quiet in the group: it joins the record
    [record] = await chat.rows(Record)
    assert record.title == "秋天的雨" and record.body == REFLECTION and record.attachments[0]["file_ref"] == "photo-1"


async def test_a_photo_long_after_a_record_waits_for_the_next_one(chat):
    await teachers(chat)
    await chat.one("反思：" + REFLECTION, user="u1")
    chat.clock.advance(minutes=30)
    assert await chat.say("", user="u1", attachments=(PHOTO,)) == []
    [record] = await chat.rows(Record)
    assert record.attachments == []


async def test_questions_mentions_and_keyboard_commands(chat):
    await teachers(chat)
    assert "11月教学反思：0/1，还差1篇" in await chat.one("我还差几篇反思？", user="u1")
    assert "还差" in await chat.one("@研修助手 我的學時夠了嗎", user="u1")
    assert "发“签到”打卡" in await chat.one("@研修助手", user="u1")
    assert "王芳（紫阳县第二小学）" in await chat.one("、me", user="u1")
    assert "王芳（紫阳县第二小学）" in await chat.one("我的進度", user="u1")
    assert "只能在与我的私聊中使用" in await chat.one("、myfile", user="u1")
    assert await chat.say("大家反思都交了吗？", user="u1") == []


async def test_a_near_miss_gets_one_brief_hint_and_stores_nothing(chat):
    await teachers(chat)
    assert "是要签到吗" in await chat.one("签道", user="u1")
    assert "至少需要50字" in await chat.one("【教学反思】今天的课比较成功。", user="u1")
    assert await chat.rows(Record) == [] and await chat.rows(CheckIn) == []


async def test_a_question_while_a_record_waits_for_its_body_is_answered(chat):
    await teachers(chat)
    await chat.one("【教学反思】", user="u1")
    assert "王芳（紫阳县第二小学）" in await chat.one("我还差什么？", user="u1")
    assert "教学反思" in await chat.one(REFLECTION, user="u1")  # the dialog still takes the body
    assert len(await chat.rows(Record)) == 1


async def test_a_presence_word_during_a_live_session_counts_as_arriving_in_a_bound_group(chat):
    await teachers(chat)
    await make_coordinator(chat)
    assert await chat.say("到", user="u1") == []  # no session: chatter
    now = chat.clock.now()
    async with chat.app.session_factory() as session, session.begin():
        school_id = await session.scalar(select(School.id).where(School.name == SCHOOL))
        online = OnlineSession(topic="网络研讨", host_member_id=2, planned_start=now - timedelta(minutes=3),
                               planned_minutes=60, status="live", actual_start=now - timedelta(minutes=3),
                               created_at=now, updated_at=now)
        session.add(online)
        await session.flush()
        session.add(SessionSchool(session_id=online.id, school_id=school_id))
    assert await chat.say("到！", user="u1") == []  # the group is not bound to a school
    assert "已将本群绑定" in await chat.one(f"/bind school {SCHOOL}", user="coord")
    assert "王芳已到场" in await chat.one("到！", user="u1")
    assert "已经在" in await chat.one("在线", user="u1")
    assert len(await chat.rows(Attendance)) == 1


async def test_a_relay_is_acknowledged_quietly_like_a_check_in_and_a_repost_not_at_all(sqlite_url, clock):
    reacting = Capabilities(max_text_length=4096, reactions=True)
    async with open_chat(sqlite_url, clock, policy=Policy(), capabilities=reacting) as chat:  # default: reaction
        await teachers(chat)
        assert await chat.say(relay("李明", "王芳"), user="u1") == []
        assert len(chat.adapter.reactions) == 1
        assert await chat.say(relay("李明", "王芳"), user="u1") == []  # a repost: no second reaction
        assert await chat.say(relay("李明", "王芳", "赵丽"), user="u1") == []
        assert len(chat.adapter.reactions) == 1 and len(await chat.rows(CheckIn)) == 1


async def test_a_question_about_hours_gets_the_hours_so_far(sqlite_url, clock):
    policy = Policy(checkins=Checkins(acknowledge="reply"), hours=Hours(reflection=2, school_based_per_semester=48))
    async with open_chat(sqlite_url, clock, policy=policy) as chat:
        await teachers(chat)
        assert "本学期校本学时：0/48，还差48" in await chat.one("我现在有多少学时了？", user="u1")
        await chat.one("反思：" + REFLECTION, user="u1")
        assert "本学期校本学时：2/48，还差46" in await chat.one("我的学时够了吗", user="u1")
