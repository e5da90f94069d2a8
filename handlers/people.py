"""/grant, /revoke, /assign, /pair, /unpair: coordinators give roles, place people, pair mentors.

Coordinator and admin roles carry program powers, so only administrators grant or revoke them
(checked in bot.services.people, the same for every path).
"""

from __future__ import annotations

from bot.domain.text import split_args
from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import Reply
from bot.kernel.router import Router
from bot.services import people
from handlers.lookup import actor, role_from

router = Router()


def _member_and_word(ctx: Context, usage_key: str) -> tuple[str, str]:
    """`<成员> <词>`: the last field is the word, the rest names the member."""
    fields = split_args(ctx.args)
    if len(fields) < 2:
        raise UserError(usage_key)
    return " ".join(fields[:-1]), fields[-1]


async def _change_role(ctx: Context, granting: bool) -> Reply:
    ref, word = _member_and_word(ctx, "usage_grant" if granting else "usage_revoke")
    change = await people.change_role(ctx.uow, actor(ctx), ctx.now, ref, role_from(ctx, word), granting)
    labels = {"member": change.member, "role": change.role}
    if not change.changed:
        return ctx.reply("grant_already" if granting else "revoke_absent", **labels)
    return ctx.reply("granted" if granting else "revoked", **labels)


@router.command("grant", summary_key="cmd_grant", usage_key="usage_grant")
async def grant(ctx: Context) -> Reply:
    return await _change_role(ctx, granting=True)


@router.command("revoke", summary_key="cmd_revoke", usage_key="usage_revoke")
async def revoke(ctx: Context) -> Reply:
    return await _change_role(ctx, granting=False)


UNIT_WORDS = {"school": ("school", "学校"), "workshop": ("workshop", "工作坊"), "group": ("group", "小组")}
CLEAR_WORDS = ("-", "无", "none")


@router.command("assign", summary_key="cmd_assign", usage_key="usage_assign")
async def assign(ctx: Context) -> Reply:
    """`/assign <成员> <学校|工作坊|小组> <名称>`; `-` or 无 takes someone out of a workshop or group."""
    fields = split_args(ctx.args)
    position = next((i for i, f in enumerate(fields) if any(f.lower() in w for w in UNIT_WORDS.values())), None)
    if position is None or position == 0 or position == len(fields) - 1:
        raise UserError("usage_assign")
    kind = next(key for key, words in UNIT_WORDS.items() if fields[position].lower() in words)
    name = " ".join(fields[position + 1:])
    member, unit = await people.assign(ctx.uow, actor(ctx), ctx.now, " ".join(fields[:position]), kind,
                                       None if name.lower() in CLEAR_WORDS else name)
    return ctx.reply("assigned", member=member, kind=ctx.t(f"unit_{kind}"), name=unit or ctx.t("assign_none"))


def _two_members(ctx: Context, usage_key: str) -> tuple[str, str]:
    fields = split_args(ctx.args)
    if len(fields) != 2:
        raise UserError(usage_key)
    return fields[0], fields[1]


@router.command("pair", summary_key="cmd_pair", usage_key="usage_pair")
async def pair(ctx: Context) -> Reply:
    if not ctx.args.strip():
        pairs = await people.pairs(ctx.uow)
        if not pairs:
            return ctx.reply("pairs_none")
        lines = [ctx.t("pairs_header", count=len(pairs))]
        lines += [f"· {mentor} → {apprentice}（{school}）" for mentor, apprentice, school in pairs]
        return Reply("\n".join(lines))
    mentor, apprentice, changed = await people.pair(ctx.uow, actor(ctx), ctx.now, *_two_members(ctx, "usage_pair"),
                                                    pairing=True)
    return ctx.reply("paired" if changed else "pair_exists", mentor=mentor, apprentice=apprentice)


@router.command("unpair", summary_key="cmd_unpair", usage_key="usage_unpair")
async def unpair(ctx: Context) -> Reply:
    mentor, apprentice, changed = await people.pair(ctx.uow, actor(ctx), ctx.now,
                                                    *_two_members(ctx, "usage_unpair"), pairing=False)
    return ctx.reply("unpaired" if changed else "pair_absent", mentor=mentor, apprentice=apprentice)
