"""Reading a coordinator's spreadsheet of work done before the bot arrived (check-ins, records,
hours), row by row, into the same backfill items a chat-history export gives.

Pure: bytes in, items and row problems (with the row number a spreadsheet program shows) out.
Matching names to the roster and storing is the service's job.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import astuple, dataclass, field, replace
from datetime import date, datetime, time, timedelta

from bot.domain.chat_history import BackfillItem
from bot.domain.policy import Records
from bot.domain.record_text import title_of
from bot.domain.records import LABELS, RecordKind, length_problem
from bot.domain.roster import TITLE_ROWS, RosterFileError, clean_cell, header_key, read_table

CHECKIN = "checkin"
HOURS = "hours"
SUFFIXES = (".csv", ".xlsx", ".xls")

KINDS = {
    "签到": CHECKIN, "打卡": CHECKIN,
    "反思": RecordKind.REFLECTION.value, "教学反思": RecordKind.REFLECTION.value,
    "案例": RecordKind.CASE.value, "教学案例": RecordKind.CASE.value,
    "听课": RecordKind.OBSERVATION.value, "听课记录": RecordKind.OBSERVATION.value,
    "学时": HOURS,
}
CATEGORIES = {"校本": "school", "线上": "online", "县级": "county", "县级以上": "above_county"}
DEFAULT_CATEGORY = "school"

_ALIASES = {
    "name": ("姓名", "名字", "教师姓名"),
    "school": ("学校", "单位", "所在学校"),
    "day": ("日期", "时间", "完成日期"),
    "kind": ("类型", "项目"),
    "title": ("标题", "题目", "课题"),
    "body": ("内容", "正文"),
    "hours": ("学时", "学时数"),
    "category": ("类别", "学时类别"),
    "teacher": ("执教者", "授课教师", "执教教师", "被听课教师"),
    "class_subject": ("班级", "班级学科"),
}
_REQUIRED = {"name": "姓名", "day": "日期", "kind": "类型"}
_FIELD_BY_HEADER = {header_key(alias): name for name, aliases in _ALIASES.items() for alias in aliases}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_SERIALS = range(20000, 80000)  # 1954–2119: a date cell that came through as its serial number


class SheetFileError(Exception):
    """The file as a whole cannot be read; key is an i18n key, values its format fields."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key, self.values = key, values


@dataclass(frozen=True)
class RowProblem:
    line: int
    key: str
    values: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class SheetReading:
    rows: int
    items: tuple[BackfillItem, ...]
    problems: tuple[RowProblem, ...]


class _Bad(Exception):
    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key, self.values = key, values


def is_sheet(file_name: str) -> bool:
    return file_name.lower().endswith(SUFFIXES)


def read_backfill_sheet(content: bytes, file_name: str, *, today: date, rules: Records,
                        max_rows: int = 5000) -> SheetReading:
    """Every row as an item or a problem; a file that is no table at all raises SheetFileError."""
    try:
        table = read_table(content, file_name)
        with closing(table):
            rows = list(_rows(table, max_rows))
    except RosterFileError as error:
        raise SheetFileError("backfill_unreadable") from error
    items: list[BackfillItem] = []
    problems: list[RowProblem] = []
    repeats: dict[str, int] = {}
    for line, values in rows:
        try:
            item = _item(line, values, today, rules)
        except _Bad as bad:
            problems.append(RowProblem(line, bad.key, bad.values))
            continue
        content = _content_key(item)
        repeats[content] = repeats.get(content, 0) + 1
        items.append(replace(item, key=f"{content}:{repeats[content]}"))
    return SheetReading(len(rows), tuple(items), tuple(problems))


def _content_key(item: BackfillItem) -> str:
    """What the row says, not where it sits: the same row in a corrected, re-sorted file keeps its key."""
    content = replace(item, ordinal=0)
    return hashlib.sha256(repr(astuple(content)).encode()).hexdigest()[:16]


def _rows(table: Iterable[Sequence[object]], max_rows: int) -> Iterable[tuple[int, dict[str, object]]]:
    """(row number, field -> raw cell) below the header row, which may sit under a few title rows."""
    columns: dict[int, str] | None = None
    count = 0
    for line, cells in enumerate(table, start=1):
        if columns is None:
            header = [header_key(clean_cell(cell)) for cell in cells]
            if any(text in _FIELD_BY_HEADER for text in header):
                columns = {i: _FIELD_BY_HEADER[text] for i, text in enumerate(header) if text in _FIELD_BY_HEADER}
                missing = [label for name, label in _REQUIRED.items() if name not in columns.values()]
                if missing:
                    raise SheetFileError("backfill_missing_columns", columns="、".join(missing))
            elif line >= TITLE_ROWS:
                raise SheetFileError("backfill_missing_columns", columns="、".join(_REQUIRED.values()))
            continue
        values = {name: cells[i] for i, name in columns.items() if i < len(cells)}
        if not any(clean_cell(value) for value in values.values()):
            continue
        if (count := count + 1) > max_rows:
            raise SheetFileError("backfill_too_many_rows", max=max_rows)
        yield line, values
    if columns is None:
        raise SheetFileError("backfill_missing_columns", columns="、".join(_REQUIRED.values()))


def _item(line: int, raw: dict[str, object], today: date, rules: Records) -> BackfillItem:
    text = {name: clean_cell(value) for name, value in raw.items()}
    name = text.get("name", "")
    if not name:
        raise _Bad("backfill_missing_name")
    kind = KINDS.get(text.get("kind", "").replace(" ", ""))
    if kind is None:
        raise _Bad("backfill_bad_kind", kind=text.get("kind", "") or "（空）")
    day = _day(raw.get("day"))
    if day > today:
        raise _Bad("backfill_future_date", day=day.isoformat())
    common = {"sender": name, "school": text.get("school", ""), "day": day, "kind": kind, "ordinal": line,
              "sent_at": datetime.combine(day, time(12))}
    title, body = text.get("title", ""), _body(raw.get("body"))
    if kind == CHECKIN:
        return BackfillItem(**common)
    if kind == HOURS:
        category = CATEGORIES.get(text.get("category", "") or "校本")
        if category is None:
            raise _Bad("backfill_bad_category", category=text["category"], known="、".join(CATEGORIES))
        return BackfillItem(**common, hours=_hours(raw.get("hours")), category=category,
                            title=title or body.split("\n")[0][:100])
    record_kind = RecordKind(kind)
    if not body:
        raise _Bad("backfill_missing_body", label=LABELS[record_kind])
    if problem := length_problem(record_kind, body, rules, False):
        raise _Bad(f"backfill_{problem[0].removeprefix('record_')}", label=LABELS[record_kind], limit=problem[1],
                   length=len(body.strip()))
    if record_kind is RecordKind.OBSERVATION:
        teacher = text.get("teacher", "")
        if not teacher:
            raise _Bad("backfill_missing_teacher")
        return BackfillItem(**common, title=title, body=body, teacher=teacher,
                            class_subject=text.get("class_subject", ""), observed_on=day, topic=title)
    return BackfillItem(**common, title=title or title_of(body), body=body)


def _body(value: object) -> str:
    """The text as written, paragraphs kept (clean_cell would fold the line breaks away)."""
    if value is None:
        return ""
    lines = (clean_cell(part) for part in str(value).replace("\r\n", "\n").split("\n"))
    return "\n".join(part for part in lines if part)


def _day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if is_number and int(value) in _EXCEL_SERIALS:
        return _EXCEL_EPOCH + timedelta(days=int(value))
    text = clean_cell(value)
    if not text:
        raise _Bad("backfill_missing_date")
    found = _DATE.match(text)
    try:
        if found is None:
            raise ValueError(text)
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        raise _Bad("backfill_bad_date", value=text) from None


def _hours(value: object) -> float:
    text = clean_cell(value).removesuffix("学时").strip()
    try:
        hours = float(text)
    except ValueError:
        raise _Bad("backfill_bad_hours", value=text or "（空）") from None
    if not math.isfinite(hours) or hours <= 0:
        raise _Bad("backfill_bad_hours", value=text)
    return round(hours, 2)
