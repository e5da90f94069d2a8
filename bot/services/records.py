"""Reflections, cases and observation logs: storing one (once, for every way it arrives), and a
teacher's own changes to them (withdraw, edit, list, the semester's training file)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.policy import Policy
from bot.domain.record_kinds import DeclaredEntry
from bot.domain.record_text import ObservationDraft, title_of
from bot.domain.records import (
    LABELS,
    Progress,
    RecordEntry,
    RecordKind,
    is_open,
    length_problem,
    period_of,
    progress,
)
from bot.domain.text import normalize
from bot.kernel.dispatcher import UserError
from bot.kernel.messages import Attachment, IncomingMessage
from bot.kernel.metrics import RECORDS
from bot.services import declared
from storage.models import HoursLine, Record
from storage.repositories import Repositories

HOURS_CATEGORY = "school"


@dataclass(frozen=True)
class RecordDraft:
    kind: RecordKind
    title: str
    body: str
    files: tuple[Attachment, ...] = ()
    observed_member_id: int | None = None
    observed_name: str = ""
    observed_on: date | None = None
    class_subject: str = ""


@dataclass(frozen=True)
class StoredRecord:
    id: int
    kind: RecordKind
    title: str
    progress: Progress
    files: int


@dataclass(frozen=True)
class StoredObservation:
    record: StoredRecord
    teacher: str
    observed_on: date
    notify_user_id: str | None = None
    """The observed teacher's account on this platform, to tell them privately."""


@dataclass
class Writer:
    """Who writes, when, and where from: what every record use case needs besides the text."""

    member_id: int
    today: date
    now: datetime
    message: IncomingMessage
    policy: Policy
    files: tuple[Attachment, ...] = field(default=())


def check_length(kind: RecordKind, body: str, policy: Policy, has_files: bool) -> None:
    problem = length_problem(kind, body, policy.records, has_files)
    if problem is not None:
        key, limit = problem
        raise UserError(key, label=LABELS[kind], limit=limit, length=len(body.strip()))


async def store_record(uow: Repositories, writer: Writer, draft: RecordDraft) -> StoredRecord:
    """Validate, store and credit one record; says what it counts toward."""
    files = draft.files or writer.files
    check_length(draft.kind, draft.body, writer.policy, bool(files))
    message = writer.message
    record = await uow.records.add(
        Record(
            member_id=writer.member_id, kind=draft.kind.value, day=writer.today, title=draft.title[:200],
            body=draft.body,
            attachments=[
                {"kind": f.kind.value, "file_ref": f.file_ref, "file_name": f.file_name, "mime_type": f.mime_type}
                for f in files
            ],
            platform=message.platform, chat_id=message.chat.chat_id, message_id=message.message_id,
            created_at=writer.now, updated_at=writer.now,
            observed_member_id=draft.observed_member_id,
            observed_name=draft.observed_name[:50],
            observed_on=draft.observed_on, class_subject=draft.class_subject[:100],
        )
    )
    RECORDS.inc(kind=draft.kind.value)
    worth = getattr(writer.policy.hours, draft.kind.value)
    if worth > 0:
        await uow.hours.credit(HoursLine(
            member_id=writer.member_id, day=writer.today, category=HOURS_CATEGORY, hours=worth,
            minutes=round(worth * writer.policy.hours.minutes_per_hour), source=f"record:{record.id}",
            description=f"{LABELS[draft.kind]}《{record.title}》"[:200], created_at=writer.now,
        ))
    status = await current_progress(uow, writer.member_id, draft.kind, writer.today, writer.policy)
    return StoredRecord(record.id, draft.kind, record.title, status, len(files))


async def store_observation(uow: Repositories, writer: Writer, draft: ObservationDraft) -> StoredObservation:
    """An observation log: the observed teacher is matched to a member when the name is unambiguous."""
    observed_on = draft.observed_on or writer.today
    if observed_on > writer.today:
        raise UserError("observe_future_date")
    matches = await uow.members.named(draft.teacher)
    if not matches and normalize(draft.teacher) != draft.teacher:  # 陳靜 written, 陈静 on the roster
        matches = await uow.members.named(normalize(draft.teacher))
    observed = matches[0] if len(matches) == 1 else None
    if observed is not None and observed.id == writer.member_id:
        raise UserError("observe_self")
    teacher = observed.name if observed else draft.teacher
    stored = await store_record(uow, writer, RecordDraft(
        RecordKind.OBSERVATION, draft.topic, draft.notes,
        observed_member_id=observed.id if observed else None, observed_name=teacher,
        observed_on=observed_on, class_subject=draft.class_subject,
    ))
    account = await uow.members.account_on(observed.id, writer.message.platform) if observed else None
    return StoredObservation(stored, teacher, observed_on, account.user_id if account else None)


async def attach_to_recent(
    uow: Repositories, member_id: int, chat_id: str, files: tuple[Attachment, ...], since: datetime
) -> RecordEntry | None:
    """The photo sent just after the words: it joins the sender's record from this chat written since
    `since`, when that record has no files yet. None when there is no such record."""
    record = await uow.records.latest_own(member_id)
    if record is None or record.chat_id != chat_id or record.created_at < since or record.attachments:
        return None
    record.attachments = [
        {"kind": f.kind.value, "file_ref": f.file_ref, "file_name": f.file_name, "mime_type": f.mime_type}
        for f in files
    ]
    return entry_of(record)


async def current_progress(
    uow: Repositories, member_id: int, kind: RecordKind, today: date, policy: Policy
) -> Progress:
    period = period_of(kind, today, policy.semester)
    days = await uow.records.days_by_kind(member_id, period.first, period.last)
    return progress(kind, days.get(kind.value, []), today, policy.records, policy.semester)


async def recent(uow: Repositories, member_id: int, limit: int) -> list[RecordEntry]:
    return [entry_of(record) for record in await uow.records.recent(member_id, limit)]


async def of_semester(uow: Repositories, member_id: int, policy: Policy) -> list[RecordEntry]:
    semester = policy.semester
    return [entry_of(record) for record in await uow.records.between(member_id, semester.start, semester.end)]


async def withdraw(
    uow: Repositories, member_id: int, record_id: int | None, today: date, now: datetime, policy: Policy
) -> RecordEntry:
    """Withdraw the given record (the latest one when `record_id` is None) and what it earned."""
    if record_id is None:
        record = await uow.records.latest_own(member_id)
        if record is None:
            raise UserError("undo_nothing")
    else:
        record = await _own(uow, member_id, record_id)
    _ensure_open(record, today, policy)
    await uow.records.withdraw(record, now)
    await uow.hours.remove(record.member_id, f"record:{record.id}")
    return entry_of(record)


async def edit(
    uow: Repositories, member_id: int, record_id: int, text: str, today: date, now: datetime, policy: Policy
) -> tuple[RecordEntry, int]:
    """Replace a record's text (the old one is kept as a revision); returns it and its new version."""
    record = await _own(uow, member_id, record_id)
    kind = RecordKind(record.kind)
    _ensure_open(record, today, policy)
    check_length(kind, text, policy, bool(record.attachments))
    title = record.title if kind is RecordKind.OBSERVATION else (title_of(text) or record.title)
    version = await uow.records.replace_text(record, title, text, now)
    return entry_of(record), version


async def _own(uow: Repositories, member_id: int, record_id: int) -> Record:
    record = await uow.records.get_own(member_id, record_id)
    if record is None:
        raise UserError("record_not_found", id=record_id)
    return record


def _ensure_open(record: Record, today: date, policy: Policy) -> None:
    kind = RecordKind(record.kind)
    if not is_open(kind, record.day, today, policy.semester):
        period = period_of(kind, record.day, policy.semester)
        raise UserError("record_frozen", id=record.id, period=period.label)


def entry_of(record: Record) -> RecordEntry:
    return RecordEntry(
        id=record.id, kind=RecordKind(record.kind), day=record.day, title=record.title or "",
        body=record.body or "", attachments=tuple(record.attachments or ()),
        observed_name=record.observed_name or "", observed_on=record.observed_on,
        class_subject=record.class_subject or "",
    )


async def withdraw_latest(uow: Repositories, member_id: int, today: date, now: datetime,
                          policy: Policy) -> RecordEntry | DeclaredEntry:
    """/undo: withdraw the member's latest record of any kind, built-in or declared."""
    ordinary = await uow.records.latest_own(member_id)
    other = await declared.latest(uow, member_id)
    if other is not None and (ordinary is None or other.created_at >= ordinary.created_at):
        return await declared.withdraw(uow, policy, member_id, other.id, today, now)
    return await withdraw(uow, member_id, None, today, now, policy)
