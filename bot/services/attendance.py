"""Being at a live online session: which sessions are live for a teacher, arriving and leaving."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.policy import Policy
from bot.kernel.dispatcher import UserError
from bot.kernel.messages import IncomingMessage
from storage.models import Attendance
from storage.repositories import Repositories
from storage.sessions import OPEN_STATUSES, session_end, session_start


@dataclass(frozen=True)
class LiveSession:
    id: int
    start: datetime
    end: datetime
    still_open: bool
    """Not yet closed by the host (leaving now is leaving early if before the end)."""


@dataclass(frozen=True)
class Arrival:
    session_id: int
    arrived_at: datetime
    late_minutes: int
    already: bool
    """The teacher was already there; `arrived_at` is the earlier arrival."""


@dataclass(frozen=True)
class Departure:
    session_id: int
    left_at: datetime
    early_minutes: int


async def live_sessions(uow: Repositories, school_id: int, now: datetime, policy: Policy) -> list[LiveSession]:
    opens = timedelta(minutes=policy.sessions.opens_before_minutes)
    found = await uow.online_sessions.live_for_school(school_id, now, opens)
    return [
        LiveSession(online.id, session_start(online), session_end(online), online.status in OPEN_STATUSES)
        for online in found
    ]


def pick(live: list[LiveSession], wanted: str) -> LiveSession:
    """The one live session meant: the only one, or the one whose number was given."""
    wanted = wanted.strip().lstrip("#＃")
    if wanted:
        live = [online for online in live if str(online.id) == wanted]
    if not live:
        raise UserError("here_no_session")
    if len(live) > 1:
        raise UserError("here_which", ids="、".join(f"#{online.id}" for online in live))
    return live[0]


async def arrive(
    uow: Repositories, online: LiveSession, member_id: int, at: datetime, message: IncomingMessage
) -> Arrival:
    """Record the arrival once per stretch of presence."""
    existing = await uow.attendance.open_stretch(online.id, member_id)
    if existing is not None:
        return Arrival(online.id, existing.arrived_at, 0, already=True)
    await uow.attendance.arrive(Attendance(
        session_id=online.id, member_id=member_id, arrived_at=at, platform=message.platform,
        chat_id=message.chat.chat_id, message_id=message.message_id,
    ))
    late = int((at - online.start).total_seconds() // 60)
    return Arrival(online.id, at, max(late, 0), already=False)


async def leave(uow: Repositories, online: LiveSession, member_id: int, at: datetime) -> Departure:
    stretch = await uow.attendance.open_stretch(online.id, member_id)
    if stretch is None:
        raise UserError("bye_not_here", id=online.id)
    stretch.left_at = at
    early = int((online.end - at).total_seconds() // 60) if online.still_open else 0
    return Departure(online.id, at, max(early, 0))
