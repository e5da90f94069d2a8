"""Reading records out of what teachers actually write: 反思：…, 【教学案例】《…》…, 听课记录：…

Pure functions from text to drafts; the handlers decide what to store.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from bot.domain.text import split_args
from bot.domain.dates import find_date_prefix, parse_date
from bot.domain.records import RecordKind

_KEYWORD = re.compile(
    r"^(?:[#＃]\s*|【\s*)?(?:本月|本周|这周|这个月|今日|今天)?(?:的)?(?:教学)?(?P<kw>反思|案例)"
    r"(?:\s*】)?(?:$|[\s:：,，。]+|(?=《))(?P<rest>.*)$",
    re.DOTALL,
)
_KINDS = {"反思": RecordKind.REFLECTION, "案例": RecordKind.CASE}
_TITLE = re.compile(r"《(?P<title>[^《》\n]{1,60})》")
_OBSERVATION_PREFIX = re.compile(
    r"^(?:[#＃]\s*|【\s*)?(?:听课记录|观课记录|观课议课|听课|观课)(?:\s*】)?[\s:：]*"
)
_OBSERVATION_BODY = re.compile(
    r"^听了?\s*(?P<teacher>[\u4e00-\u9fffA-Za-z·]{1,8}?)老师(?:的)?(?P<class>[^《\n]{0,20}?)课?"
    r"《(?P<topic>[^《》\n]{1,60})》[\s,，。:：]*(?P<notes>.*)$",
    re.DOTALL,
)


@dataclass(frozen=True)
class RecordText:
    kind: RecordKind
    title: str
    body: str


@dataclass(frozen=True)
class ObservationDraft:
    teacher: str
    observed_on: date | None
    class_subject: str
    topic: str
    notes: str


def parse_record_text(text: str) -> RecordText | None:
    """A reflection or teaching case written as 反思：… / #反思 … / 【教学案例】《…》…; None for chatter."""
    found = _KEYWORD.match(text.strip())
    if found is None:
        return None
    body = found["rest"].strip()
    return RecordText(_KINDS[found["kw"]], title_of(body), body)


def title_of(body: str) -> str:
    """The lesson named in 《…》 near the start of a text, if any."""
    found = _TITLE.search(body[:80])
    return found["title"].strip() if found else ""


def parse_observation_text(text: str, today: date) -> ObservationDraft | None:
    """听课记录：11月20日 听李明老师三年级数学《分数的初步认识》… or 今天听了赵老师的语文课《秋天的雨》，…"""
    stripped = text.strip()
    prefix = _OBSERVATION_PREFIX.match(stripped)
    rest = stripped[prefix.end():] if prefix else stripped
    observed_on = None
    dated = find_date_prefix(rest, today)
    if dated is not None:
        observed_on, rest = dated[0], _original_tail(rest, dated[1])
    if prefix is None and observed_on is None and not rest.startswith("听"):
        return None
    found = _OBSERVATION_BODY.match(rest.strip())
    if found is None:
        return None
    return ObservationDraft(
        teacher=found["teacher"],
        observed_on=observed_on,
        class_subject=found["class"].strip(" 的，,"),
        topic=found["topic"].strip(),
        notes=found["notes"].strip(),
    )


def parse_observation_fields(args: str, today: date) -> ObservationDraft | None:
    """`李明 | 三年级数学 | 分数的初步认识 | 评价`, optionally with a date second: `李明 | 11月20日 | …`."""
    fields = split_args(args) if "|" in args.replace("｜", "|") else []
    observed_on = None
    if len(fields) == 5:
        observed_on = parse_date(fields[1], today)
        if observed_on is None:
            return None
        del fields[1]
    if len(fields) != 4 or not all(fields[:3]):
        return None
    teacher, class_subject, topic, notes = fields
    return ObservationDraft(
        teacher=clean_teacher_name(teacher),
        observed_on=observed_on,
        class_subject=class_subject,
        topic=topic.strip("《》 "),
        notes=notes,
    )


def _original_tail(original: str, normalized_tail: str) -> str:
    """The end of `original` that reads as `normalized_tail`, keeping the teacher's own punctuation."""
    candidate = original[len(original) - len(normalized_tail):] if normalized_tail else ""
    return candidate if unicodedata.normalize("NFKC", candidate) == normalized_tail else normalized_tail


def clean_teacher_name(name: str) -> str:
    name = name.strip()
    return name[: -len("老师")].strip() if name.endswith("老师") and len(name) > 2 else name
