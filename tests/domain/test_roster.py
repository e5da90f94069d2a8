from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from bot.domain.roles import PERSON_ROLES, PRIVILEGED_ROLES
from bot.domain.roster import (
    Action,
    ExistingMember,
    RosterFileError,
    RosterPlan,
    RosterRow,
    RowPlan,
    natural_key,
    plan_import,
    read_roster,
)
from bot.i18n import en, zh_CN

ALL_ROLES = frozenset(PERSON_ROLES)
COORDINATOR_GRANTS = ALL_ROLES - PRIVILEGED_ROLES
SCHOOLS = ("紫阳县第二小学", "紫阳中学")
WORKSHOPS = ("数学工作坊",)
GROUPS = ("第一小组",)


# ---------------------------------------------------------------- helpers


def xlsx(*rows: list[object] | None, extra_sheet: bool = False) -> bytes:
    """An .xlsx whose first sheet holds `rows` from row 1; None leaves that row blank."""
    book = Workbook()
    sheet = book.active
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row or [], start=1):
            sheet.cell(row=number, column=column, value=value)
    if extra_sheet:
        book.create_sheet("其他").append(["姓名", "学校"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def people(rows: list[RosterRow]) -> list[tuple[int, str, str]]:
    return [(row.line, row.name, row.school) for row in rows]


def file_error(content: bytes, file_name: str, **kwargs: int) -> RosterFileError:
    with pytest.raises(RosterFileError) as caught:
        read_roster(content, file_name, **kwargs)
    return caught.value


def plan(rows: list[RosterRow], existing: list[ExistingMember] | tuple = (), *,
         may_grant: frozenset[str] = ALL_ROLES, schools=SCHOOLS, workshops=WORKSHOPS,
         groups=GROUPS) -> RosterPlan:
    return plan_import(rows, existing, schools=schools, workshops=workshops, groups=groups,
                       may_grant=may_grant)


def one(row: RosterRow, existing: list[ExistingMember] | tuple = (), **kwargs) -> RowPlan:
    (result,) = plan([row], existing, **kwargs).rows
    return result


def row(line: int = 2, name: str = "王芳", school: str = "紫阳县第二小学", **fields: str) -> RosterRow:
    return RosterRow(line=line, name=name, school=school, **fields)


WANG = ExistingMember(id=7, name="王芳", school="紫阳县第二小学", subject="小学数学",
                      roles=frozenset({"teacher"}), phone="13800138000", staff_no="T001")


# ---------------------------------------------------------------- CSV

BASIC = "序号,姓名,学校,备注\n1,王芳,紫阳县第二小学,\n2,李雷,紫阳中学,新学员\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_encodings(encoding):
    rows = read_roster(BASIC.encode(encoding), "名单.csv")
    assert people(rows) == [(2, "王芳", "紫阳县第二小学"), (3, "李雷", "紫阳中学")]


def test_gbk_is_not_mistaken_for_mojibake():
    content = "姓名,学校,学科\n张晓燕,城关镇中心小学,语文\n".encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    (only,) = read_roster(content, "x.csv")
    assert (only.name, only.school, only.subject) == ("张晓燕", "城关镇中心小学", "语文")


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_delimiters(delimiter):
    text = "\n".join(delimiter.join(cells) for cells in [
        ["姓名", "学校", "手机号"], ["王芳", "紫阳县第二小学", "13800138000"], ["李雷", "紫阳中学", ""],
    ])
    rows = read_roster(text.encode(), "名单.txt")
    assert people(rows) == [(2, "王芳", "紫阳县第二小学"), (3, "李雷", "紫阳中学")]
    assert rows[0].phone == "13800138000"


def test_ragged_csv_falls_back_to_the_header_line_for_the_delimiter():
    text = "姓名\t学校\t备注\n王芳\t紫阳县第二小学\n李雷\t紫阳中学\t一\t二\t三\n赵敏\t紫阳中学\t\t\t\t\t\n"
    assert [r.name for r in read_roster(text.encode(), "a.txt")] == ["王芳", "李雷", "赵敏"]


def test_csv_quoted_commas_and_newlines_keep_spreadsheet_row_numbers():
    text = (
        '姓名,学校,工作坊,备注\r\n'
        '王芳,"紫阳县第二小学,本部",数学工作坊,"第一行\r\n第二行"\r\n'
        '\r\n'
        '"李,雷",紫阳中学,,\r\n'
    )
    rows = read_roster(text.encode(), "x.csv")
    assert people(rows) == [(2, "王芳", "紫阳县第二小学,本部"), (4, "李,雷", "紫阳中学")]
    assert rows[0].workshop == "数学工作坊"


def test_blank_lines_before_the_header_and_between_rows_count_for_numbering():
    text = "\n,,\n姓名,学校\n\n王芳,紫阳县第二小学\n , \n李雷,紫阳中学\n"
    assert people(read_roster(text.encode(), "x.csv")) == [
        (5, "王芳", "紫阳县第二小学"), (7, "李雷", "紫阳中学"),
    ]


def test_rows_with_only_unknown_columns_filled_are_skipped():
    text = "序号,姓名,学校,备注\n1,,,\n2,王芳,紫阳县第二小学,\n3,,,离职\n"
    assert people(read_roster(text.encode(), "x.csv")) == [(3, "王芳", "紫阳县第二小学")]


def test_short_rows_leave_missing_cells_empty():
    text = "姓名,学校,学科,手机\n王芳,紫阳县第二小学\n"
    assert read_roster(text.encode(), "x.csv") == [RosterRow(2, "王芳", "紫阳县第二小学")]


def test_cells_are_normalized():
    text = "姓名,学校,学科,手机,工号\n  王　芳 ,紫阳县  第二小学,ＳＴＥＡＭ,１３８００１３８０００,Ｔ００１\n"
    (only,) = read_roster(text.encode(), "x.csv")
    assert only == RosterRow(2, "王 芳", "紫阳县 第二小学", subject="STEAM", phone="13800138000",
                             staff_no="T001")


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("姓名", "name"), ("名字", "name"), ("教师姓名", "name"), ("Name", "name"),
        ("姓名*", "name"), ("*姓名", "name"), ("姓名（必填）", "name"), ("姓名(必填)", "name"),
        ("姓 名", "name"), ("ＮＡＭＥ", "name"), ("姓名＊", "name"), ("姓名 *（必填）", "name"),
        ("学校", "school"), ("单位", "school"), ("学校名称", "school"), ("所在学校", "school"),
        ("SCHOOL", "school"),
        ("学科", "subject"), ("任教学科", "subject"), ("subject", "subject"),
        ("工作坊", "workshop"), ("坊", "workshop"), ("Workshop", "workshop"),
        ("小组", "group"), ("学习小组", "group"), ("研修小组", "group"), ("组", "group"),
        ("group", "group"),
        ("角色", "roles"), ("身份", "roles"), ("职务", "roles"), ("role", "roles"), ("Roles", "roles"),
        ("手机", "phone"), ("手机号", "phone"), ("手机号码", "phone"), ("电话", "phone"),
        ("联系电话", "phone"), ("Phone", "phone"), ("mobile", "phone"),
        ("工号", "staff_no"), ("教师编号", "staff_no"), ("编号", "staff_no"), ("staff_no", "staff_no"),
        ("Staff Number", "staff_no"), ("staff id", "staff_no"),
    ],
)
def test_header_aliases(header, field):
    value = {"name": "王芳", "school": "紫阳县第二小学", "subject": "数学", "workshop": "数学工作坊",
             "group": "第一小组", "roles": "组长", "phone": "13800138000", "staff_no": "T001"}[field]
    others = [f for f in ("name", "school") if f != field]
    headers = {"name": "姓名", "school": "学校"}
    text = ",".join([header, *(headers[f] for f in others)]) + "\n"
    text += ",".join([value, *({"name": "王芳", "school": "紫阳县第二小学"}[f] for f in others)]) + "\n"
    (only,) = read_roster(text.encode(), "x.csv")
    assert getattr(only, field) == value


# ---------------------------------------------------------------- XLSX


def test_xlsx_numbers_blank_rows_extra_columns_and_starred_headers():
    content = xlsx(
        None,
        ["序号", "姓名*", "学校（必填）", "手机号(必填)", "工号", "角色", "备注"],
        [1, "王芳", "紫阳县第二小学", 13800138000, 1001.0, "组长、导师", None],
        None,
        [2, "李雷", "紫阳中学", 13900139000.0, "T-02", None, "新学员"],
        [3, None, None, None, None, None, "只有备注"],
        [4, "赵敏", "紫阳中学", None, 123456789012345, None, None],
        extra_sheet=True,
    )
    rows = read_roster(content, "名单.XLSX")
    assert rows == [
        RosterRow(3, "王芳", "紫阳县第二小学", roles="组长、导师", phone="13800138000", staff_no="1001"),
        RosterRow(5, "李雷", "紫阳中学", phone="13900139000", staff_no="T-02"),
        RosterRow(7, "赵敏", "紫阳中学", staff_no="123456789012345"),
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [(13800138000, "13800138000"), (13800138000.0, "13800138000"), (1.5e10, "15000000000"),
     (3.5, "3.5"), (1e-07, "0.0000001"), (1e20, "100000000000000000000"), (True, "True"),
     ("  ０２９－８８８８８８８ ", "029-8888888"), (None, "")],
)
def test_xlsx_cell_values_become_text(value, text):
    (only,) = read_roster(xlsx(["姓名", "学校", "备注", "电话"], ["王芳", "紫阳县第二小学", "x", value]),
                          "x.xlsx")
    assert only.phone == text


def test_xlsx_header_need_not_be_on_row_one_and_rows_keep_their_numbers():
    content = xlsx(None, None, ["姓名", "学校"], ["王芳", "紫阳县第二小学"], None, None, ["李雷", "紫阳中学"])
    assert people(read_roster(content, "x.xlsx")) == [(4, "王芳", "紫阳县第二小学"), (7, "李雷", "紫阳中学")]


def test_title_rows_above_the_header_are_skipped():
    content = xlsx(["紫阳县2026年骨干教师研修名单"], ["填报单位：紫阳县教师发展中心", None, "2026年9月1日"], None,
                   ["序号", "姓名", "学校", "手机号码"], [1, "王芳", "紫阳县第二小学", 13800138000])
    (only,) = read_roster(content, "x.xlsx")
    assert (only.line, only.name, only.school, only.phone) == (5, "王芳", "紫阳县第二小学", "13800138000")
    text = "紫阳县骨干教师名单（盖章）,,\n,,\n姓名,学校,备注\n李雷,紫阳中学,\n"
    assert people(read_roster(text.encode("gb18030"), "x.csv")) == [(4, "李雷", "紫阳中学")]


def test_xls_files_from_older_excel_are_read_with_their_title_rows():
    content = (Path(__file__).parents[1] / "data" / "roster_with_title_rows.xls").read_bytes()
    rows = read_roster(content, "名单.XLS")
    assert [(r.line, r.name, r.school, r.phone, r.workshop) for r in rows] == [
        (5, "王芳", "紫阳县第二小学", "13800138000", "数学工作坊"),
        (6, "李雷", "紫阳中学", "13900139000", ""),
    ]


def test_natural_order_reads_numbers_in_school_names():
    names = ["紫阳县第十小学", "紫阳县第二小学", "紫阳县第十一小学", "紫阳县第一小学", "紫阳县第3中学", "紫阳县第12中学"]
    assert sorted(names, key=natural_key) == [
        "紫阳县第一小学", "紫阳县第二小学", "紫阳县第3中学", "紫阳县第十小学", "紫阳县第十一小学", "紫阳县第12中学",
    ]
    assert sorted(["一百零五中", "二十中", "九中"], key=natural_key) == ["九中", "二十中", "一百零五中"]


# ---------------------------------------------------------------- file errors


def broken_sheet() -> bytes:
    """A real workbook whose sheet XML breaks off: openpyxl only notices while reading rows."""
    source = zipfile.ZipFile(io.BytesIO(xlsx(["姓名", "学校"], ["王芳", "紫阳县第二小学"])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: data.index(b"<sheetData>") + 40]
            archive.writestr(item, data)
    return out.getvalue()


def zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "file_name", "key", "values"),
    [
        (b"x", "名单.xls", "roster_unreadable", {}),
        (xlsx(["姓名", "学校"])[:300], "名单.xls", "roster_unreadable", {}),
        (b"x", "名单.pdf", "roster_bad_type", {"file_name": "名单.pdf"}),
        (b"x", "名单", "roster_bad_type", {"file_name": "名单"}),
        (b"", "名单.docx", "roster_bad_type", {"file_name": "名单.docx"}),
        (b"", "x.csv", "roster_empty", {}),
        (b"", "x.xlsx", "roster_empty", {}),
        (b"\n\n , ,\n", "x.csv", "roster_empty", {}),
        ("姓名,学校\n".encode(), "x.csv", "roster_empty", {}),
        ("姓名,学校\n,\n\n".encode(), "x.csv", "roster_empty", {}),
        (xlsx(), "x.xlsx", "roster_empty", {}),
        (xlsx(None, ["姓名", "学校"], None), "x.xlsx", "roster_empty", {}),
        (b"\x80\xff\x80", "x.csv", "roster_unreadable", {}),
        (b"\xef\xbb\xbf\xff\x80", "x.csv", "roster_unreadable", {}),
        (b"name,school\n\x00\x00\x00", "x.csv", "roster_unreadable", {}),
        ("姓名,学校\n王芳,".encode() + b"x" * 200_000, "x.csv", "roster_unreadable", {}),
        (b"this is not a zip", "x.xlsx", "roster_unreadable", {}),
        ("姓名,学校\n王芳,一小\n".encode(), "x.xlsx", "roster_unreadable", {}),
        (zip_without_workbook(), "x.xlsx", "roster_unreadable", {}),
        (broken_sheet(), "x.xlsx", "roster_unreadable", {}),
        (xlsx(["姓名", "学校"])[:200], "x.xlsx", "roster_unreadable", {}),
        ("名字,手机\n王芳,1\n".encode(), "x.csv", "roster_missing_columns", {"columns": "学校"}),
        ("学校\n一小\n".encode(), "x.csv", "roster_missing_columns", {"columns": "姓名"}),
        ("序号,备注\n1,x\n".encode(), "x.csv", "roster_missing_columns", {"columns": "姓名、学校"}),
        ("2024年名单\n姓名,学校\n".encode(), "x.csv", "roster_empty", {}),
        ("2024年名单\n老师,单位名称\n王芳,一小\n".encode(), "x.csv", "roster_missing_columns",
         {"columns": "姓名、学校"}),
        ("".join(f"说明{i}\n" for i in range(12)).encode() + "姓名,学校\n王芳,一小\n".encode(), "x.csv",
         "roster_missing_columns", {"columns": "姓名、学校"}),
        (xlsx(["电话", "单位"]), "x.xlsx", "roster_missing_columns", {"columns": "姓名"}),
        ("姓名,学校,名字\n".encode(), "x.csv", "roster_duplicate_column", {"column": "名字"}),
        ("姓名,学校,手机,联系电话\n".encode(), "x.csv", "roster_duplicate_column", {"column": "联系电话"}),
        (xlsx(["姓名*", "学校", "姓名（必填）"]), "x.xlsx", "roster_duplicate_column",
         {"column": "姓名(必填)"}),
    ],
)
def test_file_errors(content, file_name, key, values):
    error = file_error(content, file_name)
    assert (error.key, error.values) == (key, values)


def test_too_many_rows_counts_only_data_rows():
    text = "姓名,学校\n王芳,一小学\n\n李雷,二中学\n,\n赵敏,三中学\n"
    assert len(read_roster(text.encode(), "x.csv", max_rows=3)) == 3
    error = file_error(text.encode(), "x.csv", max_rows=2)
    assert (error.key, error.values) == ("roster_too_many_rows", {"max": 2})
    error = file_error(xlsx(["姓名", "学校"], ["a", "b"], ["c", "d"]), "x.xlsx", max_rows=1)
    assert (error.key, error.values) == ("roster_too_many_rows", {"max": 1})


def test_default_row_limit():
    text = "姓名,学校\n" + "王芳,紫阳县第二小学\n" * 5001
    assert file_error(text.encode(), "x.csv").values == {"max": 5000}


def test_file_error_carries_key_and_values():
    error = RosterFileError("roster_bad_type", file_name="a.doc")
    assert (error.key, error.values, str(error)) == ("roster_bad_type", {"file_name": "a.doc"}, "roster_bad_type")


# ---------------------------------------------------------------- row problems


@pytest.mark.parametrize(
    ("fields", "key", "values"),
    [
        ({"name": ""}, "roster_missing_name", {}),
        ({"name": "王" * 21}, "name_too_long", {"name": "王" * 21}),
        ({"name": "12345"}, "name_no_letters", {"name": "12345"}),
        ({"name": "王\u200b芳"}, "name_control_chars", {"name": "王\u200b芳"}),
        ({"name": "", "school": ""}, "roster_missing_name", {}),
        ({"school": ""}, "roster_missing_school", {}),
        ({"school": "一"}, "school_too_short", {"school": "一"}),
        ({"school": "校" * 51}, "school_too_long", {"school": "校" * 51}),
        ({"school": "2024"}, "school_no_letters", {"school": "2024"}),
        ({"workshop": "坊"}, "roster_bad_unit", {"unit": "坊"}),
        ({"workshop": "123"}, "roster_bad_unit", {"unit": "123"}),
        ({"group": "组" * 51}, "roster_bad_unit", {"unit": "组" * 51}),
        ({"subject": "学" * 21}, "roster_bad_subject", {"subject": "学" * 21}),
        ({"subject": "数\u200b学"}, "roster_bad_subject", {"subject": "数\u200b学"}),
        ({"roles": "校长"}, "roster_bad_role", {"role": "校长"}),
        ({"roles": "组长、班主任"}, "roster_bad_role", {"role": "班主任"}),
        ({"roles": "teacher;boss"}, "roster_bad_role", {"role": "boss"}),
        ({"phone": "1380013800"}, "roster_bad_phone", {"phone": "1380013800"}),
        ({"phone": "12800138000"}, "roster_bad_phone", {"phone": "12800138000"}),
        ({"phone": "138001380001"}, "roster_bad_phone", {"phone": "138001380001"}),
        ({"phone": "123456"}, "roster_bad_phone", {"phone": "123456"}),
        ({"phone": "029-8888-88888-8"}, "roster_bad_phone", {"phone": "029-8888-88888-8"}),
        ({"phone": "无"}, "roster_bad_phone", {"phone": "无"}),
        ({"phone": "+1 13800138000"}, "roster_bad_phone", {"phone": "+1 13800138000"}),
        ({"staff_no": "T 001"}, "roster_bad_staff_no", {"staff_no": "T 001"}),
        ({"staff_no": "工001"}, "roster_bad_staff_no", {"staff_no": "工001"}),
        ({"staff_no": "A" * 31}, "roster_bad_staff_no", {"staff_no": "A" * 31}),
        ({"staff_no": "T#1"}, "roster_bad_staff_no", {"staff_no": "T#1"}),
        # the first problem wins
        ({"school": "", "phone": "1"}, "roster_missing_school", {}),
        ({"roles": "校长", "phone": "1"}, "roster_bad_role", {"role": "校长"}),
        ({"phone": "1", "staff_no": "#"}, "roster_bad_phone", {"phone": "1"}),
    ],
)
def test_row_problems(fields, key, values):
    result = one(row(**fields))
    assert (result.action, result.problem, result.problem_values) == (Action.REJECT, key, values)
    assert result.member_id is None and result.changes == ()


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("13800138000", "13800138000"), ("138 0013 8000", "13800138000"), ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"), ("+8613800138000", "13800138000"),
        ("0086-13800138000", "13800138000"), ("（+86）13800138000", "13800138000"),
        ("029-88888888", "02988888888"), ("(0915) 5212345", "09155212345"), ("8888888", "8888888"),
        ("0010-12345678", "001012345678"), ("19912345678", "19912345678"),
    ],
)
def test_phone_numbers_are_stored_as_digits(raw, stored):
    result = one(row(phone=raw))
    assert (result.action, result.phone) == (Action.CREATE, stored)


@pytest.mark.parametrize(
    ("cell", "roles"),
    [
        ("", {"teacher"}),
        ("组长", {"leader"}),
        ("组长、导师", {"leader", "mentor"}),
        ("组长，导师; 坊主", {"leader", "mentor", "workshop_leader"}),
        ("学员和组长", {"teacher", "leader"}),
        ("Mentor / host", {"mentor", "host"}),
        ("老师 教师 学员", {"teacher"}),
        ("workshop-leader", {"workshop_leader"}),
        ("协调员；管理员", {"coordinator", "admin"}),
    ],
)
def test_roles_cell(cell, roles):
    result = one(row(roles=cell))
    assert (result.action, result.roles) == (Action.CREATE, frozenset(roles))


def test_staff_numbers_allow_letters_digits_dash_and_underscore():
    assert one(row(staff_no="Zy-2024_001")).action is Action.CREATE
    assert one(row(staff_no="A" * 30)).action is Action.CREATE


# ---------------------------------------------------------------- may_grant


def test_role_not_allowed_names_the_word_used():
    result = one(row(roles="组长、协调员"), may_grant=COORDINATOR_GRANTS)
    assert (result.problem, result.problem_values) == ("roster_role_not_allowed", {"role": "协调员"})


def test_bad_role_wins_over_role_not_allowed():
    result = one(row(roles="管理员、校长"), may_grant=COORDINATOR_GRANTS)
    assert (result.problem, result.problem_values) == ("roster_bad_role", {"role": "校长"})


def test_a_role_the_member_already_holds_is_not_a_grant():
    boss = ExistingMember(id=3, name="王芳", school="紫阳县第二小学", roles=frozenset({"coordinator"}))
    result = one(row(roles="协调员"), [boss], may_grant=COORDINATOR_GRANTS)
    assert (result.action, result.roles) == (Action.UNCHANGED, frozenset())


def test_the_default_teacher_role_needs_no_permission():
    result = one(row(), may_grant=frozenset())
    assert (result.action, result.roles) == (Action.CREATE, frozenset({"teacher"}))
    assert one(row(roles="学员"), may_grant=frozenset()).problem == "roster_role_not_allowed"


# ---------------------------------------------------------------- matching


def test_create_carries_the_row():
    result = one(row(subject="小学数学", workshop="数学工作坊", group="第一小组", phone="13900139000",
                     staff_no="T009"))
    assert result == RowPlan(2, Action.CREATE, "王芳", "紫阳县第二小学", subject="小学数学",
                             workshop="数学工作坊", group="第一小组", roles=frozenset({"teacher"}),
                             phone="13900139000", staff_no="T009")


def test_match_by_staff_no_updates_school_and_phone():
    result = one(row(school="紫阳中学", phone="139 0013 9000", staff_no="T001"), [WANG])
    assert (result.action, result.member_id) == (Action.UPDATE, 7)
    assert result.changes == (("school", "紫阳县第二小学", "紫阳中学"), ("phone", "13800138000", "13900139000"))
    assert result.roles == frozenset()


def test_staff_no_of_someone_else_is_rejected():
    result = one(row(name="李雷", staff_no="T001"), [WANG])
    assert (result.problem, result.problem_values) == ("roster_staff_no_taken", {"staff_no": "T001", "other": "王芳"})


def test_staff_no_match_but_phone_belongs_to_another_member():
    li = ExistingMember(id=8, name="李雷", school="紫阳中学", phone="13900139000")
    result = one(row(staff_no="T001", phone="13900139000"), [WANG, li])
    assert (result.problem, result.problem_values) == ("roster_phone_taken", {"phone": "13900139000", "other": "李雷"})


def test_match_by_phone_even_across_schools():
    result = one(row(school="紫阳中学", phone="+86 13800138000", staff_no="T777"), [WANG])
    assert (result.action, result.member_id) == (Action.UPDATE, 7)
    assert result.changes == (("school", "紫阳县第二小学", "紫阳中学"), ("staff_no", "T001", "T777"))


def test_phone_of_someone_else_is_rejected():
    result = one(row(name="李雷", phone="138-0013-8000"), [WANG])
    assert (result.problem, result.problem_values) == ("roster_phone_taken", {"phone": "13800138000", "other": "王芳"})


def test_stored_phone_numbers_are_compared_normalized():
    stored = ExistingMember(id=1, name="王芳", school="紫阳县第二小学", phone="+86 138-0013-8000")
    result = one(row(phone="13800138000"), [stored])
    assert (result.action, result.member_id) == (Action.UNCHANGED, 1)


def test_match_by_name_and_school_fills_in_and_adds_roles():
    result = one(row(subject="初中数学", workshop="数学工作坊", group="第二小组", roles="组长、学员",
                     phone="13900139000", staff_no="T002"),
                 [ExistingMember(id=5, name="王芳", school="紫阳县第二小学", roles=frozenset({"teacher", "mentor"}),
                                 subject="小学数学")])
    assert (result.action, result.member_id, result.roles) == (Action.UPDATE, 5, frozenset({"leader"}))
    assert result.changes == (
        ("subject", "小学数学", "初中数学"),
        ("workshop", "", "数学工作坊"),
        ("group", "", "第二小组"),
        ("phone", "", "13900139000"),
        ("staff_no", "", "T002"),
        ("roles", "mentor、teacher", "leader、mentor、teacher"),
    )


def test_missing_stored_values_read_as_empty():
    stored = ExistingMember(id=2, name="王芳", school="紫阳县第二小学", subject=None, phone=None, staff_no=None)
    result = one(row(subject="语文", phone="13700137000"), [stored])
    assert result.changes == (("subject", "", "语文"), ("phone", "", "13700137000"))


def test_names_and_schools_match_after_normalization():
    stored = ExistingMember(id=9, name="ＬＩ　Ｌｅｉ", school="紫阳  中学")
    result = one(row(name="LI Lei", school="紫阳 中学"), [stored])
    assert (result.action, result.member_id, result.changes) == (Action.UNCHANGED, 9, ())


def test_empty_cells_never_clear_stored_values():
    result = one(row(), [WANG])
    assert (result.action, result.member_id, result.changes, result.roles) == (Action.UNCHANGED, 7, (), frozenset())


def test_unchanged_when_everything_already_matches():
    result = one(row(subject="小学数学", roles="学员", phone="13800138000", staff_no="T001"), [WANG])
    assert (result.action, result.member_id, result.changes) == (Action.UNCHANGED, 7, ())


def test_ambiguous_name_and_school():
    twins = [ExistingMember(id=1, name="王芳", school="紫阳县第二小学"),
             ExistingMember(id=2, name="王芳", school="紫阳县第二小学", left=True)]
    result = one(row(), twins)
    assert (result.problem, result.problem_values) == (
        "roster_ambiguous", {"name": "王芳", "school": "紫阳县第二小学", "count": 2})


def test_staff_no_or_phone_resolves_an_ambiguous_name():
    twins = [ExistingMember(id=1, name="王芳", school="紫阳县第二小学", staff_no="A1"),
             ExistingMember(id=2, name="王芳", school="紫阳县第二小学", phone="13700137000")]
    assert one(row(staff_no="A1"), twins).member_id == 1
    assert one(row(phone="13700137000"), twins).member_id == 2


def test_a_member_who_left_rejoins():
    gone = ExistingMember(id=4, name="王芳", school="紫阳县第二小学", left=True)
    result = one(row(), [gone])
    assert (result.action, result.member_id, result.changes) == (Action.UPDATE, 4, (("rejoin", "", ""),))
    result = one(row(roles="组长"), [gone])
    assert result.changes == (("roles", "", "leader"), ("rejoin", "", ""))


def test_same_name_at_another_school_is_someone_new():
    assert one(row(school="紫阳中学"), [WANG]).action is Action.CREATE


# ---------------------------------------------------------------- duplicates in the file


@pytest.mark.parametrize(
    ("first", "second", "duplicate"),
    [
        ({}, {}, True),
        ({"staff_no": "T5"}, {"name": "李雷", "staff_no": "T5"}, True),
        ({"phone": "13700137000"}, {"name": "李雷", "phone": "137 0013 7000"}, True),
        ({"staff_no": "T5"}, {"staff_no": "T6"}, False),
        ({"phone": "13700137000"}, {"phone": "13700137001"}, False),
        ({"staff_no": "T5"}, {}, True),
        ({}, {"phone": "13700137000"}, True),
        ({"staff_no": "T5"}, {"phone": "13700137000"}, True),
        ({"staff_no": "T5", "phone": "13700137000"}, {"staff_no": "T6", "phone": "13700137001"}, False),
        ({"school": "紫阳中学"}, {}, False),
        ({"subject": "语文"}, {"subject": "数学"}, True),
    ],
)
def test_duplicates_in_the_file(first, second, duplicate):
    result = plan([row(2, **first), row(3, **second)])
    assert result.rows[0].action is Action.CREATE
    if duplicate:
        assert (result.rows[1].problem, result.rows[1].problem_values) == ("roster_duplicate_row", {"first": 2})
    else:
        assert result.rows[1].action is Action.CREATE


def test_a_rejected_row_is_not_an_original():
    result = plan([row(2, phone="1"), row(3), row(4)])
    assert [r.action for r in result.rows] == [Action.REJECT, Action.CREATE, Action.REJECT]
    assert result.rows[1].problem is None and result.rows[2].problem_values == {"first": 3}


def test_two_rows_that_match_the_same_member_are_duplicates():
    result = plan([row(2, staff_no="X1"), row(3, staff_no="X2")], [ExistingMember(id=1, name="王芳", school="紫阳县第二小学")])
    assert [r.action for r in result.rows] == [Action.UPDATE, Action.REJECT]
    assert (result.rows[1].problem, result.rows[1].problem_values) == ("roster_duplicate_row", {"first": 2})


def test_unchanged_rows_also_count_as_originals():
    result = plan([row(2), row(9)], [WANG])
    assert [r.action for r in result.rows] == [Action.UNCHANGED, Action.REJECT]


# ---------------------------------------------------------------- plan summary


def test_new_units_counts_and_applicable():
    rows = [
        row(2, group="第一小组", workshop="数学工作坊"),
        row(3, name="李雷", school="紫阳　中学", workshop="语文工作坊", group="第三小组"),
        row(4, name="赵敏", school="城关小学", group="第三小组"),
        row(5, name="钱多", school="新建学校", phone="1"),  # rejected: creates nothing
        row(6, name="王芳", school="紫阳中学", group="第九小组"),  # unchanged except the group
        row(7, name="孙丽", school="紫阳中学"),
    ]
    existing = [ExistingMember(id=1, name="王芳", school="紫阳中学", group="第九小组")]
    result = plan(rows, existing, schools=["紫阳 中学", " 紫阳县第二小学"])
    assert result.new_schools == ("城关小学", "紫阳中学")  # known only as "紫阳 中学"
    assert result.new_workshops == ("语文工作坊",)
    assert result.new_groups == ("第三小组",)
    assert [result.count(action) for action in Action] == [4, 0, 1, 1]
    assert [r.line for r in result.applicable] == [2, 3, 4, 7]


def test_updates_count_towards_new_units():
    result = plan([row(group="新小组")], [WANG])
    assert result.rows[0].action is Action.UPDATE and result.new_groups == ("新小组",)


def test_rows_given_by_hand_are_normalized_too():
    result = one(RosterRow(line=1, name=" 王　芳 ", school="紫阳县第二小学 ", phone="１３８００１３８０００"))
    assert (result.name, result.school, result.phone) == ("王 芳", "紫阳县第二小学", "13800138000")


def test_empty_plan():
    result = plan([])
    assert result == RosterPlan((), (), (), ()) and result.applicable == ()


def test_read_then_plan():
    content = xlsx(["姓名*", "学校*", "角色", "手机"],
                   ["王芳", "紫阳县第二小学", "组长", 13800138000.0],
                   ["李雷", "紫阳中学", "", None],
                   ["王芳", "紫阳县第二小学", "", None])
    result = plan(read_roster(content, "x.xlsx"), [WANG])
    assert [(r.line, r.action) for r in result.rows] == [
        (2, Action.UPDATE), (3, Action.CREATE), (4, Action.REJECT)]
    assert result.rows[0].changes == (("roles", "teacher", "leader、teacher"),)


# ---------------------------------------------------------------- catalogs

ROSTER_KEYS = [
    "roster_unreadable", "roster_bad_type", "roster_empty", "roster_missing_columns",
    "roster_duplicate_column", "roster_too_many_rows", "roster_missing_name", "roster_missing_school",
    "roster_bad_unit", "roster_bad_subject", "roster_bad_role", "roster_role_not_allowed",
    "roster_bad_phone", "roster_bad_staff_no", "roster_staff_no_taken", "roster_phone_taken",
    "roster_ambiguous", "roster_duplicate_row",
]
SAMPLE_VALUES = {"file_name": "a.doc", "columns": "姓名、学校", "column": "姓名", "max": 5000,
                 "unit": "x", "subject": "x", "role": "x", "phone": "1", "staff_no": "1", "other": "李雷",
                 "name": "王芳", "school": "一小", "count": 2, "first": 3}


@pytest.mark.parametrize("catalog", [zh_CN.MESSAGES, en.MESSAGES], ids=["zh_CN", "en"])
@pytest.mark.parametrize("key", ROSTER_KEYS)
def test_every_key_has_a_text_that_formats(catalog, key):
    assert catalog[key].format(**SAMPLE_VALUES)


# ---------------------------------------------------------------- properties

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
names = st.text(CJK, min_size=1, max_size=4)
schools = st.sampled_from(["紫阳县第二小学", "紫阳中学", "城关小学", "新建学校"])
role_cells = st.lists(st.sampled_from(["学员", "组长", "导师", "坊主", "协调员", "mentor"]), max_size=3).map("、".join)
phones = st.one_of(st.just(""), st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
                   st.sampled_from(["13800138000", "13900139000"]))
staff_nos = st.one_of(st.just(""), st.from_regex(r"[A-Z][0-9]{1,3}", fullmatch=True))
valid_rows = st.lists(
    st.builds(lambda name, school, cell, phone, staff_no, unit: (name, school, cell, phone, staff_no, unit),
              names, schools, role_cells, phones, staff_nos, st.sampled_from(["", "数学工作坊", "新工作坊"])),
    max_size=25,
).map(lambda specs: [RosterRow(line=i + 2, name=n, school=s, roles=r, phone=p, staff_no=k, workshop=w)
                     for i, (n, s, r, p, k, w) in enumerate(specs)])
members = st.lists(
    st.builds(ExistingMember, id=st.integers(0, 30), name=names, school=schools, phone=phones,
              staff_no=staff_nos, left=st.booleans(),
              roles=st.frozensets(st.sampled_from(sorted(ALL_ROLES)), max_size=2)),
    max_size=10,
)


def check_plan(rows: list[RosterRow], result: RosterPlan) -> None:
    assert [p.line for p in result.rows] == [r.line for r in rows]
    assert len(result.rows) == len(rows)
    for p in result.rows:
        assert (p.problem is None) == (p.action is not Action.REJECT)
        assert (p.member_id is None) == (p.action in (Action.CREATE, Action.REJECT))
        assert bool(p.changes) == (p.action is Action.UPDATE)
    assert list(result.new_schools) == sorted(set(result.new_schools))
    assert sum(result.count(action) for action in Action) == len(rows)


@settings(max_examples=200, deadline=None)
@given(rows=valid_rows, existing=members, may_grant=st.sampled_from([ALL_ROLES, COORDINATOR_GRANTS, frozenset()]))
def test_every_row_gets_exactly_one_plan_in_order(rows, existing, may_grant):
    check_plan(rows, plan(rows, existing, may_grant=may_grant))


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.builds(RosterRow, line=st.integers(1, 10_000), name=st.text(max_size=25),
                               school=st.text(max_size=55), subject=st.text(max_size=25),
                               workshop=st.text(max_size=5), group=st.text(max_size=5),
                               roles=st.text(max_size=8), phone=st.text("0123456789+-() ", max_size=16),
                               staff_no=st.text(max_size=5)), max_size=15),
       existing=members)
def test_arbitrary_text_never_raises(rows, existing):
    check_plan(rows, plan(rows, existing))


@settings(max_examples=100, deadline=None)
@given(cells=st.lists(st.lists(st.text(max_size=6), max_size=4), max_size=6))
def test_reading_arbitrary_csv_raises_only_roster_errors(cells):
    text = "姓名,学校\n" + "\n".join(",".join(c.replace("\x00", "") for c in line) for line in cells)
    try:
        rows = read_roster(text.encode(), "x.csv")
    except RosterFileError as error:
        assert error.key.startswith("roster_")
    else:
        assert all(r.line >= 2 for r in rows)
