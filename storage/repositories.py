"""Repositories: the only place that writes SQL. Handlers see methods named after what they mean."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.leave import LeaveRequests, Objections
from storage.models import CheckIn, Dialog, HandledMessage, Record, RecordRevision
from storage.people import AuditLog, Invitations, JoinRequests, Members, Mentorships, RosterAccounts
from storage.reports import Reports
from storage.scores import Scores
from storage.sessions import Attendances, HoursLedger, OnlineSessions, Outbox
from storage.units import ChatBindings, Schools, StudyGroups, Workshops


class CheckIns:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def on_day(self, member_id: int, day: date) -> CheckIn | None:
        return await self.session.scalar(
            select(CheckIn).where(CheckIn.member_id == member_id, CheckIn.day == day)
        )

    async def add(self, checkin: CheckIn) -> bool:
        """Store the check-in; False if the member already has one that day (nothing written)."""
        try:
            async with self.session.begin_nested():
                self.session.add(checkin)
        except IntegrityError:
            return False
        return True

    async def days_between(self, member_id: int, first: date, last: date) -> list[date]:
        rows = await self.session.scalars(
            select(CheckIn.day)
            .where(CheckIn.member_id == member_id, CheckIn.day >= first, CheckIn.day <= last)
            .order_by(CheckIn.day)
        )
        return list(rows)


@dataclass(frozen=True)
class PriorHandling:
    replies: list
    delivered: bool


class HandledMessages:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, platform: str, chat_id: str, message_id: str) -> PriorHandling | None:
        row = await self.session.get(HandledMessage, (platform, chat_id, message_id))
        if row is None:
            return None
        return PriorHandling(replies=list(row.replies or []), delivered=row.delivered_at is not None)

    async def record(
        self, platform: str, chat_id: str, message_id: str, replies: list, now: datetime
    ) -> None:
        await self.session.execute(
            insert(HandledMessage).values(
                platform=platform, chat_id=chat_id, message_id=message_id,
                handled_at=now, replies=replies, delivered_at=None,
            )
        )

    async def mark_delivered(self, platform: str, chat_id: str, message_id: str, now: datetime) -> None:
        await self.session.execute(
            update(HandledMessage)
            .where(
                HandledMessage.platform == platform,
                HandledMessage.chat_id == chat_id,
                HandledMessage.message_id == message_id,
            )
            .values(delivered_at=now)
        )


class Records:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, record: Record) -> Record:
        self.session.add(record)
        await self.session.flush()
        return record

    async def known(self, platform: str, chat_id: str, message_id: str) -> bool:
        """Whether a record from this message is already stored (imports run twice add nothing)."""
        found = await self.session.scalar(
            select(Record.id).where(
                Record.platform == platform, Record.chat_id == chat_id, Record.message_id == message_id
            )
        )
        return found is not None

    async def get_own(self, member_id: int, record_id: int) -> Record | None:
        return await self.session.scalar(
            select(Record).where(
                Record.id == record_id, Record.member_id == member_id, Record.withdrawn_at.is_(None)
            )
        )

    async def latest_own(self, member_id: int) -> Record | None:
        return await self.session.scalar(
            select(Record)
            .where(Record.member_id == member_id, Record.withdrawn_at.is_(None))
            .order_by(Record.created_at.desc(), Record.id.desc())
            .limit(1)
        )

    async def recent(self, member_id: int, limit: int) -> list[Record]:
        rows = await self.session.scalars(
            select(Record)
            .where(Record.member_id == member_id, Record.withdrawn_at.is_(None))
            .order_by(Record.day.desc(), Record.id.desc())
            .limit(limit)
        )
        return list(rows)

    async def between(self, member_id: int, first: date, last: date) -> list[Record]:
        rows = await self.session.scalars(
            select(Record)
            .where(
                Record.member_id == member_id, Record.withdrawn_at.is_(None),
                Record.day >= first, Record.day <= last,
            )
            .order_by(Record.kind, Record.day, Record.id)
        )
        return list(rows)

    async def days_by_kind(self, member_id: int, first: date, last: date) -> dict[str, list[date]]:
        rows = await self.session.execute(
            select(Record.kind, Record.day).where(
                Record.member_id == member_id, Record.withdrawn_at.is_(None),
                Record.day >= first, Record.day <= last,
            )
        )
        found: dict[str, list[date]] = {}
        for kind, day in rows:
            found.setdefault(kind, []).append(day)
        return found

    async def withdraw(self, record: Record, now: datetime) -> None:
        record.withdrawn_at = now
        await self.session.flush()

    async def replace_text(self, record: Record, title: str, body: str, now: datetime) -> int:
        """Keep the old text as a revision; returns the new version number."""
        self.session.add(
            RecordRevision(record_id=record.id, title=record.title, body=record.body, replaced_at=now)
        )
        record.title, record.body, record.updated_at = title, body, now
        await self.session.flush()
        earlier = await self.session.scalar(
            select(func.count()).select_from(RecordRevision).where(RecordRevision.record_id == record.id)
        )
        return (earlier or 0) + 1


class Dialogs:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, platform: str, chat_id: str, user_id: str) -> Dialog | None:
        return await self.session.get(Dialog, (platform, chat_id, user_id))

    async def save(self, dialog: Dialog) -> None:
        await self.session.merge(dialog)
        await self.session.flush()

    async def end(self, platform: str, chat_id: str, user_id: str) -> bool:
        result = await self.session.execute(
            delete(Dialog).where(
                Dialog.platform == platform, Dialog.chat_id == chat_id, Dialog.user_id == user_id
            )
        )
        return bool(result.rowcount)

    async def expired(self, now: datetime, limit: int = 100) -> list[Dialog]:
        rows = await self.session.scalars(
            select(Dialog).where(Dialog.expires_at <= now).order_by(Dialog.expires_at).limit(limit)
        )
        return list(rows)

    async def claim_expired(self, dialog: Dialog, now: datetime) -> bool:
        """Delete an expired dialog; True only for the one caller whose delete removed it."""
        result = await self.session.execute(
            delete(Dialog).where(
                Dialog.platform == dialog.platform, Dialog.chat_id == dialog.chat_id,
                Dialog.user_id == dialog.user_id, Dialog.expires_at <= now,
            )
        )
        return result.rowcount == 1


class Repositories:
    """All repositories over one session: one unit of work per update."""

    def __init__(self, session: AsyncSession) -> None:
        self.db = session
        """The database session; only repositories and the dispatcher's stages touch it."""
        self.schools = Schools(session)
        self.workshops = Workshops(session)
        self.groups = StudyGroups(session)
        self.bindings = ChatBindings(session)
        self.members = Members(session)
        self.mentorships = Mentorships(session)
        self.join_requests = JoinRequests(session)
        self.roster_accounts = RosterAccounts(session)
        self.invitations = Invitations(session)
        self.audit = AuditLog(session)
        self.online_sessions = OnlineSessions(session)
        self.attendance = Attendances(session)
        self.hours = HoursLedger(session)
        self.outbox = Outbox(session)
        self.scores = Scores(session)
        self.reports = Reports(session)
        self.checkins = CheckIns(session)
        self.handled = HandledMessages(session)
        self.records = Records(session)
        self.dialogs = Dialogs(session)
        self.leaves = LeaveRequests(session)
        self.objections = Objections(session)

    def units(self, kind: str) -> Schools | Workshops | StudyGroups:
        """Schools, workshops or study groups, by the kind's name."""
        return {"school": self.schools, "workshop": self.workshops, "group": self.groups}[kind]
