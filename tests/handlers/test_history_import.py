"""Importing a group's exported chat history: a dry run by teacher and date, /confirm backfills, twice adds nothing."""

from __future__ import annotations

from datetime import date

from bot.domain.chat_history import parse_export
from bot.kernel.messages import Attachment, AttachmentKind
from storage.models import CheckIn, Record
from tests.handlers.test_people import make_coordinator

REFLECTION = "今天这节课我先用分披萨的情境导入，学生兴趣很高，但在比较分数大小时讲得太快，部分学生没有跟上，下次要多留时间让学生动手操作。"

QQ_EXPORT = f"""消息记录（此消息记录为文本格式，不支持重新导入）

================================================================
消息分组:我的QQ群
================================================================
消息对象:紫阳二小研修群
================================================================

2026-11-02 7:58:12 紫阳二小-王芳(123456789)
签到

2026-11-02 8:03:40 李明(987654321)
早上好，打卡～

2026-11-02 8:05:00 李明(987654321)
李明签到

2026-11-03 7:50:31 【管理员】王芳老师(123456789)
#接龙
11月3日研修签到

1. 李明
2. 王芳

2026-11-03 20:15:07 王芳(123456789)
【教学反思】《分数的初步认识》
{REFLECTION}

2026-11-04 9:00:00 陌生人(555555)
签到

2026-11-04 9:10:00 李明(987654321)
谢谢王老师分享！
""".encode()

WECHAT_EXPORT = """王芳 2026-11-05 08:01
簽到～
李明 2026/11/05 08:02:10
打卡
""".encode()


def export_file(chat, content: bytes, name: str = "紫阳二小研修群.txt") -> tuple[Attachment, ...]:
    chat.adapter.files[f"file-{name}"] = content
    return (Attachment(AttachmentKind.DOCUMENT, f"file-{name}", name, "text/plain"),)


async def test_dry_run_then_confirm_backfills_by_teacher_and_date(chat):
    await make_coordinator(chat)
    await chat.enrol("王芳")
    await chat.enrol("李明")
    report = await chat.one("/history import", user="coord", private=True, attachments=export_file(chat, QQ_EXPORT))
    assert "共7条消息，可补记3次签到、1篇记录（2位老师）" in report, report
    assert "王芳：签到2天（11月2日–11月3日），记录1篇" in report
    assert "李明：签到1天（11月2日），记录0篇" in report
    assert "未匹配到名册的发送者：陌生人" in report
    assert await chat.rows(CheckIn) == [] and await chat.rows(Record) == []

    assert "已导入：3次签到、1篇记录" in await chat.one("/confirm", user="coord", private=True)
    checkins = await chat.rows(CheckIn)
    assert sorted((c.day.isoformat(), c.platform) for c in checkins)[:2] == [
        ("2026-11-02", "history"), ("2026-11-02", "history")]
    [record] = await chat.rows(Record)
    assert record.kind == "reflection" and record.title == "分数的初步认识" and record.day == date(2026, 11, 3)

    await chat.one("/history import", user="coord", private=True, attachments=export_file(chat, QQ_EXPORT))
    assert "已导入：0次签到、0篇记录" in await chat.one("确认", user="coord", private=True)
    assert len(await chat.rows(CheckIn)) == 3 and len(await chat.rows(Record)) == 1


async def test_a_wechat_export_in_traditional_is_read_too(chat):
    await make_coordinator(chat)
    await chat.enrol("王芳")
    report = await chat.one("/history import", user="coord", private=True,
                            attachments=export_file(chat, WECHAT_EXPORT, "微信聊天记录.txt"))
    assert "可补记1次签到" in report and "未匹配到名册的发送者：李明" in report


async def test_only_coordinators_in_a_private_chat_and_only_readable_files(chat):
    await chat.join("u1", "王芳")
    assert "没有使用 /history 的权限" in await chat.one("/history import", user="u1", private=True,
                                                       attachments=export_file(chat, QQ_EXPORT))
    await make_coordinator(chat)
    assert "私聊" in await chat.one("/history import", user="coord", attachments=export_file(chat, QQ_EXPORT))
    assert "没能读出这个文件" in await chat.one("/history import", user="coord", private=True,
                                              attachments=export_file(chat, b"just some words"))


def test_export_headers_of_each_platform():
    messages = parse_export(QQ_EXPORT.decode() + WECHAT_EXPORT.decode())
    assert [m.sender for m in messages][:4] == ["紫阳二小-王芳", "李明", "李明", "王芳老师"]
    assert messages[-1].sender == "李明" and messages[-1].text == "打卡"
