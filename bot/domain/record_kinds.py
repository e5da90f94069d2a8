"""Posts of the record kinds a program declares in its policy (教学设计, 个人研修计划, 微课例 …).

Reflections, cases and observations are read by bot.domain.understanding; a declared kind is read
only from a post that names it at its head, the way teachers label such work: "教学设计：…",
"【个人研修计划】…", "#微课例 …", "《分数的初步认识》教学设计". Anything else is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bot.domain.policy import RecordKindRule, Semester
from bot.domain.quotas import month_of, week_of
from bot.domain.text import clean_text, normalize

_OPEN = r"(?:[【\[〖［]\s*|#\s*)?"
_CLOSE = r"(?:\s*[】\]〗］#])?"
_SEP = r"(?:\s*[:：]\s*|(?<=[】\]〗］#])\s*|\s+|(?=《)|$)"


@dataclass(frozen=True)
class DeclaredPost:
    kind: RecordKindRule
    title: str
    body: str


def _pattern(words: Sequence[str]) -> re.Pattern[str]:
    alternatives = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    return re.compile(rf"^{_OPEN}(?P<word>{alternatives}){_CLOSE}{_SEP}(?P<rest>.*)$")


def _titled(words: Sequence[str]) -> re.Pattern[str]:
    alternatives = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    return re.compile(rf"^《(?P<title>[^《》]{{1,60}})》\s*[-—·]?\s*(?P<word>{alternatives})\s*[:：]?\s*(?P<rest>.*)$")


class DeclaredReader:
    """Reads posts for a fixed set of declared kinds; patterns are compiled once, and a post whose
    first line holds none of the kinds' words is passed over without a regular expression."""

    def __init__(self, kinds: Sequence[RecordKindRule]) -> None:
        self.by_word = {normalize(word): kind for kind in kinds for word in kind.words}
        self.head = _pattern(list(self.by_word)) if self.by_word else None
        self.titled = _titled(list(self.by_word)) if self.by_word else None

    def read(self, text: str) -> DeclaredPost | None:
        if self.head is None:
            return None
        lines = [line.strip() for line in clean_text(text).strip().splitlines()]
        if not lines or not lines[0]:
            return None
        first = normalize(lines[0])
        if not any(word in first for word in self.by_word):
            return None
        found = self.head.match(first) or self.titled.match(first)
        if found is None:
            return None
        kind = self.by_word[found["word"]]
        rest = _original_tail(lines[0], found["rest"]).strip()
        title = found.groupdict().get("title") or ""
        if title and len(first) == len(lines[0]):  # the title as the teacher wrote it, when it lines up
            written = lines[0][found.start("title"):found.end("title")]
            title = written if normalize(written) == title else title
        body_lines = ([rest] if rest else []) + [line for line in lines[1:] if line]
        if not title and body_lines and body_lines[0].startswith("《") and "》" in body_lines[0]:
            title = body_lines[0][1:body_lines[0].index("》")]
        return DeclaredPost(kind, title.strip()[:200], "\n".join(body_lines).strip())


def _original_tail(original: str, normalized_tail: str) -> str:
    """The end of the teacher's own first line that reads as `normalized_tail`: the text is kept as
    written (full-width punctuation, traditional characters); only the label was read normalised."""
    candidate = original[len(original) - len(normalized_tail):] if normalized_tail else ""
    return candidate if normalize(candidate) == normalized_tail else normalized_tail


def read_declared(text: str, kinds: Sequence[RecordKindRule]) -> DeclaredPost | None:
    """The declared kind this post's first line names, with its title and body; None otherwise."""
    return DeclaredReader(kinds).read(text)


def problem(post: DeclaredPost, has_attachment: bool, max_chars: int) -> tuple[str, dict] | None:
    """(i18n key, values) when the post cannot be kept as it is."""
    if post.kind.attachment_required and not has_attachment:
        return "declared_needs_file", {"name": post.kind.name}
    length = len(post.body)
    if length > max_chars:
        return "declared_too_long", {"name": post.kind.name, "limit": max_chars}
    if not has_attachment and length < max(post.kind.min_chars, 1):
        return "declared_too_short", {"name": post.kind.name, "limit": max(post.kind.min_chars, 1)}
    return None


# Ids. Declared records live in their own table, so a teacher sees them as D12 next to the ordinary
# records' 12: the two can never be confused, and the ordinary ids keep working as before.

PREFIX = "D"
_REF = re.compile(r"^[#＃]?[DdＤｄ](?P<digits>[0-9０-９]{1,9})$")


def ref(record_id: int) -> str:
    """How a declared record's id is shown and typed: D12."""
    return f"{PREFIX}{record_id}"


def declared_id(text: str) -> int | None:
    """The declared record's id in `D12` / `#D12` / `ｄ１２`; None for anything else (such as `12`)."""
    found = _REF.match(text.strip())
    if found is None:
        return None
    return int(found["digits"].translate(str.maketrans("０１２３４５６７８９", "0123456789")))


# Lessons and guidance logs name people and classes in labelled lines, as a lesson record is written:
# "执教：王芳  班级：三(2)班  学科：语文  课题：《秋天的雨》", "学员：李明".

_FIELD = re.compile(
    r"(?P<label>执教教师|执教|授课教师|授课人|上课教师|班级学科|班级|学科|课题|指导对象|学员|徒弟)"
    r"\s*[:：]\s*(?P<value>[^\s,，;；、:：]+(?:\s*[（(][^）)]*[）)])?)")
_TEACHER = ("执教教师", "执教", "授课教师", "授课人", "上课教师")
_ABOUT = ("指导对象", "学员", "徒弟")


@dataclass(frozen=True)
class Facts:
    """What a lesson or a guidance log names besides its text."""

    teacher: str = ""  # whose lesson ("" = the poster's own)
    class_subject: str = ""
    topic: str = ""
    about: str = ""  # the apprentice a guidance log is about


def facts_of(post: DeclaredPost) -> Facts:
    values: dict[str, str] = {}
    for found in _FIELD.finditer(post.body):
        values.setdefault(found["label"], found["value"].strip())

    def first(labels: Sequence[str]) -> str:
        return next((values[label] for label in labels if label in values), "")

    klass, subject = first(("班级学科", "班级")), first(("学科",))
    return Facts(teacher=first(_TEACHER), class_subject=" ".join(p for p in (klass, subject) if p)[:100],
                 topic=first(("课题",)).strip("《》")[:200], about=first(_ABOUT))


@dataclass(frozen=True)
class DeclaredEntry:
    """A declared record as its author sees it in /mine and the training file."""

    id: int
    kind: str
    day: date
    title: str
    body: str
    attachments: tuple[dict, ...] = ()
    class_subject: str = ""
    about_name: str = ""
    posted_by: str = ""
    lesson: bool = False
    verdicts: tuple[tuple[str, str], ...] = ()  # (evaluator, grade)

    @property
    def ref(self) -> str:
        return ref(self.id)


def period_span(kind: RecordKindRule | None, day: date, semester: Semester) -> tuple[date, date]:
    """The quota period a declared record written on `day` counts toward (the semester for a kind
    the policy no longer declares)."""
    if kind is not None and kind.per == "week":
        span = week_of(day)
        return span.first, span.last
    if kind is not None and kind.per == "month":
        span = month_of(day)
        return span.first, span.last
    return semester.start, semester.end


def is_open(kind: RecordKindRule | None, day: date, today: date, semester: Semester) -> bool:
    """Whether its author may still withdraw or change it: its period is the one `today` is in."""
    first, last = period_span(kind, day, semester)
    return first <= today <= last


def owes(kind: RecordKindRule, roles: Collection[str]) -> bool:
    """Whether a member holding `roles` writes this kind and owes its quota."""
    return not kind.authors or bool(set(kind.authors) & set(roles))


def grade_scale(kind: RecordKindRule | None, default: Sequence[str]) -> list[str]:
    return list(kind.scale) if kind is not None and kind.scale else list(default)


def lesson_points(grades: Sequence[str], points: Mapping[str, float]) -> float:
    """What a lesson's grades earn: the best-paid grade it was given (two evaluators saying 优质 are one
    优质 lesson, not two)."""
    earned = [points[grade] for grade in grades if grade in points]
    return max(earned) if earned else 0.0
