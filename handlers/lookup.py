"""Reading the people and units a coordinator names in a command, with answers that say exactly
what went wrong; the lookups themselves live in bot.services.people and bot.services.units."""

from __future__ import annotations

from bot.domain.text import BadNumber, parse_number
from bot.domain.roles import ADMIN, COORDINATOR, LEADER, WORKSHOP_LEADER, person_role
from bot.kernel.dispatcher import Context, UserError
from bot.services import people, units
from bot.services.audit import Actor

member_label = people.label


async def find_member(ctx: Context, text: str):
    """The one current member `text` names (`#12`, `王芳`, `王芳（学校）`), or a UserError."""
    return await people.find_member(ctx.uow, text)


def actor(ctx: Context) -> Actor:
    """The sender as the audit log and the services' permission rules see them."""
    return Actor(label=ctx.actor, member_id=ctx.member.id if ctx.member else None, roles=ctx.roles)


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


SCOPE_WORDS = {"school": ("school", "学校"), "workshop": ("workshop", "工作坊"), "group": ("group", "小组", "组")}


async def unit_scope(ctx: Context, words: list[str], usage_key: str) -> tuple[dict[str, int], str]:
    """`school|workshop|group <名称>` as standings/export filters and the unit's name; no words: the program."""
    if not words:
        return {}, ctx.t("announce_program")
    kind = next((key for key, names in SCOPE_WORDS.items() if words[0] in names), None)
    name = " ".join(words[1:])
    if kind is None or not name:
        raise UserError(usage_key)
    unit = await units.find(ctx.uow, kind, name)
    return {f"{kind}_id": unit.id}, unit.name


async def allowed_scope(ctx: Context, words: list[str], usage_key: str, refusal_key: str) -> tuple[dict[str, int], str]:
    """The unit a command covers: any the words name for an organiser; for a 坊主 or 组长 only the
    workshop or group they lead (named or not), never another's."""
    if is_organiser(ctx):
        return await unit_scope(ctx, words, usage_key)
    member = ctx.member
    own = []
    if member is not None and WORKSHOP_LEADER in ctx.roles and member.workshop is not None:
        own.append(({"workshop_id": member.workshop.id}, member.workshop.name))
    if member is not None and LEADER in ctx.roles and member.group is not None:
        own.append(({"group_id": member.group.id}, member.group.name))
    asked = " ".join(words[1:]) if len(words) > 1 else ""
    for scope, name in own:
        if not asked or asked == name:
            return scope, name
    raise UserError(refusal_key)


__all__ = ["actor", "allowed_scope", "find_member", "is_organiser", "member_label", "numbered", "role_from",
           "unit_scope"]
