"""Run the labelled corpus through the real dispatcher and score what came out.

Each item starts from an empty ledger (check-ins, records, attendance, dialogs wiped), is sent as
王芳 in her school's group, and is judged by what the bot stored and answered — never by asking the
classifier directly — so routing, permissions and services are all part of the measurement.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, select

from bot.kernel.messages import Attachment, AttachmentKind
from storage.models import (
    Attendance, CheckIn, Dialog, HoursLine, OnlineSession, Record, RecordRevision, School, SessionSchool,
)
from tests.support.chat import ChatHarness
from tests.understanding.corpus import ACTIONABLE, COLLEAGUES, LABELS, SCHOOL, SENDER, Item

USER = "u-wangfang"
COMMAND_ROUTES = {"me", "mine", "help", "undo", "myfile", "sessions", "ime_command", "start"}
PHOTO = Attachment(AttachmentKind.PHOTO, "photo-ref", None, "image/jpeg")


class _Routes(logging.Handler):
    """The dispatcher's own log line for each update: (route, outcome)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("update ") and record.args:
            self.seen.append((str(record.args[3]), str(record.args[4])))


@dataclass
class Outcome:
    item: Item
    predicted: str
    replies: list[str]
    right: bool
    why: str = ""


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def per_label(self) -> dict[str, tuple[float, float, int]]:
        """label → (precision, recall, support)."""
        found: dict[str, tuple[float, float, int]] = {}
        for label in LABELS:
            expected = [o for o in self.outcomes if o.item.label == label]
            predicted = [o for o in self.outcomes if o.predicted == label]
            hits = sum(1 for o in expected if o.right)
            hits_predicted = sum(1 for o in predicted if o.right and o.item.label == label)
            recall = hits / len(expected) if expected else 1.0
            precision = hits_predicted / len(predicted) if predicted else 1.0
            found[label] = (precision, recall, len(expected))
        return found

    @property
    def actionable(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.item.label in ACTIONABLE]

    @property
    def actionable_right(self) -> float:
        return sum(o.right for o in self.actionable) / max(len(self.actionable), 1)

    @property
    def chatter_answered(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.item.label == "chatter" and not o.right]

    @property
    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.predicted == "error"]

    def table(self) -> str:
        lines = ["| label | posts | precision | recall |", "|---|---:|---:|---:|"]
        for label, (precision, recall, support) in self.per_label().items():
            lines.append(f"| {label} | {support} | {precision:.1%} | {recall:.1%} |")
        lines.append(
            f"\n{len(self.outcomes)} posts; actionable handled right: {self.actionable_right:.1%} "
            f"({sum(o.right for o in self.actionable)}/{len(self.actionable)}); "
            f"chatter answered: {len(self.chatter_answered)}; internal errors: {len(self.errors)}"
        )
        return "\n".join(lines)

    def misses(self) -> list[str]:
        return [f"[{o.item.label}→{o.predicted}] {o.item.text[:70]!r} {o.why} {o.replies[:1]}"
                for o in self.outcomes if not o.right]


async def prepare(chat: ChatHarness) -> None:
    """王芳 and her colleagues on the roster; her school's group bound to the school."""
    chat.names[USER] = SENDER
    await chat.join("coord", "教研室", SCHOOL)
    assert "已授予" in await chat.one("/grant 教研室 协调员", user="admin")
    assert "已将本群绑定" in await chat.one(f"/bind school {SCHOOL}", user="coord")
    await chat.join(USER, SENDER, SCHOOL)
    for name in COLLEAGUES:
        await chat.enrol(name, SCHOOL)


async def _wipe(chat: ChatHarness) -> None:
    async with chat.app.session_factory() as session, session.begin():
        for model in (RecordRevision, HoursLine, Record, CheckIn, Attendance, Dialog):
            await session.execute(delete(model))


async def _live_session(chat: ChatHarness, on: bool) -> None:
    async with chat.app.session_factory() as session, session.begin():
        if not on:
            await session.execute(delete(SessionSchool))
            await session.execute(delete(OnlineSession))
            return
        now = chat.clock.now()
        host = await chat.enrol("主持人", SCHOOL)
        online = OnlineSession(topic="网络研讨", host_member_id=host, planned_start=now - timedelta(minutes=5),
                               planned_minutes=90, status="live", actual_start=now - timedelta(minutes=5),
                               created_at=now, updated_at=now)
        session.add(online)
        await session.flush()
        school_id = await session.scalar(select(School.id).where(School.name == SCHOOL))
        session.add(SessionSchool(session_id=online.id, school_id=school_id))


async def run_item(chat: ChatHarness, item: Item, routes: _Routes) -> Outcome:
    await _wipe(chat)
    if item.label == "presence":
        await _live_session(chat, True)
    start = len(routes.seen)
    replies: list[str] = []
    messages: list[tuple[str, tuple]] = [(text, ()) for text in item.messages]
    if item.photo == "before":
        messages.insert(0, ("", (PHOTO,)))
    elif item.photo == "after":
        messages.append(("", (PHOTO,)))
    for text, attachments in messages:
        replies += await chat.say(text, user=USER, attachments=attachments)
        chat.clock.advance(seconds=40)
    seen = routes.seen[start:]
    records, checkins, attendance = await chat.rows(Record), await chat.rows(CheckIn), await chat.rows(Attendance)
    if item.label == "presence":
        await _live_session(chat, False)
    predicted, why = _predict(seen, replies, records, checkins, attendance)
    right = predicted == item.label
    if right and records:
        record = records[0]
        if item.title is not None and record.title != item.title:
            right, why = False, f"title {record.title!r}"
        if item.teacher is not None and record.observed_name != item.teacher:
            right, why = False, f"teacher {record.observed_name!r}"
        if item.photo and not record.attachments:
            right, why = False, "photo not kept"
        if len(records) > 1:
            right, why = False, f"{len(records)} records"
    if right and item.label == "relay" and len(checkins) != 1:
        right, why = False, f"{len(checkins)} check-ins"
    return Outcome(item, predicted, replies, right, why)


def _predict(seen, replies, records, checkins, attendance) -> tuple[str, str]:
    routes = [route for route, _ in seen]
    outcomes = [outcome for _, outcome in seen]
    if "error" in outcomes or any("错误编号" in reply for reply in replies):
        return "error", ""
    if records:
        return records[0].kind, ""
    if checkins:
        return ("relay" if "relay" in routes else "checkin"), ""
    if attendance:
        return "presence", ""
    if not replies:
        return "chatter", ""
    last = next((route for route in reversed(routes) if route != "-"), "-")
    if last == "ask":
        return "question", ""
    if last == "mention":
        return "mention", ""
    if last in COMMAND_ROUTES:
        return "command", ""
    if last == "near_miss" or "rejected" in outcomes:
        return "near_miss", ""
    return f"other:{last}", ""


async def run_corpus(chat: ChatHarness, items: list[Item]) -> Report:
    routes = _Routes()
    logger = logging.getLogger("yanxiu.dispatch")
    logger.addHandler(routes)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        await prepare(chat)
        report = Report()
        for item in items:
            report.outcomes.append(await run_item(chat, item, routes))
        return report
    finally:
        logger.removeHandler(routes)
        logger.setLevel(level)


def label_counts(items: list[Item]) -> Counter:
    return Counter(item.label for item in items)
