"""Reading a group's exported chat history (QQ's .txt export, WeChat/WeCom text exports) and finding
the check-ins and records in it, so a program that starts mid-semester gets its first months right.

Pure: text in, messages and backfill items out. Matching senders to the roster is the service's job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.records import RecordKind
from bot.domain.understanding import Intent, understand

_DATE = r"(?P<date>\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)"
_TIME = r"(?P<time>\d{1,2}:\d{2}(?::\d{2})?)"
_HEADERS = (
    # QQ: 2026-11-23 8:01:12 王芳(123456789)  /  2026-11-23 8:01:12 【群主】王芳<wf@example.com>
    re.compile(rf"^{_DATE}\s+{_TIME}\s+(?P<sender>.+?)\s*(?:\(\d{{5,12}}\)|<[^<>\s]+>)?\s*$"),
    # WeChat / WeCom: 王芳 2026-11-23 08:01(:12)  /  王芳  2026/11/23 08:01
    re.compile(rf"^(?P<sender>\S.{{0,30}}?)\s+{_DATE}\s+{_TIME}\s*$"),
)
_TAGS = re.compile(r"^(?:【[^】]{1,8}】|\[[^\]]{1,8}\])+")
_SYSTEM = re.compile(r"撤回了一条消息|加入了群聊|退出了群聊|邀请.*加入|修改群名|^\[(?:图片|表情|语音|视频|文件)\]$")


@dataclass(frozen=True)
class ExportedMessage:
    sent_at: datetime
    """Local time, as the export writes it (naive)."""
    sender: str
    text: str


@dataclass(frozen=True)
class BackfillItem:
    """One thing the history says a teacher did: a check-in, or a record with its text."""

    sender: str
    day: date
    sent_at: datetime
    kind: str
    """"checkin", "hours" or a RecordKind value."""
    title: str = ""
    body: str = ""
    teacher: str = ""
    class_subject: str = ""
    observed_on: date | None = None
    topic: str = ""
    ordinal: int = 0
    """The message's position in the export (a spreadsheet's row number): with the export's
    fingerprint, it makes re-imports idempotent."""
    hours: float = 0
    """For kind "hours" (a spreadsheet row of 学时): how many, and in which ledger category."""
    category: str = ""
    school: str = ""
    """The school a spreadsheet row names, to tell namesakes apart ("" = any)."""
    key: str = ""
    """A spreadsheet row's own fingerprint (its content, and which repeat of that content it is): a
    corrected file sent again adds only the rows that were fixed, whatever their row numbers now."""


def _header(line: str) -> tuple[datetime, str] | None:
    for pattern in _HEADERS:
        found = pattern.match(line.strip())
        if found is None:
            continue
        day = re.sub(r"[年月/.]", "-", found["date"]).rstrip("日")
        clock = found["time"] if found["time"].count(":") == 2 else found["time"] + ":00"
        try:
            moment = datetime.strptime(f"{day} {clock}", "%Y-%m-%d %H:%M:%S")
        except ValueError:
            continue
        sender = _TAGS.sub("", found["sender"]).strip()
        if sender:
            return moment, sender
    return None


def parse_export(text: str) -> list[ExportedMessage]:
    """The messages of an export, oldest first; lines before the first message header are ignored."""
    messages: list[ExportedMessage] = []
    current: tuple[datetime, str] | None = None
    body: list[str] = []

    def close() -> None:
        if current is not None:
            content = "\n".join(body).strip()
            if content and not _SYSTEM.search(content):
                messages.append(ExportedMessage(current[0], current[1], content))

    for line in text.replace("\r\n", "\n").replace("\ufeff", "").split("\n"):
        header = _header(line)
        if header is not None:
            close()
            current, body = header, []
        elif current is not None:
            body.append(line)
    close()
    return messages


def backfill(messages: Iterable[ExportedMessage]) -> list[BackfillItem]:
    """The check-ins and records the messages hold, read as the bot reads a live post.

    A 接龙 counts for the sender only when her own line is in it; the service checks that against
    the roster name, so here a relay is kept as a check-in candidate with its lines in `body`.
    """
    items = []
    for ordinal, message in enumerate(messages):
        day = message.sent_at.date()
        understood = understand(message.text, day)
        common = dict(sender=message.sender, day=day, sent_at=message.sent_at, ordinal=ordinal)
        if understood.intent is Intent.CHECKIN:
            items.append(BackfillItem(kind="checkin", body=understood.name, **common))
        elif understood.intent is Intent.RELAY and understood.relay is not None:
            lines = "\n".join(entry.text for entry in understood.relay.entries)
            items.append(BackfillItem(kind="relay", body=lines, **common))
        elif understood.intent is Intent.RECORD and understood.kind is not None:
            items.append(BackfillItem(kind=understood.kind.value, title=understood.title, body=understood.body,
                                      **common))
        elif understood.intent is Intent.OBSERVATION and understood.observation is not None:
            draft = understood.observation
            items.append(BackfillItem(
                kind=RecordKind.OBSERVATION.value, title=draft.topic, body=draft.notes, teacher=draft.teacher,
                class_subject=draft.class_subject, observed_on=draft.observed_on or day, topic=draft.topic,
                **common,
            ))
    return items


def sender_matches(sender: str, name: str) -> bool:
    """QQ and WeChat show group nicknames: 紫阳二小-王芳, 王芳老师, 王芳（语文）all name 王芳."""
    return bool(name) and (sender == name or name in sender)
