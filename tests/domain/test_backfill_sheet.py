"""The backfill spreadsheet reader: every row becomes an item or a numbered problem, never a traceback."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

import openpyxl
import pytest

from bot.domain.backfill_sheet import SheetFileError, read_backfill_sheet
from bot.domain.policy import Records

TODAY = date(2026, 11, 23)
RULES = Records()  # reflections and cases at least 50 characters, observation logs 10
REFLECTION = "今天这节课我先用分披萨的情境导入，学生兴趣很高，但在比较分数大小时讲得太快，部分学生没有跟上，下次要多留时间让学生动手操作。"
HEADER = ["姓名", "学校", "日期", "类型", "标题", "内容", "学时", "类别", "执教者", "班级"]


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8") -> bytes:
    return "\n".join(",".join(str(cell) for cell in row) for row in rows).encode(encoding)


def xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def read(content: bytes, name: str = "补录.csv"):
    return read_backfill_sheet(content, name, today=TODAY, rules=RULES)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "utf-16"])
def test_each_kind_of_row_in_each_csv_encoding(encoding):
    reading = read(csv_bytes([
        HEADER,
        ["王芳", "紫阳二小", "2026-09-07", "签到", "", "", "", "", "", ""],
        ["王芳", "", "2026/9/8", "教学反思", "", f"《分数的初步认识》{REFLECTION}", "", "", "", ""],
        ["李明", "", "2026年10月9日", "案例", "小组合作", REFLECTION, "", "", "", ""],
        ["李明", "", "2026.10.10", "听课记录", "秋天的雨", "板书清楚，提问层层递进。", "", "", "赵敏", "三年级语文"],
        ["李明", "", "2026-10-11", "学时", "县级集中培训", "", "6", "县级", "", ""],
        ["王芳", "", "2026-10-12", "学时", "", "校本教研", "2.5学时", "", "", ""],
    ], encoding))
    assert reading.problems == () and reading.rows == 6
    checkin, reflection, case, observation, county, school = reading.items
    assert (checkin.kind, checkin.sender, checkin.school, checkin.day, checkin.ordinal) == (
        "checkin", "王芳", "紫阳二小", date(2026, 9, 7), 2)
    assert (reflection.kind, reflection.title, reflection.day) == ("reflection", "分数的初步认识", date(2026, 9, 8))
    assert (case.kind, case.title) == ("case", "小组合作")
    assert (observation.kind, observation.teacher, observation.class_subject, observation.observed_on) == (
        "observation", "赵敏", "三年级语文", date(2026, 10, 10))
    assert (county.kind, county.hours, county.category, county.title) == ("hours", 6.0, "county", "县级集中培训")
    assert (school.hours, school.category, school.title, school.ordinal) == (2.5, "school", "校本教研", 7)


def test_bad_rows_are_reported_with_their_row_numbers():
    reading = read(csv_bytes([
        ["紫阳县2026年秋季研修补录表"],
        [],
        HEADER,
        ["王芳", "", "2026-09-07", "听讲座", "", "", "", "", "", ""],
        ["王芳", "", "9月7日", "签到", "", "", "", "", "", ""],
        ["王芳", "", "2026-02-30", "签到", "", "", "", "", "", ""],
        ["王芳", "", "2026-09-08", "反思", "", "", "", "", "", ""],
        ["王芳", "", "2026-09-08", "反思", "", "太短了", "", "", "", ""],
        ["王芳", "", "2026-09-09", "学时", "", "", "两个", "", "", ""],
        ["王芳", "", "2026-09-09", "学时", "", "", "-1", "", "", ""],
        ["王芳", "", "2026-09-09", "学时", "", "", "3", "市级", "", ""],
        ["王芳", "", "2026-09-09", "听课", "", "板书清楚，提问层层递进。", "", "", "", ""],
        ["", "", "2026-09-09", "签到", "", "", "", "", "", ""],
        ["王芳", "", "2026-12-01", "签到", "", "", "", "", "", ""],
        ["王芳", "", "2026-09-10", "签到", "", "", "", "", "", ""],
    ]))
    problems = {p.line: (p.key, p.values) for p in reading.problems}
    assert problems == {
        4: ("backfill_bad_kind", {"kind": "听讲座"}),
        5: ("backfill_bad_date", {"value": "9月7日"}),
        6: ("backfill_bad_date", {"value": "2026-02-30"}),
        7: ("backfill_missing_body", {"label": "教学反思"}),
        8: ("backfill_too_short", {"label": "教学反思", "limit": 50, "length": 3}),
        9: ("backfill_bad_hours", {"value": "两个"}),
        10: ("backfill_bad_hours", {"value": "-1"}),
        11: ("backfill_bad_category", {"category": "市级", "known": "校本、线上、县级、县级以上"}),
        12: ("backfill_missing_teacher", {}),
        13: ("backfill_missing_name", {}),
        14: ("backfill_future_date", {"day": "2026-12-01"}),
    }
    [item] = reading.items
    assert item.ordinal == 15 and reading.rows == 12


def test_xlsx_dates_as_dates_datetimes_and_serial_numbers():
    reading = read(xlsx([
        ["补录表（截至11月）"],
        ["姓名*", "日期", "类型"],
        ["王芳", date(2026, 9, 7), "签到"],
        ["王芳", datetime(2026, 9, 8, 7, 55), "打卡"],
        ["王芳", 46274, "签到"],  # a date cell that lost its format: Excel's serial for 2026-09-09
    ]), "补录.xlsx")
    assert [(i.day, i.ordinal) for i in reading.items] == [
        (date(2026, 9, 7), 3), (date(2026, 9, 8), 4), (date(2026, 9, 9), 5)]


@pytest.mark.parametrize(("content", "name", "key"), [
    (csv_bytes([["姓名", "学校"], ["王芳", "紫阳二小"]]), "补录.csv", "backfill_missing_columns"),
    (csv_bytes([["甲", "乙"], ["1", "2"]]), "补录.csv", "backfill_missing_columns"),
    (b"", "补录.csv", "backfill_unreadable"),
    (b"not a workbook", "补录.xlsx", "backfill_unreadable"),
    (b"not a workbook", "补录.xls", "backfill_unreadable"),
    (b"x", "补录.pdf", "backfill_unreadable"),
])
def test_files_that_are_no_backfill_table(content, name, key):
    with pytest.raises(SheetFileError) as caught:
        read(content, name)
    assert caught.value.key == key


def test_a_row_keeps_its_key_when_the_file_is_reordered_and_repeats_are_told_apart():
    rows = [["王芳", "2026-09-07", "签到"], ["王芳", "2026-09-07", "签到"], ["李明", "2026-09-07", "学时", 2]]
    first = read(csv_bytes([["姓名", "日期", "类型", "学时"], *rows]))
    again = read(csv_bytes([["补录"], ["姓名", "日期", "类型", "学时"], *reversed(rows)]))
    assert len({item.key for item in first.items}) == 3
    assert {item.key for item in first.items} == {item.key for item in again.items}
    assert [item.ordinal for item in again.items] == [3, 4, 5]
