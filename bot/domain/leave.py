"""Leave and exemptions (请假): what teachers write when asking for it, read into a span and a reason.

`/leave 12月3日-12月5日 病假 发烧` or `请假 明天 事假` or `请假：12.8至12.12 外出培训`. The kinds are the
ones schools use; the span accepts the separators teachers type between two dates. Pure: the caller
passes today and stores the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.domain.dates import parse_date
from bot.domain.duty import DateSpan

KINDS: dict[str, tuple[str, ...]] = {
    "sick": ("病假", "生病", "看病", "住院"),
    "maternity": ("产假", "陪产假", "育儿假", "哺乳假"),
    "personal": ("事假", "私事", "家里有事"),
    "official": ("公务外出", "公出", "出差", "外出学习", "外出公干"),
    "training": ("长期培训", "脱产培训", "跟岗培训", "外出培训", "挂职"),
}
LABELS = {"sick": "病假", "maternity": "产假", "personal": "事假", "official": "公务外出", "training": "长期培训"}
MAX_DAYS = 366
_SEPARATOR = re.compile(r"\s*(?:-|－|—|–|~|～|〜|至|到)\s*")


@dataclass(frozen=True)
class LeaveRequest:
    span: DateSpan
    kind: str
    """One of KINDS, "other" when the reason names none."""
    reason: str


class LeaveProblem(ValueError):
    """Why the text is not a leave request; `key` is an i18n key."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def kind_of(reason: str) -> str:
    """The kind named first: in "事假 孩子生病" the teacher chose 事假, the illness is only the why."""
    found = [(reason.find(word), kind) for kind, words in KINDS.items() for word in words if word in reason]
    return min(found)[1] if found else "other"


def parse_leave(text: str, today: date) -> LeaveRequest:
    """The span and reason in `text` (after the command or the word 请假); raises LeaveProblem."""
    body = text.strip().lstrip(":：，, ").strip()
    if not body:
        raise LeaveProblem("leave_usage")
    head, _, rest = body.partition(" ")
    pieces = _SEPARATOR.split(head, maxsplit=1)
    if len(pieces) == 2 and pieces[1]:
        first = parse_date(pieces[0], today)
        second = pieces[1]
        if first is not None and re.fullmatch(r"\d{1,2}[日号號]?", second):
            second = f"{first.year}年{first.month}月{second.rstrip('日号號')}日"  # 12月3日-5日
        last = parse_date(second, today)
    else:
        first = last = parse_date(head, today)
    if first is None or last is None:
        raise LeaveProblem("leave_no_date")
    if last < first:
        raise LeaveProblem("leave_backwards")
    if (last - first).days + 1 > MAX_DAYS:
        raise LeaveProblem("leave_too_long")
    reason = rest.strip()
    if not reason:
        raise LeaveProblem("leave_no_reason")
    return LeaveRequest(DateSpan(first, last), kind_of(reason), reason[:200])
