"""Leave (请假) and objections (异议): asked for by teachers, decided by coordinators, honoured by scoring.

Approved leave excuses the days it covers (see bot.domain.duty); an objection to a published score
waits in a list until a coordinator settles it, usually with an /adjust. Both are audited by the
caller in the same unit of work as the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.duty import DateSpan
from bot.domain.leave import LABELS, LeaveRequest as ParsedLeave
from bot.kernel.dispatcher import UserError
from bot.kernel.messages import ChatKind, ChatRef
from storage.models import LeaveRequest, Objection
from storage.repositories import Repositories

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


@dataclass(frozen=True)
class LeaveView:
    id: int
    member_id: int
    name: str
    school: str
    first: date
    last: date
    kind_label: str
    reason: str
    status: str
    chat: ChatRef
    """Where the teacher asked: the decision is told there."""


@dataclass(frozen=True)
class ObjectionView:
    id: int
    member_id: int
    name: str
    school: str
    period: str
    text: str
    chat: ChatRef


async def _leave_view(uow: Repositories, row: LeaveRequest) -> LeaveView:
    member = await uow.members.get(row.member_id)
    return LeaveView(
        row.id, row.member_id, member.name if member else "?", member.school.name if member else "",
        row.first_day, row.last_day, LABELS.get(row.kind, row.reason[:12]), row.reason, row.status,
        _chat(row),
    )


def _chat(row: LeaveRequest | Objection) -> ChatRef:
    return ChatRef(row.platform, row.chat_id, ChatKind(row.chat_kind))


async def request_leave(
    uow: Repositories, member_id: int, asked: ParsedLeave, chat: ChatRef, now: datetime
) -> LeaveView:
    """Store a pending request; one that overlaps a pending or approved request is refused."""
    for existing in await uow.leaves.of_member(member_id):
        if existing.status in {PENDING, APPROVED} and existing.first_day <= asked.span.last \
                and existing.last_day >= asked.span.first:
            raise UserError("leave_overlaps", id=existing.id,
                            first=_day(existing.first_day), last=_day(existing.last_day))
    row = await uow.leaves.add(LeaveRequest(
        member_id=member_id, first_day=asked.span.first, last_day=asked.span.last, kind=asked.kind,
        reason=asked.reason, status=PENDING, platform=chat.platform, chat_id=chat.chat_id, chat_kind=chat.kind.value, requested_at=now,
    ))
    return await _leave_view(uow, row)


async def pending_leave(uow: Repositories) -> list[LeaveView]:
    return [await _leave_view(uow, row) for row in await uow.leaves.pending()]


async def decide_leave(uow: Repositories, request_id: int, approve: bool, actor: str, now: datetime) -> LeaveView:
    row = await uow.leaves.get(request_id)
    if row is None:
        raise UserError("leave_not_found", id=request_id)
    if row.status != PENDING:
        raise UserError("leave_decided", id=request_id)
    await uow.leaves.decide(row, APPROVED if approve else REJECTED, actor, now)
    return await _leave_view(uow, row)


async def approved_leave(uow: Repositories, first: date, last: date) -> dict[int, list[DateSpan]]:
    """Approved leave overlapping the period, per member, as spans scoring can subtract."""
    spans = await uow.leaves.approved_between(first, last)
    return {member: [DateSpan(a, b) for a, b in found] for member, found in spans.items()}


async def own_leave(uow: Repositories, member_id: int) -> list[LeaveView]:
    return [await _leave_view(uow, row) for row in await uow.leaves.of_member(member_id)]


async def file_objection(
    uow: Repositories, member_id: int, period: str, text: str, chat: ChatRef, now: datetime
) -> ObjectionView:
    row = await uow.objections.add(Objection(
        member_id=member_id, period=period, text=text[:1000], status="open",
        platform=chat.platform, chat_id=chat.chat_id, chat_kind=chat.kind.value, created_at=now,
    ))
    return await _objection_view(uow, row)


async def open_objections(uow: Repositories) -> list[ObjectionView]:
    return [await _objection_view(uow, row) for row in await uow.objections.open()]


async def resolve_objection(
    uow: Repositories, objection_id: int, resolution: str, actor: str, now: datetime
) -> ObjectionView:
    row = await uow.objections.get(objection_id)
    if row is None:
        raise UserError("objection_not_found", id=objection_id)
    if row.status != "open":
        raise UserError("objection_resolved_already", id=objection_id)
    await uow.objections.resolve(row, resolution, actor, now)
    return await _objection_view(uow, row)


async def _objection_view(uow: Repositories, row: Objection) -> ObjectionView:
    member = await uow.members.get(row.member_id)
    return ObjectionView(
        row.id, row.member_id, member.name if member else "?", member.school.name if member else "",
        row.period, row.text, _chat(row),
    )


def _day(day: date) -> str:
    return f"{day.month}月{day.day}日"
