"""Backfilling check-ins, records and hours from a group's exported chat history or a coordinator's
spreadsheet: a dry run by teacher and date, then, on confirmation, the same storing a live post gets
(re-importing the same file adds nothing)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.backfill_sheet import HOURS, RowProblem, SheetFileError, read_backfill_sheet
from bot.domain.chat_history import BackfillItem, backfill, parse_export, sender_matches
from bot.domain.policy import Policy
from bot.domain.record_text import ObservationDraft
from bot.domain.records import RecordKind
from bot.domain.relay import RelayEntry
from bot.domain.text import normalize
from bot.kernel.dispatcher import UserError
from bot.kernel.messages import ChatKind, ChatRef, IncomingMessage, Sender
from bot.services.checkins import check_in
from bot.services.records import RecordDraft, Writer, store_observation, store_record
from storage.models import HoursLine
from storage.repositories import Repositories

PLATFORM = "history"
CHAT, SHEET = "chat", "sheet"


@dataclass(frozen=True)
class Planned:
    member_id: int
    name: str
    item: BackfillItem


@dataclass(frozen=True)
class TeacherSummary:
    name: str
    checkin_days: tuple[date, ...]
    records: int
    hours: float = 0


@dataclass(frozen=True)
class HistoryPlan:
    fingerprint: str
    messages: int
    planned: tuple[Planned, ...]
    unmatched: tuple[str, ...]
    source: str = CHAT
    problems: tuple[RowProblem, ...] = ()
    """A spreadsheet's rows that cannot be imported, shown in the dry run (not kept for /confirm)."""

    @property
    def checkins(self) -> int:
        return sum(1 for p in self.planned if p.item.kind == "checkin")

    @property
    def records(self) -> int:
        return sum(1 for p in self.planned if p.item.kind not in ("checkin", HOURS))

    @property
    def hours(self) -> float:
        return sum(p.item.hours for p in self.planned if p.item.kind == HOURS)

    def by_teacher(self) -> list[TeacherSummary]:
        names = dict.fromkeys(p.name for p in self.planned)
        return [
            TeacherSummary(
                name,
                tuple(sorted(p.item.day for p in self.planned if p.name == name and p.item.kind == "checkin")),
                sum(1 for p in self.planned if p.name == name and p.item.kind not in ("checkin", HOURS)),
                sum(p.item.hours for p in self.planned if p.name == name and p.item.kind == HOURS),
            )
            for name in names
        ]

    def to_json(self) -> dict:
        return {"fingerprint": self.fingerprint, "messages": self.messages, "unmatched": list(self.unmatched),
                "source": self.source,
                "planned": [{"member_id": p.member_id, "name": p.name, "item": _item_json(p.item)}
                            for p in self.planned]}

    @classmethod
    def from_json(cls, data: dict) -> HistoryPlan:
        planned = tuple(Planned(p["member_id"], p["name"], _item_from_json(p["item"])) for p in data["planned"])
        return cls(data["fingerprint"], data["messages"], planned, tuple(data["unmatched"]),
                   data.get("source", CHAT))


@dataclass(frozen=True)
class Applied:
    checkins: int
    records: int
    hours: float = 0


async def plan_history(uow: Repositories, content: bytes) -> HistoryPlan:
    text = _decode(content)
    messages = parse_export(text)
    if not messages:
        raise UserError("history_unreadable")
    roster = [line.member for line in await uow.members.everyone() if line.member.left_at is None]
    planned: list[Planned] = []
    unmatched: dict[str, None] = {}
    seen_days: set[tuple[int, date]] = set()
    for item in backfill(messages):
        member = _member_for(item.sender, roster)
        if member is None:
            unmatched[item.sender] = None
            continue
        name = normalize(member.name)
        if item.kind in ("checkin", "relay"):
            if not _own_checkin(item, name) or (member.id, item.day) in seen_days:
                continue
            seen_days.add((member.id, item.day))
            item = BackfillItem(item.sender, item.day, item.sent_at, "checkin", ordinal=item.ordinal)
        planned.append(Planned(member.id, member.name, item))
    fingerprint = hashlib.sha256(content).hexdigest()[:16]
    return HistoryPlan(fingerprint, len(messages), tuple(planned), tuple(unmatched))


async def plan_sheet(uow: Repositories, content: bytes, file_name: str, policy: Policy, today: date) -> HistoryPlan:
    """A spreadsheet's rows matched to the roster by 姓名 (and 学校 when given); namesakes the row does
    not tell apart, and names not on the roster, are listed as unmatched rather than guessed."""
    try:
        reading = read_backfill_sheet(content, file_name, today=today, rules=policy.records)
    except SheetFileError as error:
        raise UserError(error.key, **error.values) from None
    by_name: dict[str, list] = {}
    for line in await uow.members.everyone():
        if line.member.left_at is None:
            by_name.setdefault(normalize(line.member.name), []).append(line.member)
    planned: list[Planned] = []
    unmatched: dict[str, None] = {}
    seen_days: set[tuple[int, date]] = set()
    for item in reading.items:
        members = by_name.get(normalize(item.sender), [])
        if item.school:
            members = [m for m in members if normalize(item.school) in normalize(m.school.name)]
        if len(members) != 1:
            unmatched[f"{item.sender}（{item.school}）" if item.school else item.sender] = None
            continue
        member = members[0]
        if item.kind == "checkin":
            if (member.id, item.day) in seen_days:
                continue
            seen_days.add((member.id, item.day))
        planned.append(Planned(member.id, member.name, item))
    fingerprint = hashlib.sha256(content).hexdigest()[:16]
    return HistoryPlan(fingerprint, reading.rows, tuple(planned), tuple(unmatched), SHEET, reading.problems)


async def apply_history(
    uow: Repositories, plan: HistoryPlan, policy: Policy, zone: ZoneInfo, now: datetime
) -> Applied:
    """Store what the plan found; anything already there (same day's check-in, same message) is skipped."""
    checkins = records = 0
    hours = 0.0
    chat = ChatRef(PLATFORM, plan.fingerprint, ChatKind.GROUP)
    sheet = ChatRef(PLATFORM, SHEET, ChatKind.GROUP)  # a sheet's rows carry their own keys (BackfillItem.key)
    for planned in plan.planned:
        item = planned.item
        sent_at = item.sent_at.replace(tzinfo=zone)
        if item.kind == HOURS:
            hours += item.hours if await _credit(uow, planned.member_id, item, policy, now) else 0
            continue
        message = IncomingMessage(chat if not item.key else sheet, Sender(""), item.key or str(item.ordinal),
                                  item.body, sent_at)
        if item.kind == "checkin":
            checkins += (await check_in(uow, planned.member_id, item.day, sent_at, message)).stored
            continue
        if await uow.records.known(PLATFORM, message.chat.chat_id, message.message_id):
            continue
        writer = Writer(planned.member_id, item.day, sent_at, message, policy)
        try:
            if item.kind == RecordKind.OBSERVATION.value:
                draft = ObservationDraft(item.teacher, item.observed_on, item.class_subject, item.topic, item.body)
                await store_observation(uow, writer, draft)
            else:
                await store_record(uow, writer, RecordDraft(RecordKind(item.kind), item.title, item.body))
        except UserError:  # too short, the observer themself…: a live post would have been refused too
            continue
        records += 1
    return Applied(checkins, records, hours)


async def _credit(uow: Repositories, member_id: int, item: BackfillItem, policy: Policy, now: datetime) -> bool:
    """One ledger line per spreadsheet row; its source (the row's own key) makes a re-import a no-op."""
    return await uow.hours.credit(HoursLine(
        member_id=member_id, day=item.day, category=item.category, hours=item.hours,
        minutes=round(item.hours * policy.hours.minutes_per_hour), source=f"sheet:{item.key}",
        description=(item.title or "补录学时")[:200], created_at=now,
    ))


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UserError("history_unreadable")


def _member_for(sender: str, roster: list) -> object | None:
    """The one member the sender's display name names (the longest name wins: 王芳芳 over 王芳)."""
    sender = normalize(sender)
    matches = [member for member in roster if sender_matches(sender, normalize(member.name))]
    if not matches:
        return None
    longest = max(len(member.name) for member in matches)
    best = [member for member in matches if len(member.name) == longest]
    return best[0] if len(best) == 1 else None


def _own_checkin(item: BackfillItem, name: str) -> bool:
    if item.kind == "checkin":
        return not item.body or item.body == name
    return any(RelayEntry(number, line).names(name) for number, line in enumerate(item.body.split("\n"), 1))


def _item_json(item: BackfillItem) -> dict:
    data = asdict(item)
    data["day"], data["sent_at"] = item.day.isoformat(), item.sent_at.isoformat()
    data["observed_on"] = item.observed_on.isoformat() if item.observed_on else None
    return data


def _item_from_json(data: dict) -> BackfillItem:
    data = dict(data)
    data["day"] = date.fromisoformat(data["day"])
    data["sent_at"] = datetime.fromisoformat(data["sent_at"])
    data["observed_on"] = date.fromisoformat(data["observed_on"]) if data["observed_on"] else None
    return BackfillItem(**data)
