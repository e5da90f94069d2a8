"""Privacy (PIPL): a teacher's erasure on request, and retention limits applied by a sweep.

Erasure removes what identifies the teacher (name, phone, staff number, chat accounts, roles, pairs)
and what she wrote (records with their files and earlier versions, dialogs, join requests, remembered
private replies). What the program must account for — hours lines, check-in days, session
attendance, marks and frozen scores — stays under a pseudonym, so totals and published results do
not change. One audit line records the erasure, naming no one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.policy import Privacy as PrivacyRules
from bot.services.files import forget_files, sweep_orphans
from storage.files import FileStore
from storage.models import AuditEntry, Member
from storage.repositories import Repositories

ORPHAN_GRACE = timedelta(minutes=10)
"""Bytes written this recently may belong to a file whose row is not committed yet."""


def pseudonym_for(member_id: int) -> str:
    return f"已删除成员{member_id}"


@dataclass(frozen=True)
class Erasure:
    pseudonym: str
    records: int
    files: int
    accounts: int


async def erase_member(uow: Repositories, member: Member, now: datetime) -> Erasure:
    pseudonym = pseudonym_for(member.id)
    counts = await uow.privacy.erase_member(member, pseudonym, now)
    await uow.audit.add(AuditEntry(
        at=now, actor=pseudonym, actor_member_id=member.id, action="member.forget",
        target=f"#{member.id}", before=None, after=counts,
    ))
    return Erasure(pseudonym, counts["records"], counts["files"], counts["accounts"])


@dataclass(frozen=True)
class Purge:
    records: int = 0
    revisions: int = 0
    handled: int = 0
    files: int = 0
    blobs: int = 0

    @property
    def total(self) -> int:
        return self.records + self.revisions + self.handled + self.files + self.blobs


async def purge_expired(uow: Repositories, store: FileStore | None, rules: PrivacyRules, now: datetime) -> Purge:
    """Withdrawn records, old revisions and remembered replies past their retention; orphaned bytes."""
    records, file_ids = await uow.privacy.purge_withdrawn(now - timedelta(days=rules.withdrawn_days))
    files = await forget_files(uow, file_ids)
    revisions = await uow.privacy.purge_revisions(now - timedelta(days=rules.revision_days))
    handled = await uow.privacy.purge_handled(now - timedelta(days=rules.handled_days))
    blobs = await sweep_orphans(uow, store, now - ORPHAN_GRACE)
    return Purge(records, revisions, handled, files, blobs)
