"""Training hours (学时) by category and level, and the training platform's online-hours export.

Programs count hours in separate pots: 线上 (certified by the training platform, seed 004's 120),
校本 (school-based, seed 004's 30, seed 003's 48), 县级 and 县级以上 trainings (seed 002's levels).
Each pot has its own target in the policy; a surplus in one never fills another.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.domain.roster import RosterFileError, clean_cell, read_table
from bot.domain.text import normalize

ONLINE, SCHOOL, COUNTY, HIGHER = "online", "school", "county", "higher"
CATEGORIES = (ONLINE, SCHOOL, COUNTY, HIGHER)
"""Stored codes, in the order hours are shown."""

_WORDS = {
    HIGHER: ("县级以上", "市级", "省级", "国家级", "国培", "省培", "higher"),
    COUNTY: ("县级", "县培", "county"),
    ONLINE: ("线上", "网络", "远程", "网络研修", "平台", "online"),
    SCHOOL: ("校本", "校本研修", "线下", "school"),
}
"""Longer words first where one contains another (县级以上 before 县级)."""

FORMS = {"集中": "concentrated", "网络": "online"}
"""How a training was given (seed 002: 集中培训, 网络培训); shown with the title, not a separate pot."""


def category_of(word: str) -> str | None:
    """The category a coordinator means by `word` (线上, 校本, 县级, 县级以上 …), or None."""
    text = normalize(word).lower()
    if not text:
        return None
    for category, words in _WORDS.items():
        if text in words:
            return category
    return None


@dataclass(frozen=True)
class CategoryProgress:
    category: str
    have: float
    target: float  # 0 = no target for this category in the policy

    @property
    def missing(self) -> float:
        return max(0.0, round(self.target - self.have, 2))


def progress(hours: Mapping[str, float], targets: Mapping[str, float]) -> list[CategoryProgress]:
    """Every category that has a target or any hours, in the fixed order, others after."""
    shown = [c for c in CATEGORIES if targets.get(c, 0) > 0 or hours.get(c, 0) > 0]
    shown += sorted(c for c in hours if c not in CATEGORIES and hours[c] > 0)
    return [CategoryProgress(c, round(hours.get(c, 0.0), 2), float(targets.get(c, 0))) for c in shown]


# The training platform's export: one row per teacher with the hours it certified.


@dataclass(frozen=True)
class HoursRow:
    line: int
    name: str
    school: str
    hours: float | None  # None when the cell is not a number
    problem: str = ""  # an i18n key when the row cannot be booked


_HEADERS = {
    "name": ("姓名", "学员姓名", "教师姓名", "名字", "name"),
    "school": ("学校", "单位", "学校名称", "所在学校", "工作单位", "school"),
    "hours": ("学时", "线上学时", "认定学时", "获得学时", "总学时", "网络研修学时", "hours"),
}
_TITLE_ROWS = 10
MAX_ROWS = 5000
MAX_HOURS = 500


def _header_key(text: str) -> str:
    return re.sub(r"[\s（）()：:*]", "", normalize(text)).lower()


_FIELD = {_header_key(alias): field for field, aliases in _HEADERS.items() for alias in aliases}


def _number(value: object) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if math.isfinite(value) else None
    text = clean_cell(value).replace("学时", "").strip()
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def read_hours_export(content: bytes, file_name: str) -> list[HoursRow]:
    """Rows of a CSV, XLSX or XLS export with 姓名, 学校 (optional) and 学时; title rows above the header
    are skipped. Raises RosterFileError (same keys as the roster) when the file is unusable."""
    table = read_table(content, file_name)
    try:
        return _rows(table)
    finally:
        table.close()


def _rows(table: Iterable[Sequence[object]]) -> list[HoursRow]:
    columns: dict[str, int] | None = None
    rows: list[HoursRow] = []
    for line, cells in enumerate(table, start=1):
        texts = [clean_cell(cell) for cell in cells]
        if columns is None:
            found = {_FIELD[_header_key(t)]: i for i, t in reversed(list(enumerate(texts)))
                     if _header_key(t) in _FIELD}
            if "name" in found and "hours" in found:
                columns = found
            elif line >= _TITLE_ROWS:
                raise RosterFileError("hours_import_columns")
            continue
        if not any(texts):
            continue
        if len(rows) >= MAX_ROWS:
            raise RosterFileError("roster_too_many", max_rows=MAX_ROWS)

        def cell(field: str) -> object:
            index = columns.get(field)
            return cells[index] if index is not None and index < len(cells) else ""

        name, school, hours = clean_cell(cell("name")), clean_cell(cell("school")), _number(cell("hours"))
        problem = ""
        if not name:
            problem = "hours_row_no_name"
        elif hours is None or not 0 <= hours <= MAX_HOURS:
            problem = "hours_row_bad_hours"
        rows.append(HoursRow(line, name, school, hours, problem))
    if columns is None:
        raise RosterFileError("hours_import_columns")
    return rows


@dataclass(frozen=True)
class Person:
    """A rostered teacher as the import planner sees them."""

    id: int
    name: str
    school: str


@dataclass(frozen=True)
class HoursPlanRow:
    row: HoursRow
    member_id: int | None
    problem: str  # "" when it will be booked
    change: float = 0.0  # hours added to what this teacher already has from the platform


def plan_hours_import(rows: Sequence[HoursRow], people: Sequence[Person],
                      booked: Mapping[int, float]) -> list[HoursPlanRow]:
    """Match each row to one teacher (name, then school when the name is shared) and say what booking
    it would change. The export holds each teacher's total so far, so a row books the difference to
    what earlier imports booked (`booked`, by member id); re-importing the same file changes nothing."""
    by_name: dict[str, list[Person]] = {}
    for person in people:
        by_name.setdefault(normalize(person.name), []).append(person)
    seen: set[int] = set()
    plans = []
    for row in rows:
        if row.problem:
            plans.append(HoursPlanRow(row, None, row.problem))
            continue
        matches = by_name.get(normalize(row.name), [])
        if row.school and len(matches) > 1:
            matches = [p for p in matches if normalize(p.school) == normalize(row.school)]
        if not matches:
            plans.append(HoursPlanRow(row, None, "hours_row_unknown"))
        elif len(matches) > 1:
            plans.append(HoursPlanRow(row, None, "hours_row_ambiguous"))
        elif matches[0].id in seen:
            plans.append(HoursPlanRow(row, matches[0].id, "hours_row_duplicate"))
        else:
            seen.add(matches[0].id)
            change = round((row.hours or 0) - booked.get(matches[0].id, 0.0), 2)
            plans.append(HoursPlanRow(row, matches[0].id, "", change))
    return plans
