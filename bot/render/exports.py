"""Pure formatting of export files: CSV, XLSX, and the monthly briefing (研修简报).

Everything here takes plain rows gathered by the storage layer and returns bytes
(or text) built in memory: no database, no file system.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice

from docx import Document
from docx.oxml.ns import qn
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter

from bot.domain.text import clean_text

Cell = str | int | float | date | datetime | None

__all__ = [
    "Briefing",
    "Cell",
    "Sheet",
    "briefing_docx",
    "briefing_markdown",
    "to_csv",
    "to_xlsx",
]

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
EAST_ASIAN_FONT = "宋体"

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
_MIN_WIDTH, _MAX_WIDTH = 6, 60  # bounds for estimated column widths
_WIDTH_SAMPLE_ROWS = 1000  # rows inspected when estimating widths
_EXCEL_MAX_CELL_TEXT = 32767
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")
_BULLET_MARK = re.compile(r"^\s*[-*•·]\s+")


@dataclass(frozen=True)
class Sheet:
    title: str  # sheet name (Chinese), also the CSV file's stem
    headers: tuple[str, ...]
    rows: Sequence[Sequence[Cell]]
    widths: tuple[int, ...] = ()  # optional column widths in characters


@dataclass(frozen=True)
class Briefing:
    title: str  # e.g. "紫阳县骨干教师培育站研修简报"
    period: str  # e.g. "2026年11月"
    figures: Sequence[tuple[str, str]]  # (label, value)
    sections: Sequence[tuple[str, Sequence[str]]]  # (heading, paragraphs or bullet lines)
    table: Sheet | None = None  # e.g. the top teachers


# ---------------------------------------------------------------- cell text


def _guard(text: str) -> str:
    """Neutralise text a spreadsheet would otherwise evaluate as a formula.

    Cleaning comes first: a control character before `=` would pass the check and then be
    stripped (by us or by openpyxl), leaving a live formula in the coordinator's spreadsheet."""
    text = clean_text(text)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


def _text(value: Cell) -> str:
    """The plain-text rendering of a cell, shared by CSV, Markdown and DOCX."""
    if value is None:
        return ""
    if isinstance(value, datetime):  # before date: datetime is a date subclass
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def _display_width(text: str) -> int:
    """Width in character cells: CJK (wide/fullwidth) characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# ---------------------------------------------------------------------- CSV


def to_csv(sheet: Sheet) -> bytes:
    """UTF-8 with BOM, CRLF line ends, formula-looking text prefixed with a quote."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([_guard(h) for h in sheet.headers])
    for row in sheet.rows:
        writer.writerow([_guard(v) if isinstance(v, str) else _text(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")


# --------------------------------------------------------------------- XLSX


def _sheet_titles(titles: Sequence[str]) -> list[str]:
    """Excel-legal, unique (case-insensitively) worksheet names."""
    result: list[str] = []
    taken: set[str] = set()
    for index, raw in enumerate(titles, 1):
        base = _SHEET_TITLE_BAD.sub("_", raw).strip().strip("'").strip()
        if not base or base.casefold() == "history":  # "History" is reserved by Excel
            base = f"{base or 'Sheet'}{index}"
        name, n = base[:31], 1
        while name.casefold() in taken:
            n += 1
            suffix = f" ({n})"
            name = base[: 31 - len(suffix)] + suffix
        taken.add(name.casefold())
        result.append(name)
    return result


def _column_widths(sheet: Sheet, ncols: int) -> list[float]:
    """Explicit widths where given, otherwise estimated from header and first rows.

    Header text gets 4 extra characters (room for the filter drop-down button), data 2.
    """
    estimated = [_display_width(h) + 2 for h in sheet.headers] + [0] * (ncols - len(sheet.headers))
    for row in islice(sheet.rows, _WIDTH_SAMPLE_ROWS):
        for i, value in enumerate(row):
            if value is not None:
                estimated[i] = max(estimated[i], _display_width(_text(value)))
    widths: list[float] = []
    for i, est in enumerate(estimated):
        given = sheet.widths[i] if i < len(sheet.widths) else 0
        widths.append(min(given, 255) if given and given > 0 else min(max(est + 2, _MIN_WIDTH), _MAX_WIDTH))
    return widths


def _xlsx_value(ws, value: Cell):
    """A value or styled WriteOnlyCell ready for ``ws.append``."""
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", _guard(value))
        return text[:_EXCEL_MAX_CELL_TEXT]
    if isinstance(value, float) and not math.isfinite(value):
        return _text(value)  # Excel has no NaN/Infinity: keep it readable as text
    if isinstance(value, datetime):
        cell = WriteOnlyCell(ws, value.replace(tzinfo=None))  # Excel has no time zones
        cell.number_format = DATETIME_FORMAT
        return cell
    return value  # openpyxl gives plain dates its "yyyy-mm-dd" (DATE_FORMAT) by itself


def _write_sheet(wb: Workbook, sheet: Sheet, name: str) -> None:
    ws = wb.create_sheet(name)
    ncols = max(len(sheet.headers), max((len(r) for r in sheet.rows), default=0))
    # Column dimensions, panes and the filter must be set before the first row is streamed.
    for i, width in enumerate(_column_widths(sheet, ncols), 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    if sheet.headers:
        ws.freeze_panes = "A2"
    if ncols:
        last = f"{get_column_letter(ncols)}{len(sheet.rows) + 1}"
        ws.auto_filter = AutoFilter(ref=f"A1:{last}")
    bold = Font(bold=True)
    header_cells = []
    for text in sheet.headers:
        cell = WriteOnlyCell(ws, ILLEGAL_CHARACTERS_RE.sub("", _guard(text)))
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for row in sheet.rows:
        ws.append([_xlsx_value(ws, v) for v in row])


def to_xlsx(sheets: Sequence[Sheet], *, title: str = "") -> bytes:
    """One workbook, one worksheet per Sheet, streamed in write-only mode."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    wb = Workbook(write_only=True)
    wb.properties.creator = "yanxiu"
    if title:
        wb.properties.title = title
    for sheet, name in zip(sheets, _sheet_titles([s.title for s in sheets]), strict=True):
        _write_sheet(wb, sheet, name)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ----------------------------------------------------------------- briefing


def _bullet_text(line: str) -> str:
    """A paragraph without any bullet/number mark the author already typed."""
    return _BULLET_MARK.sub("", line, count=1).strip()


def _table_grid(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> list[list[str]]:
    """Header row plus body rows as text, all padded to the same column count."""
    ncols = max(len(headers), max((len(r) for r in rows), default=0))
    grid = [list(headers)] + [[_text(v) for v in r] for r in rows]
    return [r + [""] * (ncols - len(r)) for r in grid]


def _md_cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _md_table(grid: list[list[str]]) -> list[str]:
    head, *body = grid
    lines = ["| " + " | ".join(_md_cell(c) for c in head) + " |"]
    lines.append("|" + "|".join(" --- " for _ in head) + "|")
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in body]
    return lines


def briefing_markdown(briefing: Briefing) -> str:
    """The briefing as Markdown text (ends with a newline)."""
    blocks: list[list[str]] = [[f"# {briefing.title}"]]
    if briefing.period:
        blocks.append([briefing.period])
    if briefing.figures:
        blocks.append(_md_table([["项目", "数值"], *([label, value] for label, value in briefing.figures)]))
    for heading, paragraphs in briefing.sections:
        blocks.append([f"## {heading}"])
        bullets = [f"- {_bullet_text(p)}".replace("\n", "\n  ") for p in paragraphs if p.strip()]
        if bullets:
            blocks.append(bullets)
    if briefing.table is not None and briefing.table.headers:
        if briefing.table.title:
            blocks.append([f"## {briefing.table.title}"])
        blocks.append(_md_table(_table_grid(briefing.table.headers, briefing.table.rows)))
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def _set_east_asian_font(style, font: str) -> None:
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.attrib.pop(qn("w:eastAsiaTheme"), None)  # a theme font would win over ours
    rfonts.set(qn("w:eastAsia"), font)


def _docx_table(doc, grid: list[list[str]]) -> None:
    table = doc.add_table(rows=len(grid), cols=len(grid[0]))
    table.style = doc.styles["Table Grid"]
    for r, (row, values) in enumerate(zip(table.rows, grid, strict=True)):
        for cell, value in zip(row.cells, values, strict=True):
            run = cell.paragraphs[0].add_run(value)
            if r == 0:
                run.bold = True


def briefing_docx(briefing: Briefing) -> bytes:
    """The briefing as a Word document (.docx bytes)."""
    doc = Document()
    for style_name in ("Normal", "Title", "Heading 2"):
        _set_east_asian_font(doc.styles[style_name], EAST_ASIAN_FONT)
    doc.core_properties.title = briefing.title
    doc.core_properties.author = "yanxiu"
    doc.add_heading(briefing.title, level=0)
    if briefing.period:
        doc.add_paragraph(briefing.period)
    if briefing.figures:
        _docx_table(doc, [["项目", "数值"], *([label, value] for label, value in briefing.figures)])
    for heading, paragraphs in briefing.sections:
        doc.add_heading(heading, level=2)
        for paragraph in paragraphs:
            if paragraph.strip():
                doc.add_paragraph(_bullet_text(paragraph), style="List Bullet")
    if briefing.table is not None and briefing.table.headers:
        if briefing.table.title:
            doc.add_heading(briefing.table.title, level=2)
        _docx_table(doc, _table_grid(briefing.table.headers, briefing.table.rows))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
