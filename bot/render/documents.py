"""Word documents from the template shipped in bot/render/templates/document.docx.

The template carries the page (A4, margins after GB/T 9704, page numbers) and the styles; this module
adds content by style name only, so an office can restyle the template in Word or WPS without code.
Used for the monthly 简报 (红头: red title, issue line, red rule) and a teacher's training file.
"""

from __future__ import annotations

import importlib.resources
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from docx import Document
from docx.document import Document as DocumentType

TEMPLATE = "document.docx"


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def template_document() -> DocumentType:
    """A fresh document on the shipped template: its page setup and styles, an empty body."""
    with importlib.resources.files("bot.render").joinpath("templates", TEMPLATE).open("rb") as source:
        return Document(io.BytesIO(source.read()))


def to_bytes(doc: DocumentType) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def add_table(doc: DocumentType, grid: Sequence[Sequence[str]]) -> None:
    """A bordered table, the first row bold and repeated on every printed page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    table = doc.add_table(rows=len(grid), cols=len(grid[0]))
    table.style = doc.styles["Table Grid"]
    for r, (row, values) in enumerate(zip(table.rows, grid, strict=True)):
        for cell, value in zip(row.cells, values, strict=True):
            paragraph = cell.paragraphs[0]
            paragraph.style = doc.styles["表格文字"]
            run = paragraph.add_run(value)
            run.bold = r == 0 or None
        if r == 0:
            header = OxmlElement("w:tblHeader")
            header.set(qn("w:val"), "true")
            row._tr.get_or_add_trPr().append(header)


@dataclass(frozen=True)
class Entry:
    """One record in a training file: a heading line, labelled facts, its text, its attachments."""

    heading: str
    facts: Sequence[tuple[str, str]] = ()
    body: str = ""
    attachments: Sequence[str] = ()


@dataclass(frozen=True)
class TrainingFile:
    """A teacher's records of one semester, grouped (教学反思, 教学案例, 听课记录 …)."""

    name: str
    school: str
    semester: str
    generated: datetime
    program: str = ""
    groups: Sequence[tuple[str, Sequence[Entry]]] = field(default_factory=tuple)


def training_file_docx(training: TrainingFile) -> bytes:
    doc = template_document()
    doc.core_properties.title = f"研修档案 · {training.name}"
    doc.add_paragraph(f"{training.program}个人研修档案" if training.program else "个人研修档案", style="Title")
    for label, value in (("姓名", training.name), ("学校", training.school), ("学期", training.semester),
                         ("生成时间", f"{training.generated:%Y-%m-%d %H:%M}")):
        doc.add_paragraph(f"{label}：{value}", style="档案信息")
    for heading, entries in training.groups:
        doc.add_paragraph(f"{heading}（{len(entries)}篇）", style="Heading 1")
        if not entries:
            doc.add_paragraph("（暂无）")
        for entry in entries:
            doc.add_paragraph(entry.heading, style="Heading 3")
            for label, value in entry.facts:
                doc.add_paragraph(f"{label}：{value}", style="档案信息")
            for paragraph in entry.body.splitlines():
                if paragraph.strip():
                    doc.add_paragraph(paragraph.strip())
            for name in entry.attachments:
                doc.add_paragraph(f"附件：{name}", style="档案信息")
    return to_bytes(doc)
