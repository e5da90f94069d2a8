"""/grant, /revoke, /assign, /pair, /unpair: coordinators give roles, place people, pair mentors.

Coordinator and admin roles carry program powers, so only administrators grant or revoke them.
"""

from __future__ import annotations

from bot.domain.text import split_args
from bot.kernel.dispatcher import Context, UserError
from bot.domain.roles import ADMIN, MENTOR, PRIVILEGED_ROLES, person_role_label
from bot.kernel.messages import Reply
from bot.kernel.router import Router
from handlers.lookup import find_member, member_label, role_from

router = Router()


def _member_and_word(ctx: Context, usage_key: str) -> tuple[str, str]:
    """`<成员> <词>`: the last field is the word, the rest names the member."""
    fields = split_args(ctx.args)
    if len(fields) < 2:
        raise UserError(usage_key)
    return " ".join(fields[:-1]), fields[-1]


def _check_may_change(ctx: Context, role: str) -> None:
    if role in PRIVILEGED_ROLES and ADMIN not in ctx.roles:
        raise UserError("grant_admin_only", role=person_role_label(role))


async def _change_role(ctx: Context, granting: bool) -> Reply:
    """Grant or revoke one role of one member, audited with the roles before and after."""
    usage = "usage_grant" if granting else "usage_revoke"
    ref, word = _member_and_word(ctx, usage)
    role = role_from(ctx, word)
    _check_may_change(ctx, role)
    member = await find_member(ctx, ref)
    before = sorted(await ctx.uow.members.roles(member.id))
    labels = {"member": member_label(member), "role": person_role_label(role)}
    if granting and not await ctx.uow.members.grant(member.id, role, ctx.now):
        return ctx.reply("grant_already", **labels)
    if not granting and not await ctx.uow.members.revoke(member.id, role):
        return ctx.reply("revoke_absent", **labels)
    after = sorted({*before, role} if granting else set(before) - {role})
    await ctx.audit("role.grant" if granting else "role.revoke", member_label(member),
                    before={"roles": before}, after={"roles": after})
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
    unit_key = next(key for key, words in UNIT_WORDS.items() if fields[position].lower() in words)
    member = await find_member(ctx, " ".join(fields[:position]))
    name = " ".join(fields[position + 1:])
    repo = ctx.uow.units(unit_key)
    label = ctx.t(f"unit_{unit_key}")
    old_unit = getattr(member, unit_key)
    if name.lower() in CLEAR_WORDS:
        if unit_key == "school":
            raise UserError("assign_school_required")
        unit = None
    else:
        unit = await repo.by_name(name)
        if unit is None or unit.archived_at is not None:
            raise UserError("unit_not_found", kind=label, name=name)
    setattr(member, f"{unit_key}_id", unit.id if unit else None)
    member.updated_at = ctx.now
    await ctx.uow.db.flush()
    await ctx.uow.db.refresh(member)
    await ctx.audit(f"member.{unit_key}", member_label(member),
                    before={unit_key: old_unit.name if old_unit else None},
                    after={unit_key: unit.name if unit else None})
    return ctx.reply("assigned", member=member_label(member), kind=label,
                     name=unit.name if unit else ctx.t("assign_none"))


async def _pair_members(ctx: Context, usage_key: str):
    fields = split_args(ctx.args)
    if len(fields) != 2:
        raise UserError(usage_key)
    mentor, apprentice = await find_member(ctx, fields[0]), await find_member(ctx, fields[1])
    if mentor.id == apprentice.id:
        raise UserError("pair_self")
    return mentor, apprentice


@router.command("pair", summary_key="cmd_pair", usage_key="usage_pair")
async def pair(ctx: Context) -> Reply:
    if not ctx.args.strip():
        pairs = await ctx.uow.mentorships.all_pairs()
        if not pairs:
            return ctx.reply("pairs_none")
        lines = [ctx.t("pairs_header", count=len(pairs))]
        lines += [f"· {mentor.name} → {apprentice.name}（{apprentice.school.name}）" for mentor, apprentice in pairs]
        return Reply("\n".join(lines))
    mentor, apprentice = await _pair_members(ctx, "usage_pair")
    if MENTOR not in await ctx.uow.members.roles(mentor.id):
        raise UserError("pair_not_mentor", name=mentor.name)
    if not await ctx.uow.mentorships.pair(mentor.id, apprentice.id, ctx.now):
        return ctx.reply("pair_exists", mentor=mentor.name, apprentice=apprentice.name)
    await ctx.audit("mentor.pair", f"{member_label(mentor)} → {member_label(apprentice)}",
                    after={"mentor": mentor.id, "apprentice": apprentice.id})
    return ctx.reply("paired", mentor=member_label(mentor), apprentice=member_label(apprentice))


@router.command("unpair", summary_key="cmd_unpair", usage_key="usage_unpair")
async def unpair(ctx: Context) -> Reply:
    mentor, apprentice = await _pair_members(ctx, "usage_unpair")
    if not await ctx.uow.mentorships.unpair(mentor.id, apprentice.id):
        return ctx.reply("pair_absent", mentor=mentor.name, apprentice=apprentice.name)
    await ctx.audit("mentor.unpair", f"{member_label(mentor)} → {member_label(apprentice)}",
                    before={"mentor": mentor.id, "apprentice": apprentice.id})
    return ctx.reply("unpaired", mentor=member_label(mentor), apprentice=member_label(apprentice))
