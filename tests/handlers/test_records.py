"""Reflections, teaching cases and observation logs, from chat in to stored rows and replies out."""

from __future__ import annotations

from io import BytesIO

import pytest
from docx import Document
from sqlalchemy import func, select

from bot.kernel.adapter import Capabilities
from bot.kernel.messages import Attachment, AttachmentKind
from bot.domain.policy import Policy, Records
from reminders.dialogs import expire_dialogs
from storage.models import Dialog, Record, RecordRevision
from tests.conftest import open_chat

REFLECTION = (
    "今天《分数的初步认识》一课，我先用分披萨的情境导入，学生兴趣很高，但在比较分数大小时讲得太快，"
    "部分学生没有跟上，下次要多留时间让学生动手操作。"
)
CASE = "【教学案例】《小数乘法》本课从购物情境出发，引导学生用估算检验计算结果，小组合作探究积的小数位数规律，学生在交流中自己发现了算理。"


async def rows(chat, model, *where):
    async with chat.app.session_factory() as session:
        return list(await session.scalars(select(model).where(*where)))


@pytest.fixture
async def teacher(chat):
    await chat.join("u1", "王芳")
    await chat.join("u2", "李明")
    return chat


@pytest.mark.parametrize(
    "text",
    [
        f"反思：{REFLECTION}",
        f"#反思 {REFLECTION}",
        f"【教学反思】 {REFLECTION}",
        f"教学反思：{REFLECTION}",
        f"/reflect {REFLECTION}",
    ],
)
async def test_a_reflection_is_stored_and_confirmed(teacher, text):
    reply = await teacher.one(text)
    assert reply == "已记录 #1：11月第1篇教学反思《分数的初步认识》（本月要求1篇，已完成）"
    [record] = await rows(teacher, Record)
    assert record.kind == "reflection" and record.title == "分数的初步认识"
    assert record.body == REFLECTION and record.day.isoformat() == "2026-11-23"


async def test_a_teaching_case_in_the_bracket_shape(teacher):
    reply = await teacher.one(CASE)
    assert "11月第1篇教学案例《小数乘法》" in reply and "本月要求1篇，已完成" in reply
    [record] = await rows(teacher, Record)
    assert record.kind == "case" and record.body.startswith("《小数乘法》本课")


async def test_too_short_and_too_long_are_refused_with_the_reason(teacher):
    assert "至少需要50字，这次只有3字，没有保存" in await teacher.one("反思：太短了")
    too_long = "反" * 20001
    assert "太长了（20001字，上限20000字）" in await teacher.one(f"/reflect {too_long}")
    assert await rows(teacher, Record) == []


async def test_policy_sets_quota_and_minimum(sqlite_url, clock):
    policy = Policy(records=Records(reflections_per_month=4, reflection_min_chars=5))
    async with open_chat(sqlite_url, clock, policy=policy) as chat:
        await chat.join("u1", "王芳")
        assert "本月要求4篇，还差3篇" in await chat.one("反思：今天上得还行吧")


async def test_photo_and_document_with_a_caption_keep_the_file_reference(teacher):
    photo = Attachment(AttachmentKind.PHOTO, "photo-ref-1", None, "image/jpeg")
    doc = Attachment(AttachmentKind.DOCUMENT, "doc-ref-2", "11月案例.docx", "application/msword")
    assert "教学反思" in (await teacher.say("本月反思", attachments=(photo,)))[0]
    assert "教学案例" in (await teacher.say("案例", attachments=(doc,)))[0]
    reflection, case = sorted(await rows(teacher, Record), key=lambda r: r.id)
    assert reflection.attachments == [
        {"kind": "photo", "file_ref": "photo-ref-1", "file_name": None, "mime_type": "image/jpeg"}
    ]
    assert case.attachments[0]["file_name"] == "11月案例.docx"


async def test_photo_without_caption_is_silent_in_group_and_explained_in_private(teacher):
    photo = Attachment(AttachmentKind.PHOTO, "p")
    assert await teacher.say("", attachments=(photo,)) == []
    assert "接着发送“反思：……”" in (await teacher.say("", attachments=(photo,), private=True))[0]
    voice = Attachment(AttachmentKind.VOICE, "v")
    await teacher.say("/cancel", private=True)
    assert "没有说明文字" in (await teacher.say("", attachments=(voice,), private=True))[0]
    assert await rows(teacher, Record) == []


async def test_guided_reflection_dialog(teacher):
    assert "这是哪一课" in await teacher.one("/reflect")
    assert "请发送教学反思正文（至少50字）" in await teacher.one("《圆的面积》")
    assert "至少需要50字" in await teacher.one("太短")
    reply = await teacher.one(REFLECTION)
    assert "11月第1篇教学反思《圆的面积》" in reply
    assert await rows(teacher, Dialog) == []
    assert await teacher.say("收到") == []  # the dialog is over: chatter again


async def test_a_lone_keyword_starts_the_dialog_too(teacher):
    assert "这是哪一课" in await teacher.one("反思")
    assert "正文" in await teacher.one("跳过")
    assert "11月第1篇教学反思《分数的初步认识》" in await teacher.one(REFLECTION)  # title found in the text


async def test_cancel_leaves_the_dialog_and_stores_nothing(teacher):
    await teacher.one("/reflect")
    assert "已取消" in await teacher.one("取消")
    assert "没有正在进行" in await teacher.one("/cancel")
    assert await rows(teacher, Dialog) == [] and await rows(teacher, Record) == []


async def test_two_teachers_in_dialogs_in_the_same_group(teacher):
    await teacher.one("/reflect", user="u1")
    await teacher.one("/observe", user="u2")
    assert "正文" in await teacher.one("《圆的面积》", user="u1")
    assert "哪天" in await teacher.one("王芳", user="u2")
    assert "圆的面积" in await teacher.one(REFLECTION, user="u1")
    assert "班级和学科" in await teacher.one("昨天", user="u2")
    [dialog] = await rows(teacher, Dialog)
    assert dialog.user_id == "u2" and dialog.data["observed_on"] == "2026-11-22"


async def test_an_unanswered_dialog_expires_with_a_note(teacher):
    await teacher.one("/reflect")
    teacher.clock.advance(minutes=29)
    app = teacher.app
    sweep = (app.session_factory, app.dispatcher.delivery, app.dispatcher.translator, teacher.clock, 30)
    assert await expire_dialogs(*sweep) == 0
    teacher.clock.advance(minutes=2)
    before = len(teacher.adapter.sent)
    assert await expire_dialogs(*sweep) == 1
    note = teacher.adapter.sent[before]
    assert "王芳" in note.text and "30分钟没有回复" in note.text and note.mention_user_id == "u1"
    assert await expire_dialogs(*sweep) == 0  # never twice
    assert await teacher.say("《圆的面积》") == []


async def test_a_dialog_survives_a_restart(teacher, sqlite_url, clock):
    await teacher.one("/reflect")
    await teacher.one("《圆的面积》")
    async with open_chat(sqlite_url, clock) as restarted:
        assert "《圆的面积》" in await restarted.one(REFLECTION)


async def test_observation_one_line_notifies_the_observed_teacher(teacher):
    replies = await teacher.say("/observe 李明 | 三年级数学 | 分数的初步认识 | 亮点：情境导入自然。建议：多给学生表达的机会。")
    assert replies[0] == (
        "已记录 #1：本学期第1篇听课记录《分数的初步认识》（李明 · 三年级数学《分数的初步认识》，11月23日）"
        "（本学期要求1篇，已完成）"
    )
    notice = teacher.adapter.sent[-1]
    assert notice.chat.kind.value == "private" and notice.chat.chat_id == "u2"
    assert "王芳老师记录了一次对您课堂的听课记录" in notice.text
    [record] = await rows(teacher, Record)
    assert record.observed_member_id is not None and record.class_subject == "三年级数学"


async def test_observation_dialog_with_a_chinese_date(teacher):
    for answer, expected in [
        ("/observe", "哪位老师"), ("赵老师", "哪天"), ("明天", "不能晚于今天"), ("上周三", "班级和学科"),
        ("五年级语文", "课题"), ("《秋天的雨》", "评价"),
    ]:
        assert expected in await teacher.one(answer), answer
    reply = await teacher.one("朗读指导很扎实，建议板书再精炼些。")
    assert "（赵 · 五年级语文《秋天的雨》，11月18日）" in reply
    [record] = await rows(teacher, Record)
    assert record.observed_member_id is None and record.observed_name == "赵"
    assert record.observed_on.isoformat() == "2026-11-18"


async def test_observation_written_the_way_teachers_write_it(teacher):
    text = "听课记录：11月20日 听李明老师三年级数学《分数的初步认识》\n亮点：情境导入自然，学生参与度高。\n建议：多给学生表达的机会。"
    replies = await teacher.say(text)
    assert "李明 · 三年级数学《分数的初步认识》，11月20日" in replies[0] and len(replies) == 2
    [record] = await rows(teacher, Record)
    assert record.body == "亮点：情境导入自然，学生参与度高。\n建议：多给学生表达的机会。"


async def test_observing_yourself_is_refused(teacher):
    assert "不能记录自己的课" in await teacher.one("/observe 王芳 | 三年级数学 | 分数 | 很好")
    assert await rows(teacher, Record) == []


async def test_mine_undo_delete_and_edit(teacher):
    await teacher.one(f"反思：{REFLECTION}")
    await teacher.one(CASE)
    listing = await teacher.one("/mine")
    assert "#2 11月23日 教学案例《小数乘法》" in listing and "#1 11月23日 教学反思《分数的初步认识》" in listing
    assert "已撤回 #2（教学案例）" in await teacher.one("/undo")
    assert "找不到您的记录 #1" in await teacher.one("/delete 1", user="u2")
    edited = REFLECTION.replace("下次", "下节课")
    assert "已修改 #1（教学反思，第2版）" in await teacher.one(f"/edit #1 {edited}")
    [revision] = await rows(teacher, RecordRevision)
    assert revision.body == REFLECTION
    assert "已撤回 #1" in await teacher.one("/delete 1")
    assert "没有可以撤回的记录" in await teacher.one("/undo")
    assert all(record.withdrawn_at is not None for record in await rows(teacher, Record))


async def test_closed_months_are_frozen(teacher):
    await teacher.one(f"反思：{REFLECTION}")
    teacher.clock.advance(days=8)  # December 1st
    assert "属于11月，该时段已结束并冻结" in await teacher.one("/undo")
    assert "冻结" in await teacher.one(f"/edit 1 {REFLECTION}")
    [record] = await rows(teacher, Record)
    assert record.withdrawn_at is None


async def test_me_shows_what_is_missing_with_the_deadline(teacher):
    await teacher.one(f"反思：{REFLECTION}")
    me = await teacher.one("/me")
    assert "11月教学反思：1/1 已完成" in me
    assert "11月教学案例：0/1，还差1篇（截止11月30日）" in me
    assert "本学期听课记录：0/1，还差1篇（截止1月20日）" in me


async def test_myfile_is_a_document_of_the_semester(teacher):
    await teacher.one(f"反思：{REFLECTION}")
    await teacher.say("/observe 李明 | 三年级数学 | 分数的初步认识 | 亮点：情境导入自然。")
    assert "只能在与我的私聊中使用" in await teacher.one("/myfile")
    await teacher.say("/myfile", private=True)
    sent = [m for m in teacher.adapter.sent if m.file is not None][-1]
    assert sent.file.file_name == "研修档案_王芳_2026—2027学年第一学期.docx"
    doc = Document(BytesIO(sent.file.content))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs]
    texts = [text for _, text in paragraphs]
    assert paragraphs[0][0] == "Title" and "个人研修档案" in paragraphs[0][1]
    assert "姓名：王芳" in texts and "学校：紫阳县第二小学" in texts
    assert ("Heading 1", "教学反思（1篇）") in paragraphs and REFLECTION in texts
    assert ("Heading 1", "听课记录（1篇）") in paragraphs and "授课教师：李明" in texts
    assert ("Heading 1", "教学案例（0篇）") in paragraphs


async def test_long_replies_are_split_to_the_platform_limit(sqlite_url, clock):
    async with open_chat(sqlite_url, clock, capabilities=Capabilities(max_text_length=120)) as chat:
        await chat.join("u1", "王芳")
        for _ in range(6):
            chat.clock.advance(seconds=1)
            await chat.one(f"反思：{REFLECTION}")
        replies = await chat.say("/mine")
        assert len(replies) > 1 and all(len(text) <= 120 for text in replies)
        assert "".join(replies).count("教学反思") == 6


async def test_redelivered_record_is_stored_once(teacher):
    message = teacher.message(f"反思：{REFLECTION}", message_id="900")
    assert len(await teacher.send(message)) == 1
    assert await teacher.send(message) == []
    async with teacher.app.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Record)) == 1
