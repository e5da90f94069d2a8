"""A photo sent on its own, then the words: the next record takes the photo along (WeChat, QQ)."""

from __future__ import annotations

from bot.kernel.messages import Attachment, AttachmentKind
from reminders.dialogs import expire_dialogs
from storage.models import Dialog, Record

REFLECTION = (
    "反思：今天《分数的初步认识》一课，我先用分披萨的情境导入，学生兴趣很高，但在比较分数大小时讲得太快，"
    "部分学生没有跟上，下次要多留时间让学生动手操作。"
)
PHOTO = (Attachment(AttachmentKind.PHOTO, "photo-1"),)


async def test_a_photo_then_a_reflection_in_a_group_is_one_record_and_the_photo_is_quiet(chat):
    await chat.join("u1", "王芳")
    assert await chat.say("", user="u1", attachments=PHOTO) == []
    assert await chat.say("好的", user="u1") == [], "chatter in between keeps the photo waiting"
    stored = await chat.one(REFLECTION, user="u1")
    assert stored.startswith("已记录 #1") and "附件" in stored
    [record] = await chat.rows(Record)
    assert [a["file_ref"] for a in record.attachments] == ["photo-1"]
    assert await chat.rows(Dialog) == []


async def test_in_a_private_chat_the_teacher_is_told_what_to_send_next(chat):
    await chat.join("u1", "王芳")
    second = (Attachment(AttachmentKind.DOCUMENT, "doc-1", "教案.docx"),)
    assert "收到1个图片或文件" in await chat.one("", user="u1", private=True, attachments=PHOTO)
    assert "收到2个图片或文件" in await chat.one("", user="u1", private=True, attachments=second)
    await chat.one(REFLECTION, user="u1", private=True)
    [record] = await chat.rows(Record)
    assert len(record.attachments) == 2


async def test_a_check_in_after_a_photo_does_not_take_it(chat):
    await chat.join("u1", "王芳")
    await chat.say("", user="u1", attachments=PHOTO)
    assert "签到成功" in await chat.one("签到", user="u1")
    await chat.one(REFLECTION, user="u1")
    [record] = await chat.rows(Record)
    assert len(record.attachments) == 1


async def test_strangers_pictures_are_chatter_and_waiting_photos_expire_silently(chat):
    assert await chat.say("", user="stranger", attachments=PHOTO) == []
    assert "请先登记身份" in await chat.one("", user="stranger", private=True, attachments=PHOTO)
    await chat.join("u1", "王芳")
    await chat.say("", user="u1", attachments=PHOTO)
    chat.clock.advance(minutes=31)
    app = chat.app
    before = len(chat.adapter.sent)
    assert await expire_dialogs(app.session_factory, app.dispatcher.delivery, app.dispatcher.translator,
                                chat.clock, 30) == 0
    assert len(chat.adapter.sent) == before and await chat.rows(Dialog) == []
