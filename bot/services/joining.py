"""Linking a chat account to a roster entry: `/join`, invitation codes (`/invite`, `yanxiu roster
codes`), and the coordinator's decision on what the roster could not settle (`/pending`, `/approve`,
`/reject`).

Knowing a name and a school proves nothing, so `/join` alone never links: an account links when
the roster names it (on its first message, see storage Members.link_from_roster), with a one-time
code handed out by a coordinator, or by a coordinator's approval. Entries holding coordinator or
administrator powers are linked (by code or approval) only on an administrator's word. Every link
is audited, and a teacher can list the accounts linked to her with a bare `/join`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.identity import (
    CODE_ALPHABET,
    CODE_LENGTH,
    code_expired,
    code_hash,
    format_code,
    normalise_code,
)
from bot.domain.people import match_school, name_problem, school_problem
from bot.domain.policy import Joining
from bot.domain.roles import TEACHER
from bot.kernel.dispatcher import UserError
from bot.services.audit import Actor, record
from bot.services.people import check_may_touch, find_member, label
from storage.models import JoinRequest, Member
from storage.repositories import Repositories

DEFAULT_JOINING = Joining()


@dataclass(frozen=True)
class Requester:
    """The chat account asking to be linked, and where to answer it."""

    platform: str
    user_id: str
    display_name: str
    chat_id: str
    chat_kind: str

    @property
    def account(self) -> str:
        return f"{self.platform}:{self.user_id}"


@dataclass(frozen=True)
class JoinOutcome:
    status: str
    """`joined`, `unchanged`, or `pending` (a request waits for a coordinator)."""
    name: str
    school: str
    request_id: int | None = None
    reason: str = ""


def parse_join(fields: list[str]) -> tuple[str, str, str | None]:
    """`<姓名> <学校…> [邀请码]`: the name, the school, and the code if the last field is one."""
    code = normalise_code(fields[-1]) if len(fields) >= 3 else None
    if code is not None:
        fields = fields[:-1]
    if len(fields) < 2:
        raise UserError("usage_join")
    name, school = fields[0], " ".join(fields[1:])
    for problem in (name_problem(name), school_problem(school)):
        if problem:
            raise UserError(problem)
    return name, school, code


async def join(uow: Repositories, now: datetime, who: Requester, member: Member | None, name: str,
               typed_school: str, actor: Actor, code: str | None = None,
               rules: Joining = DEFAULT_JOINING) -> JoinOutcome:
    if member is not None:
        if member.name == name and match_school(typed_school, [member.school.name]):
            linked_now = any(  # the roster named this account and this very message linked it
                a.user_id == who.user_id and a.platform == who.platform and a.via == "roster" and a.linked_at == now
                for a in await uow.members.accounts(member.id))
            return JoinOutcome("joined" if linked_now else "unchanged", member.name, member.school.name)
        raise UserError("join_already", name=member.name, school=member.school.name)
    schools = [school for school, _ in await uow.schools.listing()]
    matched = match_school(typed_school, [school.name for school in schools])
    if len(matched) > 1:
        raise UserError("join_which_school", schools="、".join(matched[:8]))
    if code is not None:
        return await _join_with_code(uow, now, who, name, matched, code, rules.code_days)
    if not matched:
        if actor.is_admin:
            raise UserError("join_admin_no_school", school=typed_school)
        return await _ask(uow, now, who, name, typed_school, "no_school", [])
    school = next(school for school in schools if school.name == matched[0])
    entries = await uow.members.in_school(school.id, name)
    if len(entries) == 1:
        entry = entries[0]
        if await uow.members.account_on(entry.id, who.platform) is not None:
            return await _ask(uow, now, who, name, school.name, "taken", [entry.id])
        if actor.is_admin:  # a configured administrator vouches for themselves
            await _link(uow, actor, now, who, entry, "admin")
            return JoinOutcome("joined", entry.name, school.name)
        return await _ask(uow, now, who, name, school.name, "needs_code", [entry.id])
    if not entries and actor.is_admin:
        entry = await uow.members.add(Member(name=name, school_id=school.id, created_at=now, updated_at=now))
        await record(uow, actor, now, "member.add", label(entry), after={"school": school.name})
        await _link(uow, actor, now, who, entry, "admin")
        return JoinOutcome("joined", name, school.name)
    reason = "ambiguous" if entries else "no_match"
    return await _ask(uow, now, who, name, school.name, reason, [entry.id for entry in entries])


async def _join_with_code(uow: Repositories, now: datetime, who: Requester, name: str, schools: list[str],
                          code: str, valid_days: int) -> JoinOutcome:
    """A code names one entry; it links only with that entry's name and school, only once, and
    only while it is valid (whether it expired is said only to someone who named its owner)."""
    invitation = await uow.invitations.unused(code_hash(code))
    entry = await uow.members.get(invitation.member_id) if invitation is not None else None
    if entry is None or entry.left_at is not None or entry.name != name or entry.school.name not in schools:
        raise UserError("join_code_wrong")
    if code_expired(invitation.created_at, now, valid_days):
        raise UserError("join_code_expired", days=valid_days)
    if await uow.members.account_on(entry.id, who.platform) is not None:
        return await _ask(uow, now, who, name, entry.school.name, "taken", [entry.id])
    await uow.invitations.use(invitation, now, who.account)
    await _link(uow, Actor(who.account, entry.id), now, who, entry, "code")
    return JoinOutcome("joined", entry.name, entry.school.name)


async def _link(uow: Repositories, actor: Actor, now: datetime, who: Requester, member: Member, via: str) -> None:
    """Link the account and audit it; any open request of the account is settled."""
    await uow.members.link_account(member, who.platform, who.user_id, who.display_name, now, via=via)
    request = await uow.join_requests.open_for(who.platform, who.user_id)
    if request is not None:
        await uow.join_requests.decide(request, "matched", now)
    await record(uow, actor, now, f"join.{via}", label(member),
                 after={"account": who.account, "member": member.id, "via": via})


@dataclass(frozen=True)
class LinkedAccount:
    platform: str
    user_id: str
    display_name: str
    via: str
    linked_at: datetime


async def linked_accounts(uow: Repositories, member: Member) -> list[LinkedAccount]:
    """The chat accounts linked to a member: what a teacher sees with a bare /join."""
    return [LinkedAccount(a.platform, a.user_id, a.display_name, a.via, a.linked_at)
            for a in await uow.members.accounts(member.id)]


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


async def invite(uow: Repositories, actor: Actor, now: datetime, ref: str) -> tuple[str, str]:
    """A fresh one-time code for one member (any earlier unused code stops working); returns the
    member's label and the code to hand over. Codes for coordinator or administrator entries come
    only from administrators."""
    member = await find_member(uow, ref)
    await check_may_touch(uow, actor, member)
    code = _new_code()
    await uow.invitations.issue(member.id, code_hash(code), now, actor.label)
    await record(uow, actor, now, "join.invite", label(member), after={"member": member.id})
    return label(member), format_code(code)


@dataclass(frozen=True)
class IssuedCode:
    school: str
    name: str
    member_id: int
    code: str


async def codes_for_unlinked(uow: Repositories, actor: Actor, now: datetime, renew: bool = False,
                             rules: Joining = DEFAULT_JOINING) -> tuple[list[IssuedCode], int]:
    """Codes for every current member with no linked account and no account named on the roster.

    Members who already hold an unused code still valid keep it unless `renew`; returns the new
    codes and how many members were skipped for holding one.
    """
    holding = set() if renew else await uow.invitations.members_with_unused(
        issued_after=now - timedelta(days=rules.code_days))
    issued, skipped = [], 0
    for member in await uow.invitations.unlinked_members():
        if member.id in holding:
            skipped += 1
            continue
        code = _new_code()
        await uow.invitations.issue(member.id, code_hash(code), now, actor.label)
        issued.append(IssuedCode(member.school.name, member.name, member.id, format_code(code)))
    await record(uow, actor, now, "join.codes", "roster", after={"issued": len(issued), "kept": skipped})
    return issued, skipped


async def _ask(uow: Repositories, now: datetime, who: Requester, name: str, school: str, reason: str,
               candidates: list[int]) -> JoinOutcome:
    """Open (or refresh) the sender's one pending request."""
    request = await uow.join_requests.open_for(who.platform, who.user_id)
    if request is None:
        request = JoinRequest(platform=who.platform, user_id=who.user_id, created_at=now)
    request.display_name, request.chat_id, request.chat_kind = who.display_name[:200], who.chat_id, who.chat_kind
    request.name, request.school_name, request.reason, request.candidates = name, school, reason, candidates
    await uow.join_requests.save(request)
    return JoinOutcome("pending", name, school, request.id, reason)


@dataclass(frozen=True)
class PendingRequest:
    id: int
    name: str
    school: str
    who: str
    reason: str
    candidates: list[str]


async def pending(uow: Repositories) -> list[PendingRequest]:
    found = []
    for request in await uow.join_requests.open():
        candidates = [label(m) for m in [await uow.members.get(i) for i in request.candidates] if m is not None]
        found.append(PendingRequest(request.id, request.name, request.school_name,
                                    request.display_name or request.user_id, request.reason, candidates))
    return found


@dataclass(frozen=True)
class Decision:
    request_id: int
    name: str
    """The member's name (approved) or the requested name (rejected)."""
    school: str
    member: str
    """The approved member's label; empty when rejected."""
    requester: Requester


async def _open_request(uow: Repositories, platform: str, request_id: int) -> JoinRequest:
    request = await uow.join_requests.get(request_id)
    if request is None or request.platform != platform:
        raise UserError("request_not_found", id=request_id)
    if request.decided_at is not None:
        raise UserError("request_decided", id=request.id)
    return request


def _requester(request: JoinRequest) -> Requester:
    return Requester(request.platform, request.user_id, request.display_name, request.chat_id, request.chat_kind)


async def approve(uow: Repositories, actor: Actor, now: datetime, platform: str, request_id: int,
                  choice: str) -> Decision:
    """Link the requester to the entry the coordinator picked (`#12`), or to a new entry in the
    named or requested school."""
    request = await _open_request(uow, platform, request_id)
    member = await _approved_member(uow, actor, now, request, choice)
    await check_may_touch(uow, actor, member)
    await uow.members.link_account(member, request.platform, request.user_id, request.display_name, now,
                                   via="approval")
    await uow.join_requests.decide(request, "approved", now)
    await record(uow, actor, now, "join.approve", f"#{request.id} {request.name}",
                 before={"account": f"{request.platform}:{request.user_id}", "reason": request.reason},
                 after={"member": member.id, "name": member.name, "school": member.school.name})
    return Decision(request.id, member.name, member.school.name, label(member), _requester(request))


async def _approved_member(uow: Repositories, actor: Actor, now: datetime, request: JoinRequest,
                           choice: str) -> Member:
    if choice.startswith(("#", "＃")):
        return await find_member(uow, choice)
    if request.reason == "needs_code" and not choice and len(request.candidates) == 1:
        member = await uow.members.get(request.candidates[0])
        if member is not None and member.left_at is None:
            return member
    if request.reason in {"ambiguous", "taken"} and not choice:
        raise UserError("approve_pick", id=request.id)
    schools = [school for school, _ in await uow.schools.listing()]
    wanted = choice or request.school_name
    matched = match_school(wanted, [school.name for school in schools])
    if len(matched) != 1:
        raise UserError("approve_school_unknown", id=request.id, school=wanted)
    school = next(school for school in schools if school.name == matched[0])
    member = await uow.members.add(
        Member(name=request.name, school_id=school.id, created_at=now, updated_at=now), roles=(TEACHER,),
    )
    await record(uow, actor, now, "member.add", label(member), after={"name": member.name, "school": school.name})
    return member


async def reject(uow: Repositories, actor: Actor, now: datetime, platform: str, request_id: int,
                 reason: str) -> Decision:
    request = await _open_request(uow, platform, request_id)
    await uow.join_requests.decide(request, "rejected", now)
    await record(uow, actor, now, "join.reject", f"#{request.id} {request.name}",
                 before={"account": f"{request.platform}:{request.user_id}", "school": request.school_name},
                 after={"reason": reason})
    return Decision(request.id, request.name, request.school_name, "", _requester(request))
