"""Repositories for online sessions, attendance, the hours ledger and the outbox."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, insert, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.session_status import AWAITING_WRITER, OPEN_SESSION, SummaryStatus
from storage.models import (
    Attendance,
    HoursLine,
    Member,
    OnlineSession,
    OutboxEntry,
    School,
    SessionSchool,
)

OPEN_STATUSES = tuple(status.value for status in OPEN_SESSION)
MAX_ATTEMPTS = 5
"""A message that failed this often (the bot was removed from the chat…) is given up, and logged."""


def session_start(session: OnlineSession) -> datetime:
    return session.actual_start or session.planned_start


def session_end(session: OnlineSession) -> datetime:
    """The actual end if the host marked one, else the planned length from the (actual) start."""
    return session.actual_end or session_start(session) + timedelta(minutes=session.planned_minutes)


class OnlineSessions:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, online: OnlineSession, school_ids: list[int]) -> OnlineSession:
        self.session.add(online)
        await self.session.flush()
        for school_id in school_ids:
            self.session.add(SessionSchool(session_id=online.id, school_id=school_id))
        await self.session.flush()
        return online

    async def loaded(self, online: OnlineSession) -> OnlineSession:
        """The new session with its relations (host, schools) read back, ready to describe."""
        await self.session.refresh(online)
        return online

    async def get(self, session_id: int) -> OnlineSession | None:
        return await self.session.get(OnlineSession, session_id)

    async def schools_of(self, session_id: int) -> list[School]:
        rows = await self.session.scalars(
            select(School)
            .join(SessionSchool, SessionSchool.school_id == School.id)
            .where(SessionSchool.session_id == session_id)
            .order_by(School.id)
        )
        return list(rows)

    async def listing(self, since: datetime, limit: int = 30) -> list[OnlineSession]:
        """Sessions starting from `since`, and any still open from before, in start order."""
        rows = await self.session.scalars(
            select(OnlineSession)
            .where((OnlineSession.planned_start >= since) | OnlineSession.status.in_(OPEN_STATUSES))
            .order_by(OnlineSession.planned_start, OnlineSession.id)
            .limit(limit)
        )
        return list(rows)

    async def between(self, first: datetime, last: datetime) -> list[OnlineSession]:
        rows = await self.session.scalars(
            select(OnlineSession)
            .where(OnlineSession.planned_start >= first, OnlineSession.planned_start < last)
            .order_by(OnlineSession.planned_start)
        )
        return list(rows)

    async def open_sessions(self) -> list[OnlineSession]:
        rows = await self.session.scalars(
            select(OnlineSession).where(OnlineSession.status.in_(OPEN_STATUSES)).order_by(OnlineSession.planned_start)
        )
        return list(rows)

    async def live_for_school(self, school_id: int, now: datetime, opens_before: timedelta) -> list[OnlineSession]:
        """Open sessions of the school whose window (opening early by `opens_before`) contains `now`."""
        rows = await self.session.scalars(
            select(OnlineSession)
            .join(SessionSchool, SessionSchool.session_id == OnlineSession.id)
            .where(
                SessionSchool.school_id == school_id,
                OnlineSession.status.in_(OPEN_STATUSES),
                OnlineSession.planned_start <= now + opens_before,
            )
            .order_by(OnlineSession.planned_start)
        )
        return [s for s in rows if session_start(s) - opens_before <= now <= session_end(s)]

    async def awaiting_summary(self) -> list[OnlineSession]:
        rows = await self.session.scalars(
            select(OnlineSession)
            .where(OnlineSession.summary_status.in_([status.value for status in AWAITING_WRITER]), OnlineSession.summary_due.is_not(None))
            .order_by(OnlineSession.summary_due)
        )
        return list(rows)

    async def summaries_written(self, member_ids: list[int]) -> dict[int, int]:
        if not member_ids:
            return {}
        rows = await self.session.execute(
            select(OnlineSession.summary_writer_id, func.count())
            .where(OnlineSession.summary_writer_id.in_(member_ids), OnlineSession.summary_status == SummaryStatus.APPROVED.value)
            .group_by(OnlineSession.summary_writer_id)
        )
        return {member_id: count for member_id, count in rows}


class Attendances:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def open_stretch(self, session_id: int, member_id: int) -> Attendance | None:
        return await self.session.scalar(
            select(Attendance).where(
                Attendance.session_id == session_id, Attendance.member_id == member_id,
                Attendance.left_at.is_(None),
            )
        )

    async def arrive(self, stretch: Attendance) -> None:
        self.session.add(stretch)
        await self.session.flush()

    async def of_session(self, session_id: int) -> list[tuple[Attendance, Member]]:
        rows = await self.session.execute(
            select(Attendance, Member)
            .join(Member, Member.id == Attendance.member_id)
            .where(Attendance.session_id == session_id)
            .order_by(Attendance.arrived_at, Attendance.id)
        )
        return [(stretch, member) for stretch, member in rows]


class HoursLedger:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def credit(self, line: HoursLine) -> bool:
        """Add the line unless the member already has one from the same source (False then)."""
        try:
            async with self.session.begin_nested():
                self.session.add(line)
        except IntegrityError:
            return False
        return True

    async def totals(self, member_id: int, first: date, last: date) -> dict[str, float]:
        """One member's hours by category in [first, last]: what /me and a question about hours show."""
        rows = await self.session.execute(
            select(HoursLine.category, func.sum(HoursLine.hours))
            .where(HoursLine.member_id == member_id, HoursLine.day >= first, HoursLine.day <= last)
            .group_by(HoursLine.category)
        )
        return {category: float(total or 0) for category, total in rows}

    async def remove(self, member_id: int, source: str) -> bool:
        """Take back what a withdrawn record earned."""
        result = await self.session.execute(
            delete(HoursLine).where(HoursLine.member_id == member_id, HoursLine.source == source)
        )
        return bool(result.rowcount)


class Outbox:
    """Messages due to go out, each under a unique key so it is made once and sent once.

    `enqueue` is called in the transaction of the change that causes the message. The sender
    claims due rows (skipping rows another process holds), sends, and marks them sent; a row whose
    sender died is claimed again after `stale`, until it expires.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def has(self, key: str) -> bool:
        return await self.session.get(OutboxEntry, key) is not None

    async def last_sent(self, key_prefix: str) -> datetime | None:
        """When the latest row whose key starts with `key_prefix` went out (None: none has)."""
        return await self.session.scalar(
            select(func.max(OutboxEntry.sent_at)).where(OutboxEntry.key.startswith(key_prefix))
        )

    async def enqueue(self, key: str, kind: str, messages: list[dict], now: datetime,
                      expires_at: datetime | None = None) -> bool:
        """Queue the messages under `key`; False (nothing queued) if the key was used before."""
        try:
            async with self.session.begin_nested():
                await self.session.execute(insert(OutboxEntry).values(
                    key=key, kind=kind, messages=messages, created_at=now, expires_at=expires_at, attempts=0,
                ))
        except IntegrityError:
            return False
        return True

    async def claim_due(self, now: datetime, stale: timedelta, limit: int = 50,
                        skip: set[str] | frozenset[str] = frozenset()) -> list[OutboxEntry]:
        """Up to `limit` due rows nobody holds, oldest first, except the keys in `skip`."""
        query = (
            select(OutboxEntry)
            .where(
                OutboxEntry.key.not_in(skip) if skip else true(),
                OutboxEntry.sent_at.is_(None),
                (OutboxEntry.claimed_at.is_(None)) | (OutboxEntry.claimed_at < now - stale),
                (OutboxEntry.expires_at.is_(None)) | (OutboxEntry.expires_at > now),
                OutboxEntry.attempts < MAX_ATTEMPTS,
            )
            .order_by(OutboxEntry.created_at, OutboxEntry.key)
            .limit(limit)
        )
        if self.session.bind.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = list(await self.session.scalars(query))
        for row in rows:
            row.claimed_at, row.attempts = now, row.attempts + 1
        await self.session.flush()
        return rows

    async def mark_sent(self, key: str, now: datetime) -> None:
        await self.session.execute(update(OutboxEntry).where(OutboxEntry.key == key).values(sent_at=now))

    async def release(self, key: str) -> None:
        """A send failed: let the next sweep try again instead of waiting for the claim to go stale."""
        await self.session.execute(
            update(OutboxEntry).where(OutboxEntry.key == key, OutboxEntry.sent_at.is_(None)).values(claimed_at=None)
        )
