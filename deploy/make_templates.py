"""Rebuild bot/render/templates/document.docx, the Word template of the 简报 and the training file.

The template holds only page setup and styles; the code fills in the content by style name. An office
that wants its own look can open the file in Word or WPS, change the styles (fonts, sizes, the colour
of the 红头) and page margins, save it under the same name, and keep every style name below.

    python deploy/make_templates.py

Page: A4 portrait, margins after GB/T 9704 (top 37 mm, bottom 35 mm, left 28 mm, right 26 mm), the
page number centred in the footer as "— 1 —".
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

TARGET = Path(__file__).resolve().parent.parent / "bot" / "render" / "templates" / "document.docx"
RED, BLACK = RGBColor(0xE6, 0x00, 0x12), RGBColor(0, 0, 0)
SONG, HEI, FANGSONG, KAI = "宋体", "黑体", "仿宋", "楷体"


def _fonts(style, east_asian: str, size: float, *, bold: bool = False, colour: RGBColor = BLACK) -> None:
    style.font.name = "Times New Roman"
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = colour
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)  # a theme font would win over ours
    fonts.set(qn("w:eastAsia"), east_asian)


def _paragraph_style(doc, name: str, base: str = "Normal"):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles[base]
    style.quick_style = True
    return style


def _bottom_rule(style, colour: str, eighths_of_a_point: int) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", str(eighths_of_a_point)), ("w:space", "4"),
                       ("w:color", colour)):
        bottom.set(qn(key), value)
    borders.append(bottom)
    style.element.get_or_add_pPr().append(borders)


def _page_number_footer(section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" —")


def build() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(20)
    _page_number_footer(section)

    normal = doc.styles["Normal"]
    _fonts(normal, FANGSONG, 14)
    normal.paragraph_format.line_spacing = 1.25
    normal.paragraph_format.space_after = Pt(0)
    for name, east_asian, size in (("Title", HEI, 22), ("Heading 1", HEI, 16), ("Heading 2", HEI, 15),
                                   ("Heading 3", KAI, 14)):
        style = doc.styles[name]
        _fonts(style, east_asian, size, bold=name != "Heading 3")
        style.paragraph_format.space_before = Pt(12 if name != "Title" else 0)
        style.paragraph_format.space_after = Pt(6)
    title = doc.styles["Title"]
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title_borders = title.element.pPr.find(qn("w:pBdr"))
    if title_borders is not None:  # Word's default Title has a blue rule under it
        title.element.pPr.remove(title_borders)
    _fonts(doc.styles["List Bullet"], FANGSONG, 14)

    red_head = _paragraph_style(doc, "红头")
    _fonts(red_head, SONG, 30, bold=True, colour=RED)
    red_head.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    red_head.paragraph_format.space_after = Pt(12)
    issue = _paragraph_style(doc, "期号")
    _fonts(issue, FANGSONG, 14)
    issue.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    issuer = _paragraph_style(doc, "发文行")
    _fonts(issuer, FANGSONG, 14)
    issuer.paragraph_format.tab_stops.add_tab_stop(Mm(210 - 28 - 26), WD_TAB_ALIGNMENT.RIGHT)
    issuer.paragraph_format.space_after = Pt(18)
    _bottom_rule(issuer, "E60012", 18)  # 2.25 pt red rule under the issuer and date
    meta = _paragraph_style(doc, "档案信息")
    _fonts(meta, FANGSONG, 12)
    table_text = _paragraph_style(doc, "表格文字")
    _fonts(table_text, SONG, 11)
    table_text.paragraph_format.line_spacing = 1.0

    # The body stays empty: the code adds the content after the template's last paragraph.
    body = doc.element.body
    for paragraph in list(body.iterchildren(qn("w:p"))):
        body.remove(paragraph)
    doc.core_properties.author = "yanxiu"
    doc.core_properties.title = ""
    return doc


if __name__ == "__main__":
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    build().save(str(TARGET))
    print(TARGET.name, TARGET.stat().st_size, "bytes")
