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

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.worksheet import Worksheet

from bot.domain.text import clean_text
from bot.render.documents import add_table, chinese_date, template_document, to_bytes

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
    issuer: str = ""  # who issues it, on the line above the red rule (e.g. the program's name)
    issued: date | None = None  # the date on that line


# ---------------------------------------------------------------- cell text


def _clean(text: str) -> str:
    """Control and bidi characters (other than tab and line breaks) removed: XLSX cannot hold them,
    and a leading one could hide a formula from the checks below."""
    return ILLEGAL_CHARACTERS_RE.sub("", clean_text(text))


def _guard(text: str) -> str:
    """For CSV, where a spreadsheet evaluates =, +, -, @ at the start of a field: a quote in front.

    Cleaning comes first: a control character before `=` would pass the check and then be
    stripped (by us or by openpyxl), leaving a live formula in the coordinator's spreadsheet."""
    text = _clean(text)
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
        return _string_cell(ws, value)
    if isinstance(value, float) and not math.isfinite(value):
        return _text(value)  # Excel has no NaN/Infinity: keep it readable as text
    if isinstance(value, datetime):
        cell = WriteOnlyCell(ws, value.replace(tzinfo=None))  # Excel has no time zones
        cell.number_format = DATETIME_FORMAT
        return cell
    return value  # openpyxl gives plain dates its "yyyy-mm-dd" (DATE_FORMAT) by itself


def _string_cell(ws, value: str):
    """Text stays text: a cell starting with = - + @ is typed as a string (never evaluated) and marked
    with Excel's quote prefix, so it shows exactly as written (no apostrophe in the cell) and stays text
    when someone edits it; openpyxl would otherwise store "=…" as a live formula. Cleaning comes first,
    so an invisible character cannot hide the `=` from this check."""
    text = _clean(clean_text(value))[:_EXCEL_MAX_CELL_TEXT]
    if not text.startswith(_FORMULA_PREFIXES):
        return text
    cell = WriteOnlyCell(ws, None)
    cell._value, cell.data_type = text, "s"
    cell.quotePrefix = True
    return cell


def _print_setup(ws, title: str) -> None:
    """A4 landscape, every column on one page width, the header row repeated on each page."""
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.6
    ws.print_title_rows = "1:1"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    if title:
        ws.oddHeader.center.text = title.replace("&", "&&")


def _write_sheet(wb: Workbook, sheet: Sheet, name: str, title: str = "") -> None:
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
    _print_setup(ws, f"{title} {name}".strip())
    bold = Font(bold=True)
    header_cells = []
    for text in sheet.headers:
        cell = _string_cell(ws, text)
        cell = WriteOnlyCell(ws, cell) if isinstance(cell, str) else cell
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for row in sheet.rows:
        ws.append([_xlsx_value(ws, v) for v in row])


def to_xlsx(sheets: Sequence[Sheet], *, title: str = "") -> bytes:
    """One workbook, one worksheet per Sheet, streamed in write-only mode, each ready to print."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    wb = Workbook(write_only=True)
    wb.properties.creator = "yanxiu"
    if title:
        wb.properties.title = title
    for sheet, name in zip(sheets, _sheet_titles([s.title for s in sheets]), strict=True):
        _write_sheet(wb, sheet, name, title)
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


def briefing_docx(briefing: Briefing) -> bytes:
    """The briefing as a Word document on the shipped A4 template, 红头 first: the red title, the
    period, the issuer and date over a red rule; then figures, sections and the table."""
    doc = template_document()
    doc.core_properties.title = briefing.title
    doc.add_paragraph(briefing.title, style="红头")
    if briefing.period:
        doc.add_paragraph(f"（{briefing.period}）", style="期号")
    issued = chinese_date(briefing.issued) if briefing.issued else ""
    doc.add_paragraph(f"{briefing.issuer}\t{issued}".strip("\t") if briefing.issuer else f"\t{issued}",
                      style="发文行")
    if briefing.figures:
        doc.add_paragraph("本月数据", style="Heading 2")
        add_table(doc, [["项目", "数值"], *([label, value] for label, value in briefing.figures)])
    for heading, paragraphs in briefing.sections:
        doc.add_paragraph(heading, style="Heading 2")
        for paragraph in paragraphs:
            if paragraph.strip():
                doc.add_paragraph(_bullet_text(paragraph), style="List Bullet")
    if briefing.table is not None and briefing.table.headers:
        if briefing.table.title:
            doc.add_paragraph(briefing.table.title, style="Heading 2")
        add_table(doc, _table_grid(briefing.table.headers, briefing.table.rows))
    return to_bytes(doc)
