"""Rules for teachers' written records: kinds, lengths, quotas per period, and which periods are open.

Reflections and teaching cases are counted per month, observations per semester (numbers from the
policy). A record can be withdrawn or deleted only while its period is still open: a closed
period is frozen for assessment.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from bot.domain.checkins import month_bounds
from bot.domain.policy import Records, Semester
from bot.domain.quotas import week_of


class RecordKind(str, enum.Enum):
    REFLECTION = "reflection"
    CASE = "case"
    OBSERVATION = "observation"

    @property
    def monthly(self) -> bool:
        return self is not RecordKind.OBSERVATION


LABELS = {
    RecordKind.REFLECTION: "教学反思",
    RecordKind.CASE: "教学案例",
    RecordKind.OBSERVATION: "听课记录",
}


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    label: str

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last


def period_of(kind: RecordKind, day: date, semester: Semester) -> Period:
    """The assessment period a record written on `day` counts toward."""
    if kind.monthly:
        first, last = month_bounds(day)
        return Period(first, last, f"{day.month}月")
    return Period(semester.start, semester.end, "本学期")


def required(kind: RecordKind, rules: Records) -> int:
    return {
        RecordKind.REFLECTION: rules.reflections_per_month,
        RecordKind.CASE: rules.cases_per_month,
        RecordKind.OBSERVATION: rules.observations_per_semester,
    }[kind]


def min_chars(kind: RecordKind, rules: Records) -> int:
    return {
        RecordKind.REFLECTION: rules.reflection_min_chars,
        RecordKind.CASE: rules.case_min_chars,
        RecordKind.OBSERVATION: rules.observation_min_chars,
    }[kind]


def length_problem(kind: RecordKind, text: str, rules: Records, has_attachment: bool) -> tuple[str, int] | None:
    """(i18n key, limit) when the text cannot be stored; a photo or file stands in for the text."""
    length = len(text.strip())
    if length > rules.max_chars:
        return "record_too_long", rules.max_chars
    shortest = min_chars(kind, rules)
    if not has_attachment and length < shortest:
        return "record_too_short", shortest
    return None


def is_open(kind: RecordKind, written_on: date, today: date, semester: Semester) -> bool:
    """Whether a record may still be changed: its period must be the one `today` is in."""
    return period_of(kind, written_on, semester).contains(today)


@dataclass(frozen=True)
class Progress:
    kind: RecordKind
    done: int
    required: int
    period: Period

    @property
    def missing(self) -> int:
        return max(self.required - self.done, 0)


def progress(kind: RecordKind, days: list[date], today: date, rules: Records, semester: Semester) -> Progress:
    """How many records of `kind` (written on `days`) count toward the period that holds `today`."""
    period = period_of(kind, today, semester)
    return Progress(kind, sum(1 for day in days if period.contains(day)), required(kind, rules), period)


def weekly_progress(kind: RecordKind, days: list[date], today: date, rules: Records) -> Progress | None:
    """This week's count against a weekly quota (seed 001: 每周一篇反思); None when there is none."""
    per_week = {RecordKind.REFLECTION: rules.reflections_per_week, RecordKind.CASE: rules.cases_per_week}.get(kind, 0)
    if per_week <= 0:
        return None
    span = week_of(today)
    week = Period(span.first, span.last, "本周")
    return Progress(kind, sum(1 for day in days if week.contains(day)), per_week, week)


@dataclass(frozen=True)
class RecordEntry:
    """A stored record as the teacher sees it in /mine and the training file."""

    id: int
    kind: RecordKind
    day: date
    title: str
    body: str
    attachments: tuple[dict, ...] = ()
    observed_name: str = ""
    observed_on: date | None = None
    class_subject: str = ""
