"""Repositories: the only place that writes SQL. Handlers see methods named after what they mean."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, bindparam, delete, func, insert, literal, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.activities import Activities
from storage.leave import LeaveRequests, Objections
from storage.files import StoredFiles
from storage.models import Account, CheckIn, Dialog, HandledMessage, Member, MemberRole, Record, RecordRevision
from storage.privacy import Privacy
from storage.people import AuditLog, Invitations, JoinRequests, Members, Mentorships, RosterAccounts
from storage.reports import Reports
from storage.scores import Scores
from storage.sessions import Attendances, HoursLedger, OnlineSessions, Outbox
from storage.units import ChatBindings, Schools, StudyGroups, Workshops


_IGNORING_CONFLICTS: dict[tuple[str, type], object] = {}


async def insert_ignoring_conflicts(session: AsyncSession, model, values: dict) -> bool:
    """`INSERT … ON CONFLICT DO NOTHING` in the session's dialect: one statement, no savepoint; True
    if the row was inserted. The statement is built once per dialect and model, the values bound."""
    name = session.bind.dialect.name
    statement = _IGNORING_CONFLICTS.get((name, model))
    if statement is None:
        dialect = postgresql if name == "postgresql" else sqlite
        statement = _IGNORING_CONFLICTS[name, model] = dialect.insert(model.__table__).on_conflict_do_nothing()
    return (await session.execute(statement, values)).rowcount == 1


@dataclass(frozen=True)
class PriorHandling:
    replies: list
    delivered: bool


@dataclass(frozen=True)
class InboundFacts:
    """What the dispatcher's stages need to know about one inbound message, read in one query:
    the sender's member and roles, their open dialog in this chat, and whether it was handled before."""

    member: Member | None
    roles: frozenset[str]
    dialog: Dialog | None
    prior: PriorHandling | None


def _inbound_query():
    """Built once: every message runs it, and a statement object keeps its cache key (building the
    joins and hashing them anew took longer than SQLite takes to answer)."""
    platform, chat_id, user_id = bindparam("platform"), bindparam("chat_id"), bindparam("user_id")
    anchor = select(literal(1).label("anchor")).subquery()
    return (
        select(Member, MemberRole.role, Dialog, HandledMessage.replies, HandledMessage.delivered_at,
               HandledMessage.handled_at)
        .select_from(anchor)
        .outerjoin(Account, and_(Account.platform == platform, Account.user_id == user_id))
        .outerjoin(Member, Member.id == Account.member_id)
        .outerjoin(MemberRole, MemberRole.member_id == Member.id)
        .outerjoin(Dialog, and_(Dialog.platform == platform, Dialog.chat_id == chat_id, Dialog.user_id == user_id))
        .outerjoin(HandledMessage, and_(HandledMessage.platform == platform, HandledMessage.chat_id == chat_id,
                                        HandledMessage.message_id == bindparam("message_id")))
    )


class Inbound:
    QUERY = _inbound_query()

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lookup(self, platform: str, chat_id: str, user_id: str, message_id: str) -> InboundFacts:
        """One round trip for every message: outer joins from a single row, one result row per role."""
        rows = (await self.session.execute(self.QUERY, {
            "platform": platform, "chat_id": chat_id, "user_id": user_id, "message_id": message_id,
        })).all()
        member, _, dialog, replies, delivered_at, handled_at = rows[0]
        prior = None
        if handled_at is not None:
            prior = PriorHandling(replies=list(replies or []), delivered=delivered_at is not None)
        roles = frozenset(row[1] for row in rows if row[1] is not None)
        return InboundFacts(member, roles, dialog, prior)


class CheckIns:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def on_day(self, member_id: int, day: date) -> CheckIn | None:
        return await self.session.scalar(
            select(CheckIn).where(CheckIn.member_id == member_id, CheckIn.day == day)
        )

    async def add(self, checkin: CheckIn) -> bool:
        """Store the check-in; False if the member already has one that day (nothing written)."""
        values = {
            column.key: getattr(checkin, column.key) for column in CheckIn.__table__.columns
            if getattr(checkin, column.key) is not None
        }
        return await insert_ignoring_conflicts(self.session, CheckIn, values)

    DAYS = (select(CheckIn.day)
            .where(CheckIn.member_id == bindparam("member_id"), CheckIn.day >= bindparam("first"),
                   CheckIn.day <= bindparam("last"))
            .order_by(CheckIn.day))
    """Built once (every check-in asks it): see _inbound_query."""

    async def days_between(self, member_id: int, first: date, last: date) -> list[date]:
        rows = await self.session.scalars(self.DAYS, {"member_id": member_id, "first": first, "last": last})
        return list(rows)


class HandledMessages:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, platform: str, chat_id: str, message_id: str) -> PriorHandling | None:
        row = await self.session.get(HandledMessage, (platform, chat_id, message_id))
        if row is None:
            return None
        return PriorHandling(replies=list(row.replies or []), delivered=row.delivered_at is not None)

    async def claim(self, platform: str, chat_id: str, message_id: str, replies: list, now: datetime) -> bool:
        """Record the message as handled, with its replies; False if another worker recorded it first."""
        return await insert_ignoring_conflicts(self.session, HandledMessage, {
            "platform": platform, "chat_id": chat_id, "message_id": message_id,
            "handled_at": now, "replies": replies, "delivered_at": None,
        })

    async def record(self, platform: str, chat_id: str, message_id: str, replies: list, now: datetime) -> None:
        """Record the message as handled (raises IntegrityError if it already was)."""
        await self.session.execute(insert(HandledMessage).values(
            platform=platform, chat_id=chat_id, message_id=message_id,
            handled_at=now, replies=replies, delivered_at=None,
        ))

    async def unanswered(
        self, platform: str, since: datetime, limit: int = 5000,
    ) -> list[tuple[tuple[str, str, str], list]]:
        """Messages of `platform` handled since `since` whose replies are not marked delivered:
        ((platform, chat, message id), stored replies), oldest first."""
        rows = await self.session.execute(
            select(HandledMessage.platform, HandledMessage.chat_id, HandledMessage.message_id, HandledMessage.replies)
            .where(HandledMessage.platform == platform, HandledMessage.delivered_at.is_(None),
                   HandledMessage.handled_at >= since)
            .order_by(HandledMessage.handled_at).limit(limit)
        )
        return [((row[0], row[1], row[2]), list(row[3] or [])) for row in rows]

    async def mark_delivered(self, keys: list[tuple[str, str, str]], now: datetime) -> None:
        """Mark many messages' replies delivered in one statement per few hundred. Delivered replies
        are never sent again, so their texts and file bodies are dropped."""
        for start in range(0, len(keys), 300):
            chunk = keys[start:start + 300]
            await self.session.execute(
                update(HandledMessage)
                .where(tuple_(HandledMessage.platform, HandledMessage.chat_id, HandledMessage.message_id).in_(chunk))
                .values(delivered_at=now, replies=[])
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
        self.inbound = Inbound(session)
        self.leaves = LeaveRequests(session)
        self.objections = Objections(session)
        self.files = StoredFiles(session)
        self.privacy = Privacy(session)
        self.activities = Activities(session)

    def units(self, kind: str) -> Schools | Workshops | StudyGroups:
        """Schools, workshops or study groups, by the kind's name."""
        return {"school": self.schools, "workshop": self.workshops, "group": self.groups}[kind]
