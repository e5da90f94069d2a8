"""Clean at the boundary (finding 3): command arguments are cleaned like plain text, and exported
spreadsheets never carry a live formula that a control character smuggled past the guard."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook

from bot.domain.text import is_clean
from bot.render.exports import Sheet, to_csv, to_xlsx
from storage.models import Account, Record

REFLECTION_BODY = (
    "今天《分数的初步认识》一课，我先用分披萨的情境导入，学生兴趣很高，但在比较分数大小时讲得太快，"
    "部分学生没有跟上，下次要多留时间让学生动手操作。"
)
SMUGGLED = "\x07=HYPERLINK(\"http://evil.example/\",\"点这里\")"


async def test_slash_command_arguments_are_stored_clean(chat):
    await chat.join("u1", "王芳")
    dirty = f"\u202e{REFLECTION_BODY}\x00\ud800\x1b[31m"
    reply = await chat.one(f"/reflect {dirty}", user="u1")
    assert reply.startswith("已记录")
    [record] = await chat.rows(Record)
    assert is_clean(record.body) and is_clean(record.title)
    assert record.body.startswith("今天") and "\x00" not in record.body


async def test_display_names_are_stored_clean(chat):
    chat.names["u1"] = "王\u202e芳\x00"
    await chat.join("u1", "王芳")
    [account] = await chat.rows(Account)
    assert account.display_name == "王芳"


def test_a_control_character_cannot_smuggle_a_formula_into_xlsx():
    sheet = Sheet("记录", ("正文",), [(SMUGGLED,), ("\x00=1+1",), ("\u202e@SUM(A1)",)])
    workbook = load_workbook(io.BytesIO(to_xlsx([sheet])))
    cells = [row[0] for row in workbook.active.iter_rows(min_row=2)]
    # Text typed as text with Excel's quote prefix: never evaluated, not even after an edit, and shown
    # as written (no stray apostrophe in the office's printout).
    assert [cell.value for cell in cells] == [SMUGGLED[1:], "=1+1", "@SUM(A1)"]
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells)
    with zipfile.ZipFile(io.BytesIO(to_xlsx([sheet]))) as package:
        assert b"<f>" not in package.read("xl/worksheets/sheet1.xml"), "no formula element anywhere"


def test_a_control_character_cannot_smuggle_a_formula_into_csv():
    text = to_csv(Sheet("记录", ("正文",), [(SMUGGLED,)])).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\x07" not in text


async def test_a_reflection_with_a_smuggled_formula_exports_dead(chat):
    await chat.join("u1", "王芳")
    await chat.one(f"/reflect {SMUGGLED} {REFLECTION_BODY}", user="u1")
    [record] = await chat.rows(Record)
    assert record.body.startswith("=HYPERLINK")  # stored as the teacher typed it, minus the control
    workbook = load_workbook(io.BytesIO(to_xlsx([Sheet("记录", ("正文",), [(record.body,)])])))
    cell = workbook.active.cell(2, 1)
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s" and cell.quotePrefix


async def test_ids_that_are_no_usable_number_get_a_clear_answer(chat):
    """Finding 8: `²` passes str.isdigit() and then crashes int(); 23 digits overflow the database."""
    await chat.join("u1", "王芳")
    await chat.join("admin2", "李雷", roles=("coordinator",))
    assert "不是有效的编号" in await chat.one("/delete ²", user="u1")
    assert "太大" in await chat.one("/delete " + "1" * 23, user="u1")
    assert "不是有效的编号" in await chat.one("/reject ²", user="admin2")
    assert "错误编号" not in await chat.one("/score #" + "9" * 23, user="admin2")
    assert "用法" in await chat.one("/delete abc", user="u1")


async def test_control_characters_in_join_arguments_are_cleaned_before_matching(chat):
    """Cleaned once at the boundary: `王\\x07芳` is 王芳, and the school with a bidi override is the school."""
    code = await chat.invitation(await chat.enrol("王芳"))
    assert "登记成功" in await chat.one(f"/join 王\x07芳 紫阳县\u202e第二小学 {code}", user="u1")
