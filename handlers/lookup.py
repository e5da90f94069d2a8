"""Reading the people and units a coordinator names in a command, with answers that say exactly
what went wrong; the lookups themselves live in bot.services.people and bot.services.units."""

from __future__ import annotations

from bot.domain.roles import ADMIN, COORDINATOR, person_role
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
    number = number.lstrip("#＃")
    if not (number.isascii() and number.isdigit()) or len(number) > 9:
        raise UserError(usage_key)
    return int(number), rest[0].strip() if rest else ""


SCOPE_WORDS = {"school": ("school", "学校"), "workshop": ("workshop", "工作坊")}


async def unit_scope(ctx: Context, words: list[str], usage_key: str) -> tuple[dict[str, int], str]:
    """`school|workshop <名称>` as standings/export filters and the unit's name; no words: the program."""
    if not words:
        return {}, ctx.t("announce_program")
    kind = next((key for key, names in SCOPE_WORDS.items() if words[0] in names), None)
    name = " ".join(words[1:])
    if kind is None or not name:
        raise UserError(usage_key)
    unit = await units.find(ctx.uow, kind, name)
    return {f"{kind}_id": unit.id}, unit.name


__all__ = ["actor", "find_member", "is_organiser", "member_label", "numbered", "role_from", "unit_scope"]
