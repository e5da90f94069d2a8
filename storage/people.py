"""Repositories for people: roster members and their chat accounts, roles, mentorships, join
requests, and the audit log of what coordinators changed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import (
    Account,
    AuditEntry,
    Invitation,
    JoinRequest,
    Member,
    MemberRole,
    Mentorship,
    RosterAccount,
)


@dataclass(frozen=True)
class RosterLine:
    """A member as a roster listing shows it."""

    member: Member
    linked: bool
    roles: frozenset[str]


class Members:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, member_id: int) -> Member | None:
        return await self.session.get(Member, member_id)

    async def by_account(self, platform: str, user_id: str) -> Member | None:
        return await self.session.scalar(
            select(Member)
            .join(Account, Account.member_id == Member.id)
            .where(Account.platform == platform, Account.user_id == user_id)
        )

    async def add(self, member: Member, roles: Iterable[str] = ()) -> Member:
        self.session.add(member)
        await self.session.flush()
        for role in roles:
            await self.grant(member.id, role, member.created_at)
        await self.session.refresh(member)
        return member

    async def update(self, member: Member, **values: object) -> Member:
        """Change stored columns of one member and reload its school, workshop and group."""
        for column, value in values.items():
            setattr(member, column, value)
        await self.session.flush()
        await self.session.refresh(member)
        return member

    async def link_account(
        self, member: Member, platform: str, user_id: str, display_name: str, now: datetime, via: str = "",
    ) -> None:
        self.session.add(
            Account(
                platform=platform, user_id=user_id, member_id=member.id,
                display_name=display_name[:200], linked_at=now, via=via,
            )
        )
        await self.session.flush()

    async def accounts(self, member_id: int) -> list[Account]:
        rows = await self.session.scalars(
            select(Account).where(Account.member_id == member_id).order_by(Account.linked_at, Account.id)
        )
        return list(rows)

    async def link_from_roster(
        self, platform: str, user_id: str, username: str, display_name: str, now: datetime
    ) -> Member | None:
        """Identity on first message: if the roster names this account (its id, or on Telegram its
        @username) for a current member not yet linked on this platform, link it and audit the link.

        Called by the dispatcher only for senders without a linked account, so the common path
        costs nothing more.
        """
        handles = [user_id] + ([f"@{username.lower()}"] if username else [])
        claim = await self.session.scalar(
            select(RosterAccount)
            .join(Member, Member.id == RosterAccount.member_id)
            .where(RosterAccount.platform == platform, RosterAccount.handle.in_(handles), Member.left_at.is_(None))
        )
        if claim is None or await self.account_on(claim.member_id, platform) is not None:
            return None
        member = await self.get(claim.member_id)
        await self.link_account(member, platform, user_id, display_name, now, via="roster")
        account = f"{platform}:{user_id}"
        self.session.add(AuditEntry(
            at=now, actor=account[:120], actor_member_id=member.id, action="join.roster_account",
            target=f"#{member.id} {member.name}（{member.school.name}）"[:200],
            after={"account": account, "roster": claim.handle, "member": member.id},
        ))
        await self.session.flush()
        return member

    async def account_on(self, member_id: int, platform: str) -> Account | None:
        return await self.session.scalar(
            select(Account).where(Account.member_id == member_id, Account.platform == platform)
        )

    async def named(self, name: str) -> list[Member]:
        """Current members called exactly `name`, or, for a bare surname like 赵, whose name starts with it."""
        current = select(Member).where(Member.left_at.is_(None)).order_by(Member.id)
        exact = list(await self.session.scalars(current.where(Member.name == name)))
        if exact or len(name) > 1:
            return exact
        return list(await self.session.scalars(current.where(Member.name.startswith(name))))

    async def in_school(self, school_id: int, name: str) -> list[Member]:
        rows = await self.session.scalars(
            select(Member)
            .where(Member.school_id == school_id, Member.name == name, Member.left_at.is_(None))
            .order_by(Member.id)
        )
        return list(rows)

    async def mark_left(self, member: Member, now: datetime) -> list[str]:
        """The member left the program: keep their records, unlink their chat accounts (returned)."""
        accounts = list(await self.session.scalars(select(Account).where(Account.member_id == member.id)))
        for account in accounts:
            await self.session.delete(account)
        await self.session.execute(delete(RosterAccount).where(RosterAccount.member_id == member.id))
        member.left_at = member.updated_at = now
        await self.session.flush()
        return [f"{account.platform}:{account.user_id}" for account in accounts]

    async def roles(self, member_id: int) -> set[str]:
        rows = await self.session.scalars(select(MemberRole.role).where(MemberRole.member_id == member_id))
        return set(rows)

    async def grant(self, member_id: int, role: str, now: datetime) -> bool:
        """Give the role; False if the member already had it."""
        try:
            async with self.session.begin_nested():
                self.session.add(MemberRole(member_id=member_id, role=role, granted_at=now))
        except IntegrityError:
            return False
        return True

    async def revoke(self, member_id: int, role: str) -> bool:
        result = await self.session.execute(
            delete(MemberRole).where(MemberRole.member_id == member_id, MemberRole.role == role)
        )
        return bool(result.rowcount)

    async def with_role(self, role: str) -> list[Member]:
        rows = await self.session.scalars(
            select(Member)
            .join(MemberRole, MemberRole.member_id == Member.id)
            .where(MemberRole.role == role, Member.left_at.is_(None))
            .order_by(Member.id)
        )
        return list(rows)

    async def roster(self, *, school_id: int | None = None, workshop_id: int | None = None,
                     group_id: int | None = None) -> list[RosterLine]:
        """Members of one unit (or all), current and departed, with their linking state and roles."""
        linked = exists().where(Account.member_id == Member.id)
        query = select(Member, linked).order_by(Member.left_at.is_not(None), Member.school_id, Member.name)
        for column, value in (
            (Member.school_id, school_id), (Member.workshop_id, workshop_id), (Member.group_id, group_id)
        ):
            if value is not None:
                query = query.where(column == value)
        rows = list(await self.session.execute(query))
        roles = await self._roles_of([member.id for member, _ in rows])
        return [
            RosterLine(member, bool(is_linked), frozenset(roles.get(member.id, ())))
            for member, is_linked in rows
        ]

    async def _roles_of(self, member_ids: list[int]) -> dict[int, set[str]]:
        found: dict[int, set[str]] = {}
        for start in range(0, len(member_ids), 500):
            chunk = member_ids[start:start + 500]
            rows = await self.session.execute(
                select(MemberRole.member_id, MemberRole.role).where(MemberRole.member_id.in_(chunk))
            )
            for member_id, role in rows:
                found.setdefault(member_id, set()).add(role)
        return found

    async def everyone(self) -> list[RosterLine]:
        return await self.roster()


class RosterAccounts:
    """The accounts roster files name for members, one per platform."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self) -> dict[int, dict[str, str]]:
        """member id -> {platform: handle}."""
        found: dict[int, dict[str, str]] = {}
        for row in await self.session.scalars(select(RosterAccount)):
            found.setdefault(row.member_id, {})[row.platform] = row.handle
        return found

    async def of(self, member_id: int) -> dict[str, str]:
        rows = await self.session.scalars(select(RosterAccount).where(RosterAccount.member_id == member_id))
        return {row.platform: row.handle for row in rows}

    async def put(self, member_id: int, platform: str, handle: str) -> None:
        """Name the member's account on a platform, replacing an earlier one."""
        await self.session.execute(
            delete(RosterAccount).where(RosterAccount.member_id == member_id, RosterAccount.platform == platform)
        )
        self.session.add(RosterAccount(member_id=member_id, platform=platform, handle=handle))
        await self.session.flush()


class Invitations:
    """One-time codes, kept as hashes; issuing a new code for a member withdraws the unused old one."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def issue(self, member_id: int, code_hash: str, now: datetime, by: str) -> None:
        await self.session.execute(
            delete(Invitation).where(Invitation.member_id == member_id, Invitation.used_at.is_(None))
        )
        self.session.add(Invitation(member_id=member_id, code_hash=code_hash, created_at=now, created_by=by[:120]))
        await self.session.flush()

    async def unused(self, code_hash: str) -> Invitation | None:
        return await self.session.scalar(
            select(Invitation).where(Invitation.code_hash == code_hash, Invitation.used_at.is_(None))
        )

    async def use(self, invitation: Invitation, now: datetime, account: str) -> None:
        invitation.used_at, invitation.used_by = now, account[:90]
        await self.session.flush()

    async def members_with_unused(self, issued_after: datetime) -> set[int]:
        """Members holding an unused code issued after `issued_after` (older ones have expired)."""
        return set(await self.session.scalars(select(Invitation.member_id).where(
            Invitation.used_at.is_(None), Invitation.created_at > issued_after)))

    async def unlinked_members(self) -> list[Member]:
        """Current members with no linked account and no account named on the roster: the people
        who need an invitation code to link themselves."""
        has_account = exists().where(Account.member_id == Member.id)
        has_roster_account = exists().where(RosterAccount.member_id == Member.id)
        rows = await self.session.scalars(
            select(Member).where(Member.left_at.is_(None), ~has_account, ~has_roster_account)
            .order_by(Member.school_id, Member.name, Member.id)
        )
        return list(rows)


class Mentorships:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def pair(self, mentor_id: int, apprentice_id: int, now: datetime) -> bool:
        try:
            async with self.session.begin_nested():
                self.session.add(Mentorship(mentor_id=mentor_id, apprentice_id=apprentice_id, paired_at=now))
        except IntegrityError:
            return False
        return True

    async def unpair(self, mentor_id: int, apprentice_id: int) -> bool:
        result = await self.session.execute(
            delete(Mentorship).where(
                Mentorship.mentor_id == mentor_id, Mentorship.apprentice_id == apprentice_id
            )
        )
        return bool(result.rowcount)

    async def apprentices_of(self, mentor_id: int) -> list[Member]:
        rows = await self.session.scalars(
            select(Member)
            .join(Mentorship, Mentorship.apprentice_id == Member.id)
            .where(Mentorship.mentor_id == mentor_id)
            .order_by(Member.name)
        )
        return list(rows)

    async def all_pairs(self) -> list[tuple[Member, Member]]:
        mentor, apprentice = aliased(Member), aliased(Member)
        rows = await self.session.execute(
            select(mentor, apprentice)
            .join(Mentorship, Mentorship.mentor_id == mentor.id)
            .join(apprentice, Mentorship.apprentice_id == apprentice.id)
            .order_by(mentor.name, apprentice.name)
        )
        return [(m, a) for m, a in rows]


class JoinRequests:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, request_id: int) -> JoinRequest | None:
        return await self.session.get(JoinRequest, request_id)

    async def open_for(self, platform: str, user_id: str) -> JoinRequest | None:
        return await self.session.scalar(
            select(JoinRequest).where(
                JoinRequest.platform == platform, JoinRequest.user_id == user_id,
                JoinRequest.decided_at.is_(None),
            )
        )

    async def save(self, request: JoinRequest) -> JoinRequest:
        self.session.add(request)
        await self.session.flush()
        return request

    async def open(self) -> list[JoinRequest]:
        rows = await self.session.scalars(
            select(JoinRequest).where(JoinRequest.decided_at.is_(None)).order_by(JoinRequest.id)
        )
        return list(rows)

    async def decide(self, request: JoinRequest, outcome: str, now: datetime) -> None:
        request.outcome, request.decided_at = outcome, now
        await self.session.flush()


class AuditLog:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, entry: AuditEntry) -> None:
        self.session.add(entry)
        await self.session.flush()

    async def recent(self, limit: int, action_prefix: str | None = None) -> list[AuditEntry]:
        query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
        if action_prefix:
            query = query.where(AuditEntry.action.startswith(action_prefix))
        return list(await self.session.scalars(query))

    async def count(self) -> int:
        return await self.session.scalar(select(func.count()).select_from(AuditEntry)) or 0
