"""Linking a chat account to a roster entry: `/join`, and the coordinator's decision on what the
roster could not settle (`/pending`, `/approve`, `/reject`).

A teacher never picks an identity: only an exact, unambiguous roster match links at once; no match,
several matches, or an entry already linked to another account waits for a coordinator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.people import match_school, name_problem, school_problem
from bot.domain.roles import TEACHER
from bot.kernel.dispatcher import UserError
from bot.services.audit import Actor, record
from bot.services.people import find_member, label
from storage.models import JoinRequest, Member
from storage.repositories import Repositories


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


def parse_join(args_fields: list[str]) -> tuple[str, str]:
    """`<姓名> <学校…>` checked as a person's and a school's name."""
    if len(args_fields) < 2:
        raise UserError("usage_join")
    name, school = args_fields[0], " ".join(args_fields[1:])
    for problem in (name_problem(name), school_problem(school)):
        if problem:
            raise UserError(problem)
    return name, school


async def join(uow: Repositories, now: datetime, who: Requester, member: Member | None, name: str,
               typed_school: str, actor: Actor) -> JoinOutcome:
    if member is not None:
        if member.name == name and match_school(typed_school, [member.school.name]):
            return JoinOutcome("unchanged", member.name, member.school.name)
        raise UserError("join_already", name=member.name, school=member.school.name)
    schools = [school for school, _ in await uow.schools.listing()]
    matched = match_school(typed_school, [school.name for school in schools])
    if len(matched) > 1:
        raise UserError("join_which_school", schools="、".join(matched[:8]))
    if not matched:
        if actor.is_admin:
            raise UserError("join_admin_no_school", school=typed_school)
        return await _ask(uow, now, who, name, typed_school, "no_school", [])
    school = next(school for school in schools if school.name == matched[0])
    entries = await uow.members.in_school(school.id, name)
    if len(entries) == 1:
        entry = entries[0]
        if await uow.members.account_on(entry.id, who.platform) is None:
            await _link(uow, now, who, entry, "join")
            return JoinOutcome("joined", entry.name, school.name)
        return await _ask(uow, now, who, name, school.name, "taken", [entry.id])
    if not entries and actor.is_admin:
        entry = await uow.members.add(Member(name=name, school_id=school.id, created_at=now, updated_at=now))
        await _link(uow, now, who, entry, "admin")
        await record(uow, actor, now, "member.add", label(entry), after={"school": school.name})
        return JoinOutcome("joined", name, school.name)
    reason = "ambiguous" if entries else "no_match"
    return await _ask(uow, now, who, name, school.name, reason, [entry.id for entry in entries])


async def _link(uow: Repositories, now: datetime, who: Requester, member: Member, via: str) -> None:
    await uow.members.link_account(member, who.platform, who.user_id, who.display_name, now)
    request = await uow.join_requests.open_for(who.platform, who.user_id)
    if request is not None:
        await uow.join_requests.decide(request, "matched", now)


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
    await uow.members.link_account(member, request.platform, request.user_id, request.display_name, now)
    await uow.join_requests.decide(request, "approved", now)
    await record(uow, actor, now, "join.approve", f"#{request.id} {request.name}",
                 before={"account": f"{request.platform}:{request.user_id}", "reason": request.reason},
                 after={"member": member.id, "name": member.name, "school": member.school.name})
    return Decision(request.id, member.name, member.school.name, label(member), _requester(request))


async def _approved_member(uow: Repositories, actor: Actor, now: datetime, request: JoinRequest,
                           choice: str) -> Member:
    if choice.startswith(("#", "＃")):
        return await find_member(uow, choice)
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
