"""Read-only queries the web dashboard needs beyond the chat's repositories: a teacher's hours
ledger, the outbox's health, sessions with their schools, per-member check-in counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CheckIn, HoursLine, OnlineSession, OutboxEntry, SessionSchool
from storage.sessions import MAX_ATTEMPTS


@dataclass(frozen=True)
class OutboxHealth:
    backlog: int
    """Rows still to send that can still be sent (not expired, attempts left)."""
    oldest_due: datetime | None
    failed: list[tuple[str, int, int]]
    """(destination `platform:chat`, rows waiting after a failed attempt, rows given up)."""
    last_sent: datetime | None
    last_queued: datetime | None


class DashboardQueries:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def hours_lines(self, member_id: int, first: date, last: date) -> list[HoursLine]:
        rows = await self.session.scalars(
            select(HoursLine)
            .where(HoursLine.member_id == member_id, HoursLine.day >= first, HoursLine.day <= last)
            .order_by(HoursLine.day, HoursLine.id)
        )
        return list(rows)

    async def checkin_counts(self, first: date, last: date) -> dict[int, int]:
        rows = await self.session.execute(
            select(CheckIn.member_id, func.count())
            .where(CheckIn.day >= first, CheckIn.day <= last)
            .group_by(CheckIn.member_id)
        )
        return {member_id: count for member_id, count in rows}

    async def session_schools(self, session_ids: list[int]) -> dict[int, list[int]]:
        """Each session's participating school ids."""
        found: dict[int, list[int]] = {}
        for start in range(0, len(session_ids), 500):
            rows = await self.session.execute(
                select(SessionSchool.session_id, SessionSchool.school_id)
                .where(SessionSchool.session_id.in_(session_ids[start:start + 500]))
                .order_by(SessionSchool.session_id, SessionSchool.school_id)
            )
            for session_id, school_id in rows:
                found.setdefault(session_id, []).append(school_id)
        return found

    async def summaries_submitted(self) -> list[OnlineSession]:
        rows = await self.session.scalars(
            select(OnlineSession).where(OnlineSession.summary_status == "submitted").order_by(OnlineSession.id)
        )
        return list(rows)

    async def outbox_health(self, now: datetime) -> OutboxHealth:
        unexpired = (OutboxEntry.expires_at.is_(None)) | (OutboxEntry.expires_at > now)
        pending = OutboxEntry.sent_at.is_(None) & unexpired
        sendable = pending & (OutboxEntry.attempts < MAX_ATTEMPTS)
        per_chat = OutboxEntry.key.contains("@")  # an event's own row carries no messages
        backlog, oldest = (await self.session.execute(
            select(func.count(), func.min(OutboxEntry.created_at)).where(sendable, per_chat)
        )).one()
        failed: dict[str, list[int]] = {}
        for key, attempts in await self.session.execute(
            select(OutboxEntry.key, OutboxEntry.attempts)
            .where(pending, per_chat, OutboxEntry.attempts > 0, OutboxEntry.claimed_at.is_(None))
        ):
            chat = key.rpartition("@")[2]
            counts = failed.setdefault(chat, [0, 0])
            counts[1 if attempts >= MAX_ATTEMPTS else 0] += 1
        last_sent = await self.session.scalar(select(func.max(OutboxEntry.sent_at)))
        last_queued = await self.session.scalar(select(func.max(OutboxEntry.created_at)))
        return OutboxHealth(
            backlog=backlog or 0, oldest_due=oldest,
            failed=sorted(((chat, waiting, given_up) for chat, (waiting, given_up) in failed.items()),
                          key=lambda row: (-row[1] - row[2], row[0])),
            last_sent=last_sent, last_queued=last_queued,
        )

