"""Finding the person or unit a coordinator names, with answers that say exactly what went wrong."""

from __future__ import annotations

from bot.kernel.dispatcher import Context, UserError
from bot.domain.people import parse_member_ref
from bot.domain.text import BadNumber, parse_number
from bot.domain.roles import ADMIN, COORDINATOR, person_role
from storage.models import Member


def member_label(member: Member) -> str:
    return f"#{member.id} {member.name}（{member.school.name}）"


async def find_member(ctx: Context, text: str) -> Member:
    """The one current member `text` names (`#12`, `王芳`, `王芳（学校）`), or a UserError."""
    ref = parse_member_ref(text)
    if ref is None or not (ref.member_id or ref.name):
        raise UserError("member_ref_bad", ref=text)
    if ref.member_id is not None and ref.member_id >= 2**31:
        raise UserError("number_too_large", text=text.strip()[:20])
    if ref.member_id is not None:
        member = await ctx.uow.members.get(ref.member_id)
        if member is None or member.left_at is not None:
            raise UserError("member_not_found", ref=text)
        return member
    found = await ctx.uow.members.named(ref.name)
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
    return id_from(number, usage_key), rest[0].strip() if rest else ""


def id_from(text: str, usage_key: str) -> int:
    """An id as typed (`12`, `#12`, `＃１２`): text that is no number at all gets the usage; a number
    we cannot use (`²`, 23 digits) gets a message saying so — never an internal error."""
    try:
        return parse_number(text)
    except BadNumber as bad:
        if any(char.isnumeric() for char in text):
            raise UserError(bad.key, **bad.values) from None
        raise UserError(usage_key) from None


SCOPE_WORDS = {"school": ("school", "学校"), "workshop": ("workshop", "工作坊")}


async def unit_scope(ctx: Context, words: list[str], usage_key: str) -> tuple[dict[str, int], str]:
    """`school|workshop <名称>` as standings/export filters and the unit's name; no words: the program."""
    if not words:
        return {}, ctx.t("announce_program")
    kind = next((key for key, names in SCOPE_WORDS.items() if words[0] in names), None)
    name = " ".join(words[1:])
    if kind is None or not name:
        raise UserError(usage_key)
    unit = await ctx.uow.units(kind).by_name(name)
    if unit is None:
        raise UserError("unit_not_found", kind=ctx.t(f"unit_{kind}"), name=name)
    return {f"{kind}_id": unit.id}, unit.name
