"""People on the roster: finding the one a coordinator names, roles, placement, mentor pairs,
and leaving the program.

Coordinator and administrator roles carry program powers, so only administrators give, take or
remove them here, by any path (grant, revoke, leave).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.people import parse_member_ref
from bot.domain.roles import MENTOR, PRIVILEGED_ROLES, person_role_label
from bot.kernel.dispatcher import UserError
from bot.services.audit import Actor, record
from bot.services.units import find
from storage.models import Member
from storage.repositories import Repositories


def label(member: Member) -> str:
    """`#12 王芳（紫阳县第二小学）`: how answers and the audit log name a member."""
    return f"#{member.id} {member.name}（{member.school.name}）"


async def find_member(uow: Repositories, text: str) -> Member:
    """The one current member `text` names (`#12`, `王芳`, `王芳（学校）`), or a UserError."""
    ref = parse_member_ref(text)
    if ref is None or not (ref.member_id or ref.name):
        raise UserError("member_ref_bad", ref=text)
    if ref.member_id is not None and ref.member_id >= 2**31:  # beyond any id: the database would overflow
        raise UserError("member_not_found", ref=text)
    if ref.member_id is not None:
        member = await uow.members.get(ref.member_id)
        if member is None or member.left_at is not None:
            raise UserError("member_not_found", ref=text)
        return member
    found = await uow.members.named(ref.name)
    if ref.school:
        found = [m for m in found if ref.school in m.school.name]
    if not found:
        raise UserError("member_not_found", ref=text)
    if len(found) > 1:
        raise UserError("member_ambiguous", ref=text, candidates="、".join(map(label, found[:10])))
    return found[0]


async def check_may_touch(uow: Repositories, actor: Actor, member: Member) -> None:
    """Only administrators act on a member who holds coordinator or administrator powers in ways
    that change who holds them (linking an account, removing from the program)."""
    held = await uow.members.roles(member.id) & PRIVILEGED_ROLES
    if held and not actor.is_admin:
        raise UserError("privileged_admin_only", member=label(member),
                        role=person_role_label(sorted(held)[0]))


@dataclass(frozen=True)
class RoleChange:
    member: str
    role: str
    changed: bool


async def change_role(uow: Repositories, actor: Actor, now: datetime, ref: str, role: str,
                      granting: bool) -> RoleChange:
    """Grant or revoke one role of one member, audited with the roles before and after."""
    if role in PRIVILEGED_ROLES and not actor.is_admin:
        raise UserError("grant_admin_only", role=person_role_label(role))
    member = await find_member(uow, ref)
    before = sorted(await uow.members.roles(member.id))
    changed = (await uow.members.grant(member.id, role, now) if granting
               else await uow.members.revoke(member.id, role))
    if changed:
        after = sorted({*before, role} if granting else set(before) - {role})
        await record(uow, actor, now, "role.grant" if granting else "role.revoke", label(member),
                     before={"roles": before}, after={"roles": after})
    return RoleChange(label(member), person_role_label(role), changed)


async def assign(uow: Repositories, actor: Actor, now: datetime, ref: str, kind: str,
                 unit_name: str | None) -> tuple[str, str | None]:
    """Place a member in a school, workshop or group (None takes them out of a workshop or group)."""
    member = await find_member(uow, ref)
    if unit_name is None and kind == "school":
        raise UserError("assign_school_required")
    unit = await find(uow, kind, unit_name, active=True) if unit_name is not None else None
    old_unit = getattr(member, kind)
    await uow.members.update(member, **{f"{kind}_id": unit.id if unit else None}, updated_at=now)
    await record(uow, actor, now, f"member.{kind}", label(member),
                 before={kind: old_unit.name if old_unit else None}, after={kind: unit.name if unit else None})
    return label(member), unit.name if unit else None


async def pairs(uow: Repositories) -> list[tuple[str, str, str]]:
    """Every mentor pair as (mentor, apprentice, apprentice's school)."""
    return [(m.name, a.name, a.school.name) for m, a in await uow.mentorships.all_pairs()]


async def pair(uow: Repositories, actor: Actor, now: datetime, mentor_ref: str, apprentice_ref: str,
               pairing: bool) -> tuple[str, str, bool]:
    """Pair (or unpair) a mentor and an apprentice; returns their labels and whether it changed."""
    mentor, apprentice = await find_member(uow, mentor_ref), await find_member(uow, apprentice_ref)
    if mentor.id == apprentice.id:
        raise UserError("pair_self")
    if pairing and MENTOR not in await uow.members.roles(mentor.id):
        raise UserError("pair_not_mentor", name=mentor.name)
    changed = (await uow.mentorships.pair(mentor.id, apprentice.id, now) if pairing
               else await uow.mentorships.unpair(mentor.id, apprentice.id))
    if changed:
        ids = {"mentor": mentor.id, "apprentice": apprentice.id}
        await record(uow, actor, now, "mentor.pair" if pairing else "mentor.unpair",
                     f"{label(mentor)} → {label(apprentice)}",
                     after=ids if pairing else None, before=None if pairing else ids)
    return (label(mentor) if changed else mentor.name), (label(apprentice) if changed else apprentice.name), changed


async def leave(uow: Repositories, actor: Actor, now: datetime, ref: str) -> str:
    """The member left the program: records stay, chat accounts are unlinked. A coordinator cannot
    lock another coordinator (or an administrator) out this way."""
    member = await find_member(uow, ref)
    await check_may_touch(uow, actor, member)
    accounts = await uow.members.mark_left(member, now)
    await record(uow, actor, now, "member.leave", label(member), before={"accounts": accounts}, after={"left": True})
    return label(member)

