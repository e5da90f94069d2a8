"""/history import with a spreadsheet: a dry run by teacher with numbered problems, /confirm stores
check-ins, records and hours through the live paths, and importing the same file again adds nothing."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import openpyxl

from bot.kernel.messages import Attachment, AttachmentKind
from bot.services.reports import describe_source
from storage.models import CheckIn, HoursLine, Record
from tests.handlers.test_people import make_coordinator

REFLECTION = "今天这节课我先用分披萨的情境导入，学生兴趣很高，但在比较分数大小时讲得太快，部分学生没有跟上，下次要多留时间让学生动手操作。"
ROWS = [
    ["紫阳县2026年秋季研修补录表"],
    ["姓名", "学校", "日期", "类型", "标题", "内容", "学时", "类别", "执教者", "班级"],
    ["王芳", "", "2026-09-07", "签到"],
    ["王芳", "", "2026-09-07", "签到"],  # twice on one day: one check-in
    ["王芳", "", "2026-09-08", "签到"],
    ["王芳", "", "2026-09-08", "教学反思", "分数的初步认识", REFLECTION],
    ["李明", "第二小学", "2026-10-10", "听课", "秋天的雨", "板书清楚，提问层层递进。", "", "", "王芳", "三年级语文"],
    ["李明", "", "2026-10-11", "学时", "县级集中培训", "", 6, "县级"],
    ["王芳", "", "2026-10-12", "学时", "校本教研", "", 2.5],
    ["张伟", "", "2026-10-12", "签到"],  # two 张伟 on the roster, no school to tell them apart
    ["陌生人", "", "2026-10-12", "签到"],
    ["李明", "", "2026-10-13", "讲座"],
    ["李明", "", "2026-13-01", "签到"],
    ["李明", "", "2026-10-14", "学时", "", "", "很多"],
]


def sheet(chat, rows=ROWS, name: str = "补录表.xlsx") -> tuple[Attachment, ...]:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = BytesIO()
    book.save(out)
    chat.adapter.files[f"file-{name}"] = out.getvalue()
    return (Attachment(AttachmentKind.DOCUMENT, f"file-{name}", name),)


async def roster(chat) -> None:
    await make_coordinator(chat)
    await chat.enrol("王芳")
    await chat.enrol("李明")
    await chat.enrol("张伟")
    await chat.enrol("张伟", "紫阳县实验中学")


async def test_dry_run_then_confirm_backfills_and_a_second_import_adds_nothing(chat):
    await roster(chat)
    report = await chat.one("/history import", user="coord", private=True, attachments=sheet(chat))
    assert "共12行，可补记2次签到、2篇记录、8.5学时（2位老师）" in report, report
    assert "王芳：签到2天（9月7日–9月8日），记录1篇，学时2.5" in report
    assert "李明：签到0天（—），记录1篇，学时6" in report
    assert "名册里找不到或有同名、无法确定的人：张伟、陌生人" in report
    assert "以下3行不会导入" in report
    assert "第12行：类型“讲座”不认识" in report
    assert "第13行：日期“2026-13-01”看不懂" in report
    assert "第14行：学时“很多”不是大于0的数字" in report
    assert await chat.rows(CheckIn) == [] and await chat.rows(Record) == [] and await chat.rows(HoursLine) == []

    assert "已导入：2次签到、2篇记录、8.5学时" in await chat.one("/confirm", user="coord", private=True)
    checkins = sorted((c.day, c.platform) for c in await chat.rows(CheckIn))
    assert checkins == [(date(2026, 9, 7), "history"), (date(2026, 9, 8), "history")]
    reflection, observation = sorted(await chat.rows(Record), key=lambda r: r.day)
    assert (reflection.kind, reflection.title, reflection.day) == ("reflection", "分数的初步认识", date(2026, 9, 8))
    assert (observation.kind, observation.observed_name, observation.class_subject) == ("observation", "王芳", "三年级语文")
    assert observation.observed_member_id is not None
    hours = sorted((h.day, h.category, h.hours, h.minutes, h.description) for h in await chat.rows(HoursLine))
    assert hours == [(date(2026, 10, 11), "county", 6.0, 270, "县级集中培训"),
                     (date(2026, 10, 12), "school", 2.5, 112, "校本教研")]
    assert {describe_source(h.source) for h in await chat.rows(HoursLine)} == {"补录表格"}  # in the 学时台账 export

    await chat.one("/history import", user="coord", private=True, attachments=sheet(chat))
    assert "已导入：0次签到、0篇记录、0学时" in await chat.one("确认", user="coord", private=True)
    assert len(await chat.rows(CheckIn)) == 2 and len(await chat.rows(Record)) == 2
    assert len(await chat.rows(HoursLine)) == 2


async def test_a_corrected_file_sent_again_adds_only_the_fixed_rows(chat):
    await roster(chat)
    await chat.one("/history import", user="coord", private=True, attachments=sheet(chat))
    await chat.one("/confirm", user="coord", private=True)
    fixed = [ROWS[0], ROWS[1], *reversed(ROWS[2:11]), ["李明", "", "2026-10-14", "学时", "", "", 3]]
    report = await chat.one("/history import", user="coord", private=True, attachments=sheet(chat, fixed))
    assert "共10行" in report and "不会导入" not in report, report
    assert "已导入：0次签到、0篇记录、3学时" in await chat.one("/confirm", user="coord", private=True)
    assert len(await chat.rows(Record)) == 2 and len(await chat.rows(HoursLine)) == 3


async def test_a_school_tells_namesakes_apart_in_a_gbk_csv(chat):
    await roster(chat)
    csv = "姓名,学校,日期,类型\n张伟,实验中学,2026-10-12,签到\n".encode("gbk")
    chat.adapter.files["file-csv"] = csv
    attachment = (Attachment(AttachmentKind.DOCUMENT, "file-csv", "补录.csv"),)
    report = await chat.one("/history import", user="coord", private=True, attachments=attachment)
    assert "张伟：签到1天（10月12日），记录0篇，学时0" in report and "无法确定" not in report
    await chat.one("/confirm", user="coord", private=True)
    [checkin] = await chat.rows(CheckIn)
    assert checkin.day == date(2026, 10, 12)


async def test_a_sheet_with_nothing_importable_says_why(chat):
    await roster(chat)
    report = await chat.one("/history import", user="coord", private=True,
                            attachments=sheet(chat, [["姓名", "日期", "类型"], ["王芳", "昨天", "签到"]]))
    assert "这份表格里没有可补记的内容（共读到1行）" in report and "第2行：日期“昨天”看不懂" in report
    report = await chat.one("/history import", user="coord", private=True,
                            attachments=sheet(chat, [["姓名", "学校"], ["王芳", "紫阳二小"]], "名单.xlsx"))
    assert "表格缺少这些列：日期、类型" in report
    assert "/confirm" not in report and await chat.rows(CheckIn) == []


async def test_a_teacher_cannot_backfill(chat):
    await chat.join("u1", "王芳")
    reply = await chat.one("/history import", user="u1", private=True, attachments=sheet(chat))
    assert "没有使用 /history 的权限" in reply
    assert await chat.rows(CheckIn) == [] and await chat.rows(HoursLine) == []
