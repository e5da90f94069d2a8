"""Finding the person or unit a coordinator names, with answers that say exactly what went wrong."""

from __future__ import annotations

from bot.dispatcher import Context, UserError
from bot.domain.people import parse_member_ref
from bot.domain.roles import ADMIN, COORDINATOR, person_role
from storage.models import Member


def member_label(member: Member) -> str:
    return f"#{member.id} {member.name}（{member.school.name}）"


async def find_member(ctx: Context, text: str) -> Member:
    """The one current member `text` names (`#12`, `王芳`, `王芳（学校）`), or a UserError."""
    ref = parse_member_ref(text)
    if ref is None or not (ref.member_id or ref.name):
        raise UserError("member_ref_bad", ref=text)
    if ref.member_id is not None:
        member = await ctx.repos.members.get(ref.member_id)
        if member is None or member.left_at is not None:
            raise UserError("member_not_found", ref=text)
        return member
    found = await ctx.repos.members.named(ref.name)
    if ref.school:
        found = [m for m in found if ref.school in m.school.name]
    if not found:
        raise UserError("member_not_found", ref=text)
    if len(found) > 1:
        raise UserError("member_ambiguous", ref=text, candidates="、".join(map(member_label, found[:10])))
    return found[0]


def is_organiser(ctx: Context) -> bool:
    """Coordinators and administrators see and change the whole program."""
    return bool(ctx.roles & {COORDINATOR, ADMIN})


def role_from(ctx: Context, text: str) -> str:
    role = person_role(text)
    if role is None:
        raise UserError("role_unknown", role=text)
    return role


def numbered(args: str, usage_key: str) -> tuple[int, str]:
    """`<编号> <rest>` where the number may be written `#12`; a UserError with the usage otherwise."""
    number, *rest = args.split(maxsplit=1) or [""]
    number = number.lstrip("#＃")
    if not number.isdigit():
        raise UserError(usage_key)
    return int(number), rest[0].strip() if rest else ""
