"""The daily check-in use case: store one per teacher and day, and say where they stand this month."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from bot.domain.checkins import current_streak, month_bounds
from bot.domain.relay import Relay
from bot.kernel.dispatcher import UserError
from bot.kernel.messages import IncomingMessage
from storage.models import CheckIn
from storage.repositories import Repositories

NOTE_MAX = 500


@dataclass(frozen=True)
class CheckInFigures:
    month_days: int
    streak: int


@dataclass(frozen=True)
class CheckInResult:
    stored: bool
    """False when the teacher had already checked in that day (the first check-in stands)."""
    day: date
    checked_at: datetime
    figures: CheckInFigures


async def figures(uow: Repositories, member_id: int, today: date) -> CheckInFigures:
    """Check-in days this month and the current streak, as of `today`."""
    first, _ = month_bounds(today)
    days = await uow.checkins.days_between(member_id, first.replace(year=first.year - 1), today)
    return CheckInFigures(sum(1 for day in days if day >= first), current_streak(days, today))


async def check_in(
    uow: Repositories, member_id: int, today: date, now: datetime, message: IncomingMessage, note: str = ""
) -> CheckInResult:
    if len(note) > NOTE_MAX:
        raise UserError("checkin_note_too_long", limit=NOTE_MAX)
    stored = await uow.checkins.add(
        CheckIn(
            member_id=member_id, day=today, checked_at=now, platform=message.platform,
            chat_id=message.chat.chat_id, message_id=message.message_id, note=note,
        )
    )
    checked_at = now
    if not stored:
        existing = await uow.checkins.on_day(member_id, today)
        checked_at = existing.checked_at
    return CheckInResult(stored, today, checked_at, await figures(uow, member_id, today))


async def someone_else_named(uow: Repositories, name: str, member_id: int) -> bool:
    """Whether `name` (as written, possibly with a school before it) names another current member."""
    if any(member.id != member_id for member in await uow.members.named(name)):
        return True
    if len(name) <= 4:
        return False
    for line in await uow.members.everyone():  # 紫阳二小李明: rare, so the roster walk is affordable
        member = line.member
        if member.id != member_id and member.left_at is None and member.name and member.name in name:
            return True
    return False


async def check_in_relay(
    uow: Repositories, member_id: int, member_name: str, relay: Relay, proxies: bool,
    today: date, now: datetime, message: IncomingMessage,
) -> list[str]:
    """Names newly checked in by a 接龙 repost: the sender, when her line is in it; with `proxies`,
    also the other members the list names. Already checked-in people are skipped (reposts are quiet)."""
    credited = []
    if relay.entry_of(member_name) is not None:
        if (await check_in(uow, member_id, today, now, message)).stored:
            credited.append(member_name)
    if not proxies:
        return credited
    for entry in relay.entries:
        if entry.names(member_name):
            continue
        matches = await uow.members.named(entry.name) if entry.name else []
        on_behalf = replace(message, message_id=f"{message.message_id}:{entry.number}"[:64])
        if len(matches) == 1 and (await check_in(uow, matches[0].id, today, now, on_behalf)).stored:
            credited.append(matches[0].name)
    return credited
