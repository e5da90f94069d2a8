"""Reviewing members' records: a 坊主, 组长 or 导师 lists what their members wrote and grades it on the
program's scale with a comment; the author is told privately. Coordinators may review anyone's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.policy import Policy
from bot.domain.reviews import Unit, grade_of, reviews
from bot.kernel.dispatcher import UserError
from storage.models import RecordReview
from storage.repositories import Repositories
from storage.reviews import ReviewedRecord, Reviews


@dataclass(frozen=True)
class Reviewer:
    member_id: int
    roles: frozenset[str]
    organiser: bool


async def waiting(uow: Repositories, policy: Policy, reviewer: Reviewer, today: date) -> list[ReviewedRecord]:
    """Records of the reviewer's members from the last `[reviews] days`, those not yet graded by them first."""
    store = Reviews(uow.db)
    me = await store.unit_of(reviewer.member_id)
    allowed = set(policy.reviews.by)
    apprentices = await store.apprentices(reviewer.member_id) if "mentor" in allowed else set()
    found = await store.recent(
        today - timedelta(days=policy.reviews.days), reviewer.member_id,
        workshop_id=me.workshop_id if me and "workshop_leader" in reviewer.roles & allowed else None,
        group_id=me.group_id if me and "leader" in reviewer.roles & allowed else None,
        apprentices=apprentices if "mentor" in reviewer.roles else set(), everyone=reviewer.organiser,
    )
    mine = [r for r in found if r.author.member_id != reviewer.member_id]
    return sorted(mine, key=lambda r: (bool(r.grade), r.day, r.id))


async def review(uow: Repositories, policy: Policy, reviewer: Reviewer, record_id: int, word: str,
                 comment: str, now: datetime) -> tuple[ReviewedRecord, str, bool]:
    """Grade one record; (the record, the grade, whether an earlier verdict was replaced)."""
    store = Reviews(uow.db)
    record = await store.record(record_id, reviewer.member_id)
    if record is None:
        raise UserError("review_not_found", id=record_id)
    me = await store.unit_of(reviewer.member_id) or Unit(reviewer.member_id, None, None)
    apprentices = await store.apprentices(reviewer.member_id)
    if not reviews(me, reviewer.roles, record.author, apprentices=apprentices, allowed=policy.reviews.by,
                   organiser=reviewer.organiser):
        raise UserError("review_not_yours", name=record.author_name)
    grade = grade_of(word, policy.reviews.scale)
    if grade is None:
        raise UserError("review_grade_unknown", word=word[:20], scale="、".join(policy.reviews.scale))
    replaced = await store.save(RecordReview(record_id=record.id, reviewer_id=reviewer.member_id, grade=grade,
                                             comment=comment[:1000], created_at=now))
    return record, grade, replaced
