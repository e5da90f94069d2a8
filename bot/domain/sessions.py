"""Online study sessions (网络研讨): whether one counts, and whether a semester has enough of them.

The program asks a base school and its partner schools for a session at least once a month and
at least three times a semester, hosted by a backbone teacher of the base school, lasting at least
30 minutes, with at least 5 participants from each participating school. Someone who drops in
for a few minutes is not a participant: a member counts only when present for a share of the
session (half by default). Their minutes are still recorded, since hours credit uses them.

Everything here is pure. Datetimes are timezone-aware; where days and months matter the caller
passes local (program-zone) dates.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import chinese_calendar

from bot.domain.checkins import month_bounds

_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionRules:
    min_minutes: int = 30
    min_per_school: int = 5
    min_presence_share: float = 0.5


@dataclass(frozen=True)
class Presence:
    """One stretch of a member being in the session (arrive..leave); leave None = stayed to the end."""

    member_id: int
    school_id: int
    arrived: datetime
    left: datetime | None = None


def _attended(presences: Sequence[Presence], start: datetime, end: datetime) -> timedelta:
    """Union of the stretches inside [start, end]: someone who rejoins is not counted twice."""
    stretches = sorted((max(p.arrived, start), min(p.left or end, end)) for p in presences)
    total = timedelta(0)
    cursor = start
    for arrived, left in stretches:
        arrived = max(arrived, cursor)
        if left > arrived:
            total += left - arrived
            cursor = left
    return total


def attended_minutes(presences: Sequence[Presence], start: datetime, end: datetime) -> float:
    """Minutes of the union of the stretches clipped to [start, end]; overlaps count once."""
    return _attended(presences, start, end).total_seconds() / 60


@dataclass(frozen=True)
class SchoolCount:
    school_id: int
    present: int  # distinct members of that school who count (present ≥ share of the session)
    required: int


@dataclass(frozen=True)
class Problem:
    code: str  # "too_short" | "host_absent" | "too_few" | "no_schools"
    school_id: int | None = None
    have: int = 0  # too_short: actual minutes; too_few: counted members
    need: int = 0  # too_short: min minutes; too_few: required per school


@dataclass(frozen=True)
class Verdict:
    valid: bool
    minutes: int  # actual length in whole minutes (floor)
    host_present: bool
    schools: tuple[SchoolCount, ...]  # in the order of school_ids given
    problems: tuple[Problem, ...]  # empty iff valid
    attended: dict[int, int]  # member_id → whole minutes attended, for everyone with presences
    counted: frozenset[int]  # members who count toward the per-school minimum


def evaluate(
    start: datetime,
    end: datetime,
    host_id: int,
    school_ids: Sequence[int],
    presences: Sequence[Presence],
    rules: SessionRules,
) -> Verdict:
    """Judge a finished session against the rules.

    A member is present when attending at least `min_presence_share` of the session; the host
    must be present by the same rule and counts toward their own school. A session with no length
    (end ≤ start) has nobody present in it. Repeated school ids are judged once.
    """
    length = max(end - start, timedelta(0))
    threshold = length * rules.min_presence_share
    by_member: dict[int, list[Presence]] = {}
    for presence in presences:
        by_member.setdefault(presence.member_id, []).append(presence)

    attended: dict[int, int] = {}
    present: set[int] = set()
    for member_id, stretches in by_member.items():
        time_in = _attended(stretches, start, end)
        attended[member_id] = time_in // _MINUTE
        if time_in > timedelta(0) and time_in >= threshold:
            present.add(member_id)

    school_of = {member_id: stretches[0].school_id for member_id, stretches in by_member.items()}
    schools = tuple(dict.fromkeys(school_ids))
    counted = frozenset(m for m in present if school_of[m] in schools)
    counts = tuple(
        SchoolCount(school, sum(1 for m in counted if school_of[m] == school), rules.min_per_school)
        for school in schools
    )

    minutes = length // _MINUTE
    host_present = host_id in present
    problems: list[Problem] = []
    if length < timedelta(minutes=rules.min_minutes):
        problems.append(Problem("too_short", have=minutes, need=rules.min_minutes))
    if not host_present:
        problems.append(Problem("host_absent"))
    if not schools:
        problems.append(Problem("no_schools"))
    problems.extend(
        Problem("too_few", count.school_id, count.present, count.required)
        for count in counts
        if count.present < count.required
    )
    return Verdict(not problems, minutes, host_present, counts, tuple(problems), attended, counted)


@dataclass(frozen=True)
class HeldSession:
    day: date  # local start date
    valid: bool | None  # None = scheduled / not yet evaluated (cancelled sessions are not passed in)


@dataclass(frozen=True)
class MonthCompliance:
    year: int
    month: int
    valid: int  # valid sessions that month
    pending: int  # scheduled, not yet evaluated
    required: int  # per_month, or 0 for a month entirely inside breaks
    status: str  # "ok" | "missed" | "at_risk" | "planned" | "upcoming"


@dataclass(frozen=True)
class SemesterCompliance:
    months: tuple[MonthCompliance, ...]
    valid: int
    pending: int
    required: int  # per_semester
    status: str  # "ok" | "missed" | "at_risk" | "planned"


def _in_breaks(day: date, breaks: Sequence[tuple[date, date]]) -> bool:
    return any(first <= day <= last for first, last in breaks)


def _months(first: date, last: date) -> list[tuple[date, date]]:
    """The in-semester part of every calendar month that overlaps [first, last]."""
    spans = []
    cursor = first
    while cursor <= last:
        _, month_end = month_bounds(cursor)
        spans.append((cursor, min(month_end, last)))
        cursor = month_end + timedelta(days=1)
    return spans


def _month_status(valid: int, pending: int, required: int, first: date, last: date, today: date) -> str:
    if valid >= required:
        return "ok"
    if today > last:
        return "missed"
    if valid + pending >= required:
        return "planned"
    return "at_risk" if today >= first else "upcoming"


def compliance(
    sessions: Sequence[HeldSession],
    *,
    semester_start: date,
    semester_end: date,
    breaks: Sequence[tuple[date, date]],
    today: date,
    per_month: int,
    per_semester: int,
) -> SemesterCompliance:
    """Month-by-month and whole-semester standing of the session quota as of `today`.

    A month whose in-semester days all fall inside breaks requires nothing. A session still
    pending once its month is over does not rescue the month: it has to be evaluated valid.
    Before the semester starts, an unplanned month is "upcoming" and the semester "at_risk".
    """
    months = []
    for first, last in _months(semester_start, semester_end):
        held = [s for s in sessions if first <= s.day <= last]
        valid = sum(1 for s in held if s.valid is True)
        pending = sum(1 for s in held if s.valid is None)
        days = (first + timedelta(days=offset) for offset in range((last - first).days + 1))
        required = 0 if all(_in_breaks(day, breaks) for day in days) else per_month
        status = _month_status(valid, pending, required, first, last, today)
        months.append(MonthCompliance(first.year, first.month, valid, pending, required, status))

    valid = sum(m.valid for m in months)
    pending = sum(m.pending for m in months)
    if valid >= per_semester:
        status = "ok"
    elif today > semester_end:
        status = "missed"
    elif valid + pending >= per_semester:
        status = "planned"
    else:
        status = "at_risk"
    return SemesterCompliance(tuple(months), valid, pending, per_semester, status)


def month_needs_warning(today: date, sessions: Sequence[HeldSession], *, warn_day: int, per_month: int) -> bool:
    """On or after `warn_day` of a month, True when that month's valid + pending sessions are fewer than per_month.

    Sessions judged invalid do not count: the month still needs a proper one.
    """
    if today.day < warn_day:
        return False
    first, last = month_bounds(today)
    planned = sum(1 for s in sessions if first <= s.day <= last and s.valid is not False)
    return planned < per_month


_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def _holiday_name(day: date) -> str | None:
    """Chinese name of the public holiday on `day`; None on working days (调休 included) and plain weekends."""
    try:
        off, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:  # a year the installed calendar does not know
        return None
    if not off:
        return None
    if name:
        return _HOLIDAY_NAMES.get(name, name)
    return "法定节假日" if day.weekday() < 5 else None


def schedule_warnings(
    day: date, *, semester_start: date, semester_end: date, breaks: Sequence[tuple[date, date]]
) -> tuple[tuple[str, str], ...]:
    """Reasons to double-check a planned session day: ("holiday", 国庆节…), ("break", ""), ("outside_semester", "").

    Ordinary weekends give no warning: sessions are often held on them.
    """
    warnings: list[tuple[str, str]] = []
    if name := _holiday_name(day):
        warnings.append(("holiday", name))
    if _in_breaks(day, breaks):
        warnings.append(("break", ""))
    if not semester_start <= day <= semester_end:
        warnings.append(("outside_semester", ""))
    return tuple(warnings)


@dataclass(frozen=True)
class WriterCandidate:
    member_id: int
    summaries_written: int  # in earlier sessions
    minutes_attended: int


def pick_summary_writer(candidates: Sequence[WriterCandidate]) -> int | None:
    """Rotate the summary fairly: fewest written so far, then who attended longest, then lowest id."""
    if not candidates:
        return None
    chosen = min(candidates, key=lambda c: (c.summaries_written, -c.minutes_attended, c.member_id))
    return chosen.member_id


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_AMOUNT = r"[0-9]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百千]+"
_DURATION = re.compile(
    rf"(?:(?P<hours>{_AMOUNT})个?(?P<half>半)?个?(?:小时|钟头|hours|hour|hrs|hr|h)(?P<half_after>半)?"
    r"|(?P<half_hour>半)个?(?:小时|钟头))?"
    rf"(?:(?P<minutes>{_AMOUNT})(?:分钟|分|minutes|minute|mins|min|m)?)?"
)


def _chinese_number(text: str) -> int | None:
    """一百二十 → 120, 四十五 → 45, 一百二 → 120 (the colloquial short form); None if malformed."""
    total, digit, last_unit, after_zero = 0, None, 10_000, False
    for char in text:
        if char in _CN_UNITS:
            unit = _CN_UNITS[char]
            if unit >= last_unit or (digit is None and (total or unit != 10)):
                return None
            total += (1 if digit is None else digit) * unit
            digit, last_unit, after_zero = None, unit, False
        elif _CN_DIGITS[char] == 0:
            if digit is not None:
                return None
            after_zero = True
        elif digit is not None:
            return None
        else:
            digit = _CN_DIGITS[char]
    if digit is not None:
        total += digit * (last_unit // 10 if last_unit >= 100 and not after_zero and total else 1)
    return total


def _amount(text: str | None, *, fractional: bool) -> float | None:
    if not text:
        return 0
    if text[0].isdigit():
        if "." in text and not fractional:
            return None
        return float(text)
    return _chinese_number(text)


def parse_minutes(text: str) -> int | None:
    """Planned length as typed: "90", "90分钟", "1.5小时", "1小时30分", "一个半小时", "45min".

    None if not understood, not positive, or longer than a day.
    """
    compact = "".join(unicodedata.normalize("NFKC", text).lower().split())
    match = _DURATION.fullmatch(compact)
    if not compact or match is None or (match["half"] and match["half_after"]):
        return None
    hours = _amount(match["hours"], fractional=True)
    minutes = _amount(match["minutes"], fractional=False)
    if hours is None or minutes is None:
        return None
    halves = bool(match["half"] or match["half_after"] or match["half_hour"])
    total = round(hours * 60 + 30 * halves + minutes)
    return total if 0 < total <= 24 * 60 else None


def reminder_lateness(lead_minutes: int, grace_minutes: int) -> int:
    """How many minutes late a reminder may still go out: never more than a quarter of its lead, so
    "in 1 hour" is not sent three minutes before the start (and "starting now" at most 10 minutes late)."""
    return min(grace_minutes, max(lead_minutes // 4, 10))
