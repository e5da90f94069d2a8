"""Keeping a post of a policy-declared record kind (教学设计, 个人研修计划 …) and counting it toward
its period's quota."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.policy import Policy
from bot.domain.quotas import month_of, week_of
from bot.domain.record_kinds import DeclaredPost, problem
from bot.kernel.dispatcher import UserError
from bot.kernel.messages import Attachment, IncomingMessage
from storage.models import DeclaredRecord
from storage.quotas import DeclaredRecords
from storage.repositories import Repositories

PERIOD_WORDS = {"week": "本周", "month": "本月", "semester": "本学期"}


@dataclass(frozen=True)
class Kept:
    record_id: int | None  # None when this message was already kept
    count: int  # of this kind in the current period, this one included
    period: str


async def keep(uow: Repositories, policy: Policy, member_id: int, post: DeclaredPost, message: IncomingMessage,
               files: Sequence[Attachment], today: date, now: datetime) -> Kept:
    found = problem(post, bool(files), policy.records.max_chars)
    if found is not None:
        raise UserError(found[0], **found[1])
    store = DeclaredRecords(uow.db)
    record = await store.add(DeclaredRecord(
        member_id=member_id, kind=post.kind.name, day=today, title=post.title, body=post.body,
        attachments=[{"kind": f.kind.value, "file_ref": f.file_ref, "file_name": f.file_name,
                      "mime_type": f.mime_type} for f in files],
        platform=message.platform, chat_id=message.chat.chat_id, message_id=message.message_id, created_at=now,
    ))
    span = {"week": week_of, "month": month_of}.get(post.kind.per)
    first, last = (span(today).first, span(today).last) if span else (policy.semester.start, policy.semester.end)
    count = await store.count(member_id, post.kind.name, first, last)
    return Kept(record.id if record else None, count, PERIOD_WORDS[post.kind.per])
