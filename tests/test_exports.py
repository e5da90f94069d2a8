import csv
import dataclasses
import io
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import RGBColor
from openpyxl import load_workbook

from bot.render.exports import Briefing, Sheet, briefing_docx, briefing_markdown, to_csv, to_xlsx
from bot.render.pdf import PdfUnavailable, docx_to_pdf, office

INJECTIONS = ["=SUM(A1)", "+1", "-1", "@x", "\t=1", "\r=1"]


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def _load(data: bytes):
    return load_workbook(io.BytesIO(data))


# ---------------------------------------------------------------------- CSV


def test_csv_bom_crlf_and_chinese_round_trip():
    sheet = Sheet("签到明细", ("姓名", "学校", "备注"), [("张三", "紫阳县城关小学", '含,逗号与"引号"')])
    data = to_csv(sheet)
    assert data.startswith("\ufeff姓名".encode())
    assert data.count(b"\r\n") == 2 and data.endswith(b"\r\n")
    assert _csv_rows(data) == [["姓名", "学校", "备注"], ["张三", "紫阳县城关小学", '含,逗号与"引号"']]


def test_csv_dates_numbers_and_none():
    row = (date(2026, 11, 3), datetime(2026, 11, 3, 8, 5, 59), 3.0, 2.5, 0.1, 7, -4, None)
    data = to_csv(Sheet("t", ("a", "b", "c", "d", "e", "f", "g", "h"), [row]))
    assert _csv_rows(data)[1] == ["2026-11-03", "2026-11-03 08:05", "3", "2.5", "0.1", "7", "-4", ""]


def test_csv_formula_injection_guarded():
    data = to_csv(Sheet("t", ("=cmd",), [(v,) for v in [*INJECTIONS, "普通", "a=b"]]))
    rows = _csv_rows(data)
    assert rows[0] == ["'=cmd"]
    assert [r[0] for r in rows[1:]] == [*("'" + v.replace("\r", "\n") for v in INJECTIONS), "普通", "a=b"]  # CR is cleaned to LF


# --------------------------------------------------------------------- XLSX


def test_xlsx_sheet_titles_sanitised_and_unique():
    titles = ["签到", "签到", "a/b:c*d?[e]\\f", "很长" * 20, "很长" * 20, "", "'引号'", "SIGN", "sign"]
    wb = _load(to_xlsx([Sheet(t, ("x",), []) for t in titles], title="研修数据"))
    names = wb.sheetnames
    assert names[:3] == ["签到", "签到 (2)", "a_b_c_d__e__f"]
    assert names[3] == ("很长" * 20)[:31] and len(names[4]) == 31 and names[4].endswith(" (2)")
    assert names[5] == "Sheet6" and names[6] == "引号"
    assert names[7] == "SIGN" and names[8] == "sign (2)"
    assert len({n.casefold() for n in names}) == len(names)
    assert wb.properties.title == "研修数据" and wb.properties.creator == "yanxiu"


def test_xlsx_layout_types_and_injection():
    tz = timezone(timedelta(hours=8))
    rows = [
        ("张三", date(2026, 11, 3), datetime(2026, 11, 3, 8, 5, tzinfo=tz), 12, 2.5, None),
        ("=SUM(A1)", date(2026, 11, 4), datetime(2026, 11, 4, 19, 30), -1, 3.0, "+1"),
        ("-1", None, None, 0, 0.25, "@x"),
        ("\t=1", None, None, None, None, "ok"),
    ]
    sheet = Sheet("签到明细", ("姓名", "日期", "签到时间", "次数", "学时", "备注"), rows, widths=(14,))
    ws = _load(to_xlsx([sheet]))["签到明细"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:F5"
    assert ws.max_row == 5
    assert [c.value for c in ws[1]] == ["姓名", "日期", "签到时间", "次数", "学时", "备注"]
    assert all(c.font.b for c in ws[1])
    assert not ws["A2"].font.b
    assert ws["B2"].value == datetime(2026, 11, 3) and ws["B2"].is_date
    assert ws["B2"].number_format == "yyyy-mm-dd"
    assert ws["C2"].value == datetime(2026, 11, 3, 8, 5) and ws["C2"].is_date
    assert ws["C2"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["D2"].value == 12 and ws["D2"].data_type == "n"
    assert ws["E2"].value == 2.5 and ws["D3"].value == -1
    assert ws["F2"].value is None
    # Typed as text, nothing is evaluated, and nothing is added: a title "-1 对比" stays as written.
    assert [ws.cell(r, 1).value for r in (3, 4, 5)] == ["=SUM(A1)", "-1", "\t=1"]
    assert [ws.cell(r, 6).value for r in (3, 4)] == ["+1", "@x"]
    assert all(ws.cell(r, c).data_type != "f" for r in range(1, 6) for c in range(1, 7))
    assert all(ws.cell(r, 1).data_type == "s" for r in range(1, 6))
    assert ws["A3"].quotePrefix and not ws["A2"].quotePrefix  # stays text even after an edit in Excel
    assert ws.column_dimensions["A"].width == 14  # explicit
    assert ws.column_dimensions["C"].width == 18  # "2026-11-03 08:05" + 2
    assert ws.column_dimensions["F"].width == 8  # header "备注" counts 4, + 4 for the filter button


def test_xlsx_prints_on_a4_landscape_one_page_wide_with_the_header_on_every_page():
    ws = _load(to_xlsx([Sheet("研修记录", ("编号", "正文"), [(1, "很长的正文" * 50)])], title="紫阳研修"))["研修记录"]
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"  # 9: A4
    assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"
    assert "&P" in ws.oddFooter.center.text and ws.oddHeader.center.text == "紫阳研修 研修记录"


def test_csv_guard_looks_past_control_characters():
    rows = _csv_rows(to_csv(Sheet("t", ("a",), [("\x00=1",), ("\x07-2+3",)])))
    assert [r[0] for r in rows[1:]] == ["'=1", "'-2+3"]


def test_xlsx_width_estimate_counts_cjk_double_and_caps():
    sheet = Sheet("w", ("a", "b"), [("紫阳县城关小学", "x" * 500)])
    ws = _load(to_xlsx([sheet]))["w"]
    assert ws.column_dimensions["A"].width == 16
    assert ws.column_dimensions["B"].width == 60


def test_xlsx_illegal_control_characters_dropped():
    ws = _load(to_xlsx([Sheet("c", ("a",), [("坏\x00字\x07符",)])]))["c"]
    assert ws["A2"].value == "坏字符"


def test_xlsx_requires_a_sheet():
    with pytest.raises(ValueError):
        to_xlsx([])


def test_xlsx_large_sheet():
    start = date(2026, 1, 1)
    rows = [(f"教师{i}", start + timedelta(days=i % 365), i, i / 4) for i in range(20_000)]
    data = to_xlsx([Sheet("大表", ("姓名", "日期", "序号", "学时"), rows), Sheet("小表", ("x",), [(1,)])])
    wb = load_workbook(io.BytesIO(data), read_only=True)
    assert wb.sheetnames == ["大表", "小表"]
    rows_back = list(wb["大表"].iter_rows(values_only=True))
    assert len(rows_back) == 20_001
    last = rows_back[-1]
    assert last == (
        "教师19999",
        datetime.combine(start + timedelta(days=19_999 % 365), datetime.min.time()),
        19_999,
        19_999 / 4,
    )
    wb.close()


# ----------------------------------------------------------------- briefing


def _briefing(table: Sheet | None = None) -> Briefing:
    return Briefing(
        title="紫阳县骨干教师培育站研修简报",
        period="2026年11月",
        figures=[("签到人次", "412"), ("提交作业", "96")],
        sections=[
            ("本月工作", ["开展集中研修 3 次", "- 完成课例打磨"]),
            ("下月安排", ["组织送教下乡\n覆盖 5 所学校"]),
        ],
        table=table,
    )


TOP = Sheet("学时排行", ("姓名", "学校", "学时"), [("张三", "城关|小学", 12.5), ("李四", "高桥中学", 10.0)])


def test_briefing_markdown_exact():
    assert briefing_markdown(_briefing(TOP)) == (
        "# 紫阳县骨干教师培育站研修简报\n"
        "\n"
        "2026年11月\n"
        "\n"
        "| 项目 | 数值 |\n"
        "| --- | --- |\n"
        "| 签到人次 | 412 |\n"
        "| 提交作业 | 96 |\n"
        "\n"
        "## 本月工作\n"
        "\n"
        "- 开展集中研修 3 次\n"
        "- 完成课例打磨\n"
        "\n"
        "## 下月安排\n"
        "\n"
        "- 组织送教下乡\n"
        "  覆盖 5 所学校\n"
        "\n"
        "## 学时排行\n"
        "\n"
        "| 姓名 | 学校 | 学时 |\n"
        "| --- | --- | --- |\n"
        "| 张三 | 城关\\|小学 | 12.5 |\n"
        "| 李四 | 高桥中学 | 10 |\n"
    )


def test_briefing_markdown_without_table_escapes_figure_pipes():
    b = Briefing("简报", "2026年11月", [("a|b", "1|2")], [])
    assert (
        briefing_markdown(b) == "# 简报\n\n2026年11月\n\n| 项目 | 数值 |\n| --- | --- |\n| a\\|b | 1\\|2 |\n"
    )


def test_briefing_docx_is_an_a4_red_head_briefing():
    briefing = dataclasses.replace(_briefing(TOP), issuer="紫阳县教师发展中心", issued=date(2026, 12, 1))
    doc = Document(io.BytesIO(briefing_docx(briefing)))
    paras = [(p.style.name, p.text) for p in doc.paragraphs]
    assert paras[:3] == [("红头", "紫阳县骨干教师培育站研修简报"), ("期号", "（2026年11月）"),
                         ("发文行", "紫阳县教师发展中心\t2026年12月1日")]
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin,
                                  section.left_margin, section.right_margin)] == [37, 35, 28, 26]
    red_head = doc.styles["红头"]
    assert red_head.font.color.rgb == RGBColor(0xE6, 0x00, 0x12) and red_head.font.bold
    rule = doc.styles["发文行"].element.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "E60012" and int(rule.get(qn("w:sz"))) >= 12
    for heading in ("Heading 2", "Title"):  # black 黑体, not Word's blue
        style = doc.styles[heading]
        assert style.font.color.rgb == RGBColor(0, 0, 0)
        assert style.element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert "PAGE" in section.footer._element.xml
    assert [t for s, t in paras if s == "Heading 2"] == ["本月数据", "本月工作", "下月安排", "学时排行"]
    assert [t for s, t in paras if s == "List Bullet"] == [
        "开展集中研修 3 次",
        "完成课例打磨",
        "组织送教下乡\n覆盖 5 所学校",
    ]
    figures, top = doc.tables
    assert [[c.text for c in r.cells] for r in figures.rows] == [
        ["项目", "数值"],
        ["签到人次", "412"],
        ["提交作业", "96"],
    ]
    assert [[c.text for c in r.cells] for r in top.rows] == [
        ["姓名", "学校", "学时"],
        ["张三", "城关|小学", "12.5"],
        ["李四", "高桥中学", "10"],
    ]
    assert figures.rows[0].cells[0].paragraphs[0].runs[0].bold
    assert "tblHeader" in top.rows[0]._tr.xml  # the header row repeats on every printed page
    rfonts = doc.styles["Normal"].element.rPr.rFonts
    assert rfonts.get(qn("w:eastAsia")) == "仿宋"
    assert doc.core_properties.title == "紫阳县骨干教师培育站研修简报"


@pytest.mark.skipif(office() is None, reason="LibreOffice is not installed")
def test_briefing_converts_to_a_pdf_of_a4_pages():
    briefing = dataclasses.replace(_briefing(TOP), issuer="紫阳县教师发展中心", issued=date(2026, 12, 1))
    pdf = docx_to_pdf(briefing_docx(briefing))
    assert pdf.startswith(b"%PDF")
    sizes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert sizes and all(abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2 for w, h in sizes)  # A4 in points


def test_without_libreoffice_pdf_is_refused_with_what_to_install(monkeypatch):
    from bot.render import pdf

    monkeypatch.setattr(pdf, "office", lambda: None)
    with pytest.raises(PdfUnavailable, match="libreoffice"):
        pdf.docx_to_pdf(b"")
