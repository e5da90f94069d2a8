"""Reviewing members' records: a 坊主, 组长 or 导师 lists what their members wrote and grades it on the
program's scale with a comment; the author is told privately. Coordinators may review anyone's.

Records of a policy-declared kind (D12) are reviewed by the roles the kind names as its evaluators
(else `[reviews] by`), on the kind's own scale when it has one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.policy import Policy
from bot.domain.record_kinds import grade_scale
from bot.domain.reviews import Unit, grade_of, reviews
from bot.domain.roles import LEADER, MENTOR, WORKSHOP_LEADER
from bot.kernel.dispatcher import UserError
from bot.services.declared import kind_named
from storage.models import DeclaredReview, RecordReview
from storage.repositories import Repositories
from storage.reviews import ReviewedRecord, Reviews

ROLE_WORDS = {WORKSHOP_LEADER: "坊主（本工作坊）", LEADER: "组长（本小组）", MENTOR: "导师（自己的徒弟）"}
"""How a refusal names the roles that review a kind, with whose records each reviews."""


@dataclass(frozen=True)
class Reviewer:
    member_id: int
    roles: frozenset[str]
    organiser: bool


def evaluators(policy: Policy, kind: str) -> list[str]:
    """The roles that review a declared kind's records: its own list, else the program's."""
    rule = kind_named(policy, kind)
    return list(rule.evaluators) if rule is not None and rule.evaluators else list(policy.reviews.by)


def scale_of(policy: Policy, record: ReviewedRecord) -> list[str]:
    if not record.declared:
        return list(policy.reviews.scale)
    return grade_scale(kind_named(policy, record.kind), policy.reviews.scale)


async def waiting(uow: Repositories, policy: Policy, reviewer: Reviewer, today: date) -> list[ReviewedRecord]:
    """Records of the reviewer's members from the last `[reviews] days`, those not yet graded by them first."""
    store = Reviews(uow.db)
    me = await store.unit_of(reviewer.member_id) or Unit(reviewer.member_id, None, None)
    since = today - timedelta(days=policy.reviews.days)
    allowed = set(policy.reviews.by)
    apprentices = await store.apprentices(reviewer.member_id) if MENTOR in reviewer.roles else set()
    found = await store.recent(
        since, reviewer.member_id,
        workshop_id=me.workshop_id if WORKSHOP_LEADER in reviewer.roles & allowed else None,
        group_id=me.group_id if LEADER in reviewer.roles & allowed else None,
        apprentices=apprentices if MENTOR in allowed else set(), everyone=reviewer.organiser,
    )
    if policy.records.kinds:
        declared = await store.recent(
            since, reviewer.member_id, workshop_id=me.workshop_id if WORKSHOP_LEADER in reviewer.roles else None,
            group_id=me.group_id if LEADER in reviewer.roles else None, apprentices=apprentices,
            everyone=reviewer.organiser, declared=True)
        found += [r for r in declared if reviews(me, reviewer.roles, r.author, apprentices=apprentices,
                                                 allowed=evaluators(policy, r.kind), organiser=reviewer.organiser)]
    mine = [r for r in found if r.author.member_id != reviewer.member_id]
    return sorted(mine, key=lambda r: (bool(r.grade), r.day, r.declared, r.id))


async def review(uow: Repositories, policy: Policy, reviewer: Reviewer, record_id: int, word: str,
                 comment: str, now: datetime, *, declared: bool = False) -> tuple[ReviewedRecord, str, bool]:
    """Grade one record (a declared one with `declared`); (the record, the grade, whether an earlier
    verdict was replaced)."""
    store = Reviews(uow.db)
    record = await (store.declared_record if declared else store.record)(record_id, reviewer.member_id)
    if record is None:
        raise UserError("review_not_found", id=f"D{record_id}" if declared else record_id)
    me = await store.unit_of(reviewer.member_id) or Unit(reviewer.member_id, None, None)
    apprentices = await store.apprentices(reviewer.member_id)
    allowed = evaluators(policy, record.kind) if declared else policy.reviews.by
    if not reviews(me, reviewer.roles, record.author, apprentices=apprentices, allowed=allowed,
                   organiser=reviewer.organiser):
        if declared and record.author.member_id != reviewer.member_id:
            raise UserError("review_not_evaluator", name=record.author_name, kind=record.kind,
                            roles="、".join(ROLE_WORDS.get(role, role) for role in allowed))
        raise UserError("review_not_yours", name=record.author_name)
    scale = scale_of(policy, record)
    grade = grade_of(word, scale)
    if grade is None:
        raise UserError("review_grade_unknown", word=word[:20], scale="、".join(scale))
    table = DeclaredReview if declared else RecordReview
    replaced = await store.save(table(record_id=record.id, reviewer_id=reviewer.member_id, grade=grade,
                                      comment=comment[:1000], created_at=now))
    return record, grade, replaced

