"""Reading a program office's roster spreadsheet and planning its import: pure (bytes and
stored people in, a plan out) so the dry run a coordinator sees is exactly what is applied."""

from __future__ import annotations

import csv
import enum
import io
import math
import re
import unicodedata
from collections.abc import Collection, Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import PurePath

from bot.domain.identity import ACCOUNT_PLATFORMS, account_handle
from bot.domain.partnerships import BASE, PARTNER_ROLES
from bot.domain.people import name_problem, school_problem
from bot.domain.roles import PRIVILEGED_ROLES, TEACHER, person_role


class RosterFileError(Exception):
    """The file as a whole cannot be imported; key is an i18n key, values its format fields."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key, self.values = key, values


@dataclass(frozen=True)
class RosterRow:
    line: int  # the row number a spreadsheet program shows, so coordinators can find it
    name: str = ""
    school: str = ""
    subject: str = ""
    workshop: str = ""
    group: str = ""
    roles: str = ""  # raw text of the role cell, e.g. "组长、导师"
    phone: str = ""
    staff_no: str = ""
    telegram: str = ""  # accounts per platform: such a row links on that account's first message
    qq: str = ""
    wecom: str = ""
    dingtalk: str = ""
    base: str = ""  # the 基地校 of the row's school, for a 引领校/帮扶校 (a partnership, 培育站)


ACCOUNT_FIELDS = tuple(ACCOUNT_PLATFORMS)
_TEXT_FIELDS = ("name", "school", "subject", "workshop", "group", "roles", "phone", "staff_no", *ACCOUNT_FIELDS, "base")
_REQUIRED = {"name": "姓名", "school": "学校"}
_ALIASES = {
    "name": ("姓名", "名字", "教师姓名", "name"),
    "school": ("学校", "单位", "学校名称", "所在学校", "school"),
    "subject": ("学科", "任教学科", "subject"),
    "workshop": ("工作坊", "坊", "workshop"),
    "group": ("小组", "学习小组", "研修小组", "组", "group"),
    "roles": ("角色", "身份", "职务", "role", "roles"),
    "phone": ("手机", "手机号", "手机号码", "电话", "联系电话", "phone", "mobile"),
    "staff_no": ("工号", "教师编号", "编号", "staff_no", "staff number", "staff id"),
    "telegram": ("telegram", "tg", "telegram id", "telegram账号"),
    "qq": ("qq", "qq号", "qq号码"),
    "wecom": ("企业微信", "企业微信账号", "企业微信userid", "企微", "wecom"),
    "dingtalk": ("钉钉", "钉钉账号", "钉钉userid", "dingtalk"),
    "base": ("基地校", "所属基地校", "基地学校", "base school"),
}
_DELIMITERS = ",\t;"
_SNIFF_CHARS = 8192


def clean_cell(value: object) -> str:
    """One spelling per value: full-width forms folded, whitespace runs collapsed, and
    numbers as typed (spreadsheets store 13800138000 as the float 13800138000.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value):
        value = int(value) if value.is_integer() else format(Decimal(repr(value)), "f")
    return " ".join(unicodedata.normalize("NFKC", str(value)).split())


def header_key(text: str) -> str:
    """Templates mark required columns as 姓名* or 姓名（必填）; both mean 姓名."""
    key = "".join(unicodedata.normalize("NFKC", text).split()).lower()
    while True:
        shorter = key.strip("*").removesuffix("(必填)")
        if shorter == key:
            return key
        key = shorter


_FIELD_BY_HEADER = {header_key(alias): name for name, aliases in _ALIASES.items() for alias in aliases}


_CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                   "八": 8, "九": 9}
_NUMBER_RUN = re.compile(r"[0-9]+|[零〇一二两三四五六七八九十百]+")


def _chinese_number(text: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20, 一百零五 → 105, 二〇二六 → 2026 (digit by digit)."""
    if "十" not in text and "百" not in text:
        return int("".join(str(_CHINESE_DIGITS[ch]) for ch in text))
    total, digit = 0, 0
    for ch in text:
        if ch == "百":
            total, digit = total + (digit or 1) * 100, 0
        elif ch == "十":
            total, digit = total + (digit or 1) * 10, 0
        else:
            digit = _CHINESE_DIGITS[ch]
    return total + digit


def natural_key(name: str) -> tuple:
    """Sort key that orders 第二小学 before 第十小学 and 2班 before 10班 (numbers by value, in Arabic
    or Chinese numerals); the rest of the text compares as written."""
    parts: list[tuple[int, str | int]] = []
    position = 0
    for found in _NUMBER_RUN.finditer(name):
        if found.start() > position:
            parts.append((0, name[position:found.start()]))
        run = found.group()
        parts.append((1, int(run) if run.isdigit() else _chinese_number(run)))
        position = found.end()
    if position < len(name):
        parts.append((0, name[position:]))
    return (tuple(parts), name)


def read_table(content: bytes, file_name: str) -> Generator[Sequence[object], None, None]:
    """The first sheet's rows, as cells: CSV (.csv/.txt), XLSX (.xlsx) or the older Excel format
    (.xls) by the file name's extension. Shared by every spreadsheet import; close it when done."""
    suffix = PurePath(file_name).suffix.lower()
    if suffix in (".csv", ".txt"):
        table: Generator[Sequence[object], None, None] = _csv_rows(content)
    elif suffix == ".xlsx":
        table = _xlsx_rows(content)
    elif suffix == ".xls":
        table = _xls_rows(content)
    else:
        raise RosterFileError("roster_bad_type", file_name=file_name)
    if not content:
        raise RosterFileError("roster_empty")
    return table


def read_roster(content: bytes, file_name: str, *, max_rows: int = 5000) -> list[RosterRow]:
    """CSV (.csv/.txt), XLSX (.xlsx) or the older Excel format (.xls) by the file name's extension."""
    table = read_table(content, file_name)
    with closing(table):  # the workbook is closed even when a later row is refused
        return _roster(table, max_rows)


#: Rows above the header that may hold a title (紫阳县2026年骨干教师名单), a date or a note.
TITLE_ROWS = 10


def _roster(table: Iterable[Sequence[object]], max_rows: int) -> list[RosterRow]:
    columns: dict[int, str] | None = None
    roster: list[RosterRow] = []
    first_header: list[str] | None = None
    skipped = 0
    for line, cells in enumerate(table, start=1):
        if columns is None:
            header = [clean_cell(cell) for cell in cells]
            if not any(header):
                continue
            first_header = first_header or header
            if any(header_key(text) in _FIELD_BY_HEADER for text in header):
                columns = _columns(header)  # names the missing required columns, if any
            elif (skipped := skipped + 1) >= TITLE_ROWS:
                _columns(first_header)  # no header in sight: say which columns are missing
            continue
        values = {name: clean_cell(cells[i]) for i, name in columns.items() if i < len(cells)}
        if not any(values.values()):
            continue
        if len(roster) >= max_rows:
            raise RosterFileError("roster_too_many_rows", max=max_rows)
        roster.append(RosterRow(line=line, **values))
    if columns is None and first_header is not None:
        _columns(first_header)
    if not roster:
        raise RosterFileError("roster_empty")
    return roster


def _columns(header: list[str]) -> dict[int, str]:
    """Column index -> field, from the header row; unknown columns (序号, 备注) are ignored."""
    found: dict[str, int] = {}
    for index, text in enumerate(header):
        if (name := _FIELD_BY_HEADER.get(header_key(text))) in found:
            raise RosterFileError("roster_duplicate_column", column=text)
        if name is not None:
            found[name] = index
    missing = [label for name, label in _REQUIRED.items() if name not in found]
    if missing:
        raise RosterFileError("roster_missing_columns", columns="、".join(missing))
    return {index: name for name, index in found.items()}


def _decode(content: bytes) -> str:
    """Chinese Excel saves CSV in GBK and "Unicode text" in UTF-16, so try those too."""
    encodings = ("utf-16",) if content[:2] in (b"\xff\xfe", b"\xfe\xff") else ()
    for encoding in (*encodings, "utf-8-sig", "utf-8", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:  # a binary file that happens to decode
            return text
    raise RosterFileError("roster_unreadable")


def _delimiter(text: str) -> str:
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:  # ragged rows confuse the sniffer; the header line rarely lies
        first = next((line for line in sample.splitlines() if line.strip()), "")
        best = max(_DELIMITERS, key=first.count)
        return best if first.count(best) > first.count(",") else ","


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    text = _decode(content)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    except csv.Error as exc:
        raise RosterFileError("roster_unreadable") from exc


def _xlsx_rows(content: bytes) -> Iterator[tuple[object, ...]]:
    from openpyxl import load_workbook  # only when a workbook is read: check-in workers never load it

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl fails in many ways on damaged or foreign files
        raise RosterFileError("roster_unreadable") from exc
    try:
        if book.worksheets:
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # some exporters write a wrong size; read what is there
            yield from sheet.iter_rows(min_row=1, values_only=True)  # gaps come back empty
    except Exception as exc:
        raise RosterFileError("roster_unreadable") from exc
    finally:
        book.close()


def _xls_rows(content: bytes) -> Iterator[list[object]]:
    """The Excel 97–2003 format many school offices still save; xlrd reads its first sheet."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=content, on_demand=True)
    except Exception as exc:  # xlrd raises many kinds of errors on damaged or foreign files
        raise RosterFileError("roster_unreadable") from exc
    try:
        if book.nsheets:
            sheet = book.sheet_by_index(0)
            for index in range(sheet.nrows):
                yield sheet.row_values(index)
    finally:
        book.release_resources()


@dataclass(frozen=True)
class ExistingMember:
    id: int
    name: str
    school: str
    subject: str = ""
    workshop: str = ""
    group: str = ""
    roles: frozenset[str] = frozenset()
    phone: str = ""
    staff_no: str = ""
    left: bool = False
    accounts: tuple[tuple[str, str], ...] = ()
    """(roster column field, stored handle) of the accounts the roster already names."""


class Action(str, enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REJECT = "reject"


@dataclass(frozen=True)
class RowPlan:
    """One row's fate. Text fields are the row's cleaned values ("" = keep what is stored; account
    fields hold the stored form of the account, e.g. `@wangfang`);
    roles are the canonical roles the row adds; changes list (field, old, new) for UPDATE."""

    line: int
    action: Action
    name: str
    school: str
    member_id: int | None = None
    subject: str = ""
    workshop: str = ""
    group: str = ""
    roles: frozenset[str] = frozenset()
    phone: str = ""
    staff_no: str = ""
    telegram: str = ""
    qq: str = ""
    wecom: str = ""
    dingtalk: str = ""
    base: str = ""
    changes: tuple[tuple[str, str, str], ...] = ()
    problem: str | None = None
    problem_values: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class RosterPlan:
    rows: tuple[RowPlan, ...]
    new_schools: tuple[str, ...]
    new_workshops: tuple[str, ...]
    new_groups: tuple[str, ...]
    partnerships: tuple[tuple[str, str, str], ...] = ()
    """(school, its 基地校 now or "", the 基地校 the file names) for each school whose 基地校 changes."""

    def count(self, action: Action) -> int:
        return sum(1 for row in self.rows if row.action is action)

    @property
    def applicable(self) -> tuple[RowPlan, ...]:
        return tuple(row for row in self.rows if row.action in (Action.CREATE, Action.UPDATE))


class _Reject(RosterFileError):
    """One row's problem; caught in plan_import and never raised to callers."""


_ROLE_SEPARATORS = re.compile(r"[、,，;；/和\s]+")
_PHONE_NOISE = re.compile(r"[\s()\-]")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"[02-9][0-9]{6,11}")  # Chinese landlines never start with 1
_STAFF_NO = re.compile(r"[A-Za-z0-9_-]{1,30}")
_SUBJECT_MAX = 20
_INVISIBLE = {"Cc", "Cf", "Co", "Cs"}


def _phone(text: str) -> str | None:
    """The digits of a Chinese mobile or landline number, or None if it is not one."""
    digits = _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", text))
    for prefix in ("+86", "0086"):
        digits = digits.removeprefix(prefix)
    if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
        return digits
    return None


def _check(row: RosterRow) -> tuple[RosterRow, dict[str, str]]:
    """The row with its phone normalized and its roles (canonical -> word), or _Reject."""
    if not row.name:
        raise _Reject("roster_missing_name")
    if key := name_problem(row.name):
        raise _Reject(key, name=row.name)
    if not row.school:
        raise _Reject("roster_missing_school")
    if key := school_problem(row.school):
        raise _Reject(key, school=row.school)
    for unit in (row.workshop, row.group):
        if unit and school_problem(unit):
            raise _Reject("roster_bad_unit", unit=unit)
    if len(row.subject) > _SUBJECT_MAX or any(unicodedata.category(ch) in _INVISIBLE for ch in row.subject):
        raise _Reject("roster_bad_subject", subject=row.subject)
    roles: dict[str, str] = {}
    for word in filter(None, _ROLE_SEPARATORS.split(row.roles)):
        role = person_role(word)
        if role is None:
            raise _Reject("roster_bad_role", role=word)
        roles.setdefault(role, word)
    phone = _phone(row.phone) if row.phone else ""
    if phone is None:
        raise _Reject("roster_bad_phone", phone=row.phone)
    if row.staff_no and not _STAFF_NO.fullmatch(row.staff_no):
        raise _Reject("roster_bad_staff_no", staff_no=row.staff_no)
    handles = {}
    for name in ACCOUNT_FIELDS:
        if text := getattr(row, name):
            handle = account_handle(name, text)
            if handle is None:
                raise _Reject("roster_bad_account", column=_ALIASES[name][0], value=text)
            handles[name] = handle
    return replace(row, phone=phone, **handles), roles


class _Existing:
    """Stored members indexed the three ways a row can point at one."""

    def __init__(self, members: Sequence[ExistingMember]) -> None:
        self.by_staff_no: dict[str, ExistingMember] = {}
        self.by_phone: dict[str, ExistingMember] = {}
        self.by_person: dict[tuple[str, str], list[ExistingMember]] = {}
        for member in members:
            if staff_no := clean_cell(member.staff_no):
                self.by_staff_no.setdefault(staff_no, member)
            if phone := _stored_phone(member.phone):
                self.by_phone.setdefault(phone, member)
            self.by_person.setdefault((clean_cell(member.name), clean_cell(member.school)), []).append(member)
        self.by_account = {account: member for member in members for account in member.accounts}

    def match(self, row: RosterRow) -> ExistingMember | None:
        if row.staff_no and (member := self.by_staff_no.get(row.staff_no)):
            if clean_cell(member.name) != row.name:
                raise _Reject("roster_staff_no_taken", staff_no=row.staff_no, other=member.name)
            other = self.by_phone.get(row.phone)
            if other is not None and other.id != member.id:  # the update would steal it
                raise _Reject("roster_phone_taken", phone=row.phone, other=other.name)
            return member
        if row.phone and (member := self.by_phone.get(row.phone)):
            if clean_cell(member.name) != row.name:
                raise _Reject("roster_phone_taken", phone=row.phone, other=member.name)
            return member
        same = self.by_person.get((row.name, row.school), [])
        if len(same) > 1:
            raise _Reject("roster_ambiguous", name=row.name, school=row.school, count=len(same))
        return same[0] if same else None


def _stored_phone(text: str) -> str:
    return (_phone(text) or clean_cell(text)) if text else ""


def _keys(row: RosterRow, member: ExistingMember | None = None) -> list[tuple[str, object]]:
    """What surely makes two rows one person: a staff number, a phone, the member matched."""
    keys: list[tuple[str, object]] = [
        (name, getattr(row, name)) for name in ("staff_no", "phone", *ACCOUNT_FIELDS) if getattr(row, name)]
    return keys + ([("member", member.id)] if member is not None else [])


def _told_apart(row: RosterRow, other: RosterRow) -> bool:
    """Namesakes at one school are two people only if both rows say so by staff number or phone."""
    return any(getattr(row, f) and getattr(other, f) and getattr(row, f) != getattr(other, f)
               for f in ("staff_no", "phone"))


_STORED = {"phone": _stored_phone}  # how a stored value is compared
_ACCOUNT_CHANGE = "account_"


def _plan_row(row: RosterRow, roles: dict[str, str], member: ExistingMember | None,
              may_grant: Collection[str]) -> RowPlan:
    held = member.roles if member is not None else frozenset()
    for role, word in roles.items():
        if role not in held and role not in may_grant:
            raise _Reject("roster_role_not_allowed", role=word)
    named = {name: getattr(row, name) for name in ACCOUNT_FIELDS if getattr(row, name)}
    stored_accounts = dict(member.accounts) if member is not None else {}
    if (named and (held | set(roles)) & PRIVILEGED_ROLES and not PRIVILEGED_ROLES <= set(may_grant)
            and any(stored_accounts.get(name) != handle for name, handle in named.items())):
        raise _Reject("roster_account_privileged")  # naming an account is linking it: admins only here
    fields = _fields(row)
    if member is None:
        return RowPlan(row.line, Action.CREATE, roles=frozenset(roles) or frozenset({TEACHER}), **fields)
    changes = [(name, getattr(member, name) or "", new) for name, new in fields.items()
               if name not in ACCOUNT_FIELDS and name != "base" and new and new != _STORED.get(name, clean_cell)(getattr(member, name))]
    changes += [(f"{_ACCOUNT_CHANGE}{name}", stored_accounts.get(name, ""), handle)
                for name, handle in named.items() if stored_accounts.get(name) != handle]
    if added := frozenset(roles) - held:
        changes.append(("roles", "、".join(sorted(held)), "、".join(sorted(held | added))))
    if member.left:
        changes.append(("rejoin", "", ""))
    action = Action.UPDATE if changes else Action.UNCHANGED
    return RowPlan(row.line, action, member_id=member.id, roles=added, changes=tuple(changes), **fields)


def _fields(row: RosterRow) -> dict[str, str]:
    return {name: getattr(row, name) for name in _TEXT_FIELDS if name != "roles"}


@dataclass(frozen=True)
class KnownSchool:
    """A stored school as the 基地校 column needs it: its role and the 基地校 it names."""

    role: str | None = None
    base: str = ""


class _Bases:
    """The 基地校 column, row by row: one link from a partner to a 基地校, never a chain."""

    def __init__(self, known: Mapping[str, KnownSchool]) -> None:
        self.known = {clean_cell(name): school for name, school in known.items()}
        self.named: dict[str, tuple[str, int]] = {}  # school -> (its 基地校, first line)

    def check(self, row: RosterRow) -> None:
        if not row.base:
            return
        if school_problem(row.base):
            raise _Reject("roster_bad_base", base=row.base)
        if row.base == row.school:
            raise _Reject("roster_base_self", school=row.school)
        school, base = self.known.get(row.school, KnownSchool()), self.known.get(row.base, KnownSchool())
        if school.role == BASE or row.school in {named for named, _line in self.named.values()}:
            raise _Reject("roster_base_of_base", school=row.school)
        if base.role in PARTNER_ROLES or base.base or row.base in self.named:
            raise _Reject("roster_base_not_base", base=row.base)
        earlier = self.named.get(row.school)
        if earlier is not None and earlier[0] != row.base:
            raise _Reject("roster_base_conflict", first=earlier[1], school=row.school, base=earlier[0])

    def add(self, row: RosterRow) -> None:
        if row.base:
            self.named.setdefault(row.school, (row.base, row.line))

    def changes(self) -> tuple[tuple[str, str, str], ...]:
        found = []
        for school, (base, _line) in self.named.items():
            before = self.known.get(school, KnownSchool()).base
            if before != base:
                found.append((school, before, base))
        return tuple(sorted(found, key=lambda change: natural_key(change[0])))


def plan_import(rows: Sequence[RosterRow], existing: Sequence[ExistingMember], *,
                schools: Collection[str], workshops: Collection[str], groups: Collection[str],
                may_grant: Collection[str], known_schools: Mapping[str, KnownSchool] | None = None) -> RosterPlan:
    """Decide row by row, in file order, what importing `rows` would do; never raises on bad rows.
    `known_schools` (name -> role and 基地校) lets the 基地校 column be checked against what is stored."""
    stored = _Existing(existing)
    bases = _Bases(known_schools or {})
    first_line: dict[tuple[str, object], int] = {}  # _keys of planned rows -> the first line
    planned: dict[tuple[str, str], list[RosterRow]] = {}  # (name, school) -> planned rows
    plans: list[RowPlan] = []
    for given in rows:
        row = replace(given, **{name: clean_cell(getattr(given, name)) for name in _TEXT_FIELDS})
        try:
            row, roles = _check(row)
            bases.check(row)
            earlier = [first_line[key] for key in _keys(row) if key in first_line]
            earlier += [other.line for other in planned.get((row.name, row.school), []) if not _told_apart(row, other)]
            if earlier:
                raise _Reject("roster_duplicate_row", first=min(earlier))
            member = stored.match(row)
            for name in ACCOUNT_FIELDS:
                owner = stored.by_account.get((name, getattr(row, name)))
                if getattr(row, name) and owner is not None and (member is None or owner.id != member.id):
                    raise _Reject("roster_account_taken", value=getattr(row, name), other=owner.name)
            if member is not None and ("member", member.id) in first_line:  # matched twice
                raise _Reject("roster_duplicate_row", first=first_line["member", member.id])
            plan = _plan_row(row, roles, member, may_grant)
        except _Reject as reject:
            plans.append(RowPlan(row.line, Action.REJECT, problem=reject.key,
                                 problem_values=reject.values, **_fields(row)))
            continue
        for key in _keys(row, member):
            first_line.setdefault(key, row.line)
        planned.setdefault((row.name, row.school), []).append(row)
        bases.add(row)
        plans.append(plan)
    applied = [plan for plan in plans if plan.action in (Action.CREATE, Action.UPDATE)]
    partnerships = bases.changes()
    named_bases = tuple(base for _school, _before, base in partnerships)
    return RosterPlan(
        rows=tuple(plans),
        new_schools=_new_names(applied, "school", schools, named_bases),
        new_workshops=_new_names(applied, "workshop", workshops),
        new_groups=_new_names(applied, "group", groups),
        partnerships=partnerships,
    )


def _new_names(plans: Iterable[RowPlan], attribute: str, known: Collection[str],
               also: Iterable[str] = ()) -> tuple[str, ...]:
    known_clean = {clean_cell(name) for name in known}
    used = {getattr(plan, attribute) for plan in plans} | set(also)
    return tuple(sorted((name for name in used if name and name not in known_clean), key=natural_key))
