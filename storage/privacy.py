"""Erasure and retention: the statements that remove a person's data or what has outlived its purpose."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Account,
    AuditEntry,
    CheckIn,
    DeclaredRecord,
    DeclaredReview,
    DeclaredRevision,
    Dialog,
    HandledMessage,
    HoursLine,
    Invitation,
    JoinRequest,
    Member,
    MemberRole,
    Mentorship,
    Record,
    RecordRevision,
    RosterAccount,
    StoredFile,
)


class Privacy:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def erase_member(self, member: Member, pseudonym: str, now: datetime) -> dict[str, int]:
        """Remove what identifies `member` and what they wrote; keep hours, check-in days, attendance
        and scores (the program must account for them) under `pseudonym`. Returns counts."""
        accounts = [(a.platform, a.user_id) for a in await self.session.scalars(
            select(Account).where(Account.member_id == member.id))]
        records = list(await self.session.scalars(select(Record).where(Record.member_id == member.id)))
        record_ids = [record.id for record in records]
        counts = {"accounts": len(accounts), "records": len(records)}
        counts["files"] = await self._delete(delete(StoredFile).where(StoredFile.member_id == member.id))
        await self._delete(delete(RecordRevision).where(RecordRevision.record_id.in_(record_ids)))
        await self._delete(delete(Record).where(Record.member_id == member.id))
        await self.session.execute(
            update(Record).where(Record.observed_member_id == member.id)
            .values(observed_member_id=None, observed_name=pseudonym)
        )
        counts["records"] += await self._erase_declared(member, pseudonym)
        await self.session.execute(
            update(HoursLine).where(HoursLine.member_id == member.id).values(description="")
        )
        await self.session.execute(update(CheckIn).where(CheckIn.member_id == member.id).values(note=""))
        await self._delete(delete(Mentorship).where(
            or_(Mentorship.mentor_id == member.id, Mentorship.apprentice_id == member.id)))
        await self._delete(delete(MemberRole).where(MemberRole.member_id == member.id))
        for platform, user_id in accounts:
            await self._delete(delete(Dialog).where(Dialog.platform == platform, Dialog.user_id == user_id))
            await self._delete(delete(JoinRequest).where(
                JoinRequest.platform == platform, JoinRequest.user_id == user_id))
            await self._delete(delete(HandledMessage).where(
                HandledMessage.platform == platform, HandledMessage.chat_id == user_id))
        await self._delete(delete(Account).where(Account.member_id == member.id))
        await self._delete(delete(RosterAccount).where(RosterAccount.member_id == member.id))
        await self._delete(delete(Invitation).where(Invitation.member_id == member.id))
        counts["audit"] = await self._pseudonymise_audit(member, pseudonym, accounts)
        member.name, member.phone, member.staff_no, member.subject = pseudonym, None, None, ""
        member.workshop_id = member.group_id = None
        member.left_at = member.left_at or now
        member.erased_at = member.updated_at = now
        await self.session.flush()
        return counts

    async def _erase_declared(self, member: Member, pseudonym: str) -> int:
        """Their declared-kind records (plans, lessons, guidance logs) go; where another's names them
        (a mentor's guidance log, a lesson a coordinator posted), the name becomes the pseudonym."""
        ids = list(await self.session.scalars(select(DeclaredRecord.id).where(DeclaredRecord.member_id == member.id)))
        if ids:
            await self._delete(delete(DeclaredReview).where(DeclaredReview.record_id.in_(ids)))
            await self._delete(delete(DeclaredRevision).where(DeclaredRevision.record_id.in_(ids)))
            await self._delete(delete(DeclaredRecord).where(DeclaredRecord.id.in_(ids)))
        await self.session.execute(update(DeclaredRecord).where(DeclaredRecord.about_member_id == member.id)
                                   .values(about_member_id=None, about_name=pseudonym))
        await self.session.execute(update(DeclaredRecord).where(DeclaredRecord.posted_by_id == member.id)
                                   .values(posted_by_id=None))
        return len(ids)

    async def _pseudonymise_audit(self, member: Member, pseudonym: str, accounts: list[tuple[str, str]]) -> int:
        """Audit lines stay (who changed what is the program's record) but name the person by pseudonym."""
        replacements = [(member.name, pseudonym)] + [(f"{p}:{u}", "account-erased") for p, u in accounts]
        changed = 0
        # The name may sit anywhere in before/after (JSON), which no portable query searches; the
        # audit log holds organisers' actions only, so reading it through once is affordable.
        rows = list(await self.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        for entry in rows:
            actor, target = _replace(entry.actor, replacements), _replace(entry.target, replacements)
            before, after = _replace_json(entry.before, replacements), _replace_json(entry.after, replacements)
            if (actor, target, before, after) != (entry.actor, entry.target, entry.before, entry.after):
                entry.actor, entry.target, entry.before, entry.after = actor, target, before, after
                changed += 1
        return changed

    async def purge_withdrawn(self, before: datetime) -> tuple[int, list[int]]:
        """Delete records withdrawn before `before`; returns how many, and their kept files' ids."""
        rows = list(await self.session.scalars(
            select(Record).where(Record.withdrawn_at.is_not(None), Record.withdrawn_at < before)))
        file_ids = [entry["file_id"] for record in rows for entry in record.attachments or []
                    if isinstance(entry, dict) and isinstance(entry.get("file_id"), int)]
        ids = [record.id for record in rows]
        if ids:
            await self._delete(delete(RecordRevision).where(RecordRevision.record_id.in_(ids)))
            await self._delete(delete(Record).where(Record.id.in_(ids)))
        declared = list(await self.session.scalars(select(DeclaredRecord).where(
            DeclaredRecord.withdrawn_at.is_not(None), DeclaredRecord.withdrawn_at < before)))
        file_ids += [entry["file_id"] for record in declared for entry in record.attachments or []
                     if isinstance(entry, dict) and isinstance(entry.get("file_id"), int)]
        if declared:
            gone = [record.id for record in declared]
            await self._delete(delete(DeclaredReview).where(DeclaredReview.record_id.in_(gone)))
            await self._delete(delete(DeclaredRevision).where(DeclaredRevision.record_id.in_(gone)))
            await self._delete(delete(DeclaredRecord).where(DeclaredRecord.id.in_(gone)))
        return len(ids) + len(declared), file_ids

    async def purge_revisions(self, before: datetime) -> int:
        return (await self._delete(delete(RecordRevision).where(RecordRevision.replaced_at < before))
                + await self._delete(delete(DeclaredRevision).where(DeclaredRevision.replaced_at < before)))

    async def purge_handled(self, before: datetime) -> int:
        return await self._delete(delete(HandledMessage).where(HandledMessage.handled_at < before))

    async def _delete(self, statement) -> int:
        result = await self.session.execute(statement.execution_options(synchronize_session=False))
        return result.rowcount or 0


def _replace(text: str, replacements: list[tuple[str, str]]) -> str:
    for old, new in replacements:
        if old:
            text = text.replace(old, new)
    return text


def _replace_json(value: dict | None, replacements: list[tuple[str, str]]) -> dict | None:
    if value is None:
        return None
    return json.loads(_replace(json.dumps(value, ensure_ascii=False), [
        (json.dumps(old, ensure_ascii=False)[1:-1], json.dumps(new, ensure_ascii=False)[1:-1])
        for old, new in replacements]))
