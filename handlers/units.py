"""/school, /workshop, /group: coordinators create, list, rename, archive and restore units.

The three commands share one shape; bot.services.units does the work, this module reads the
arguments and words the answer.
"""

from __future__ import annotations

from bot.domain.roles import school_role_label
from bot.domain.text import split_args
from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import Reply
from bot.kernel.router import Router
from bot.services import units
from handlers.lookup import actor

router = Router()

VERBS = {
    "add": ("add", "添加", "新增", "新建"),
    "list": ("list", "列表", "查看"),
    "rename": ("rename", "改名", "重命名"),
    "archive": ("archive", "归档", "停用"),
    "restore": ("restore", "恢复", "启用"),
    "role": ("role", "类型", "角色"),
    "base": ("base", "基地校", "结对"),
}


def _verb(word: str) -> str | None:
    return next((verb for verb, words in VERBS.items() if word.lower() in words), None)


def _shown_detail(kind: str, detail: str) -> str:
    return school_role_label(detail) if kind == "school" else detail


async def _run(ctx: Context, kind: str) -> Reply:
    fields = split_args(ctx.args)
    verb = _verb(fields[0]) if fields else "list"
    if verb is None:
        raise UserError(f"usage_{kind}")
    rest = fields[1:]
    if verb == "list":
        return await _list(ctx, kind)
    if not rest:
        raise UserError(f"usage_{kind}")
    label = ctx.t(f"unit_{kind}")
    if verb == "add":
        line = await units.add(ctx.uow, actor(ctx), ctx.now, kind, rest[0], rest[1:])
        detail = _shown_detail(kind, line.detail)
        if line.base:
            detail = ctx.t("school_partner_of", role=detail, base=line.base)
        return ctx.reply("unit_added", kind=label, name=line.name, detail=f"（{detail}）" if detail else "")
    if verb == "rename":
        if len(rest) < 2:
            raise UserError(f"usage_{kind}")
        new = " ".join(rest[1:])
        old = await units.rename(ctx.uow, actor(ctx), ctx.now, kind, rest[0], new)
        return ctx.reply("unit_renamed", kind=label, old=old, new=new)
    if verb == "role":
        if kind != "school" or len(rest) < 2:
            raise UserError(f"usage_{kind}")
        role = await units.set_school_role(ctx.uow, actor(ctx), ctx.now, rest[0], rest[1])
        return ctx.reply("school_role_set", name=rest[0], role=school_role_label(role))
    if verb == "base":
        if kind != "school" or len(rest) < 2:
            raise UserError(f"usage_{kind}")
        base = await units.set_base(ctx.uow, actor(ctx), ctx.now, rest[0], " ".join(rest[1:]))
        return ctx.reply("school_base_set", name=rest[0], base=base.name)
    archiving = verb == "archive"
    name, changed = await units.set_archived(ctx.uow, actor(ctx), ctx.now, kind, rest[0], archiving)
    if not changed:
        return ctx.reply("unit_archived_already" if archiving else "unit_active_already", kind=label, name=name)
    return ctx.reply("unit_archived" if archiving else "unit_restored", kind=label, name=name)


def _line(ctx: Context, kind: str, line: units.UnitLine, indent: str = "") -> str:
    detail = _shown_detail(kind, line.detail)
    return indent + ctx.t("unit_list_line", name=line.name, detail=f" · {detail}" if detail else "",
                          count=line.members, archived=ctx.t("unit_archived_mark") if line.archived else "")


async def _list_schools(ctx: Context) -> Reply:
    """Each 基地校 with its partners under it; unassigned partners and other schools after them."""
    groups, others = await units.school_listing(ctx.uow)
    label = ctx.t("unit_school")
    if not groups and not others:
        return ctx.reply("unit_list_empty", kind=label, command="school")
    current = sum(1 + len(partners) for _base, partners in groups) + sum(1 for line in others if not line.archived)
    out = [ctx.t("unit_list_header", kind=label, count=current)]
    for base, partners in groups:
        out.append(_line(ctx, "school", base))
        out += [_line(ctx, "school", partner, indent="　└ ") for partner in partners]
    if groups and others:
        out.append(ctx.t("school_list_others"))
    out += [_line(ctx, "school", line) for line in others]
    return Reply("\n".join(out))


async def _list(ctx: Context, kind: str) -> Reply:
    if kind == "school":
        return await _list_schools(ctx)
    lines = await units.listing(ctx.uow, kind)
    label = ctx.t(f"unit_{kind}")
    if not lines:
        return ctx.reply("unit_list_empty", kind=label, command=kind)
    out = [ctx.t("unit_list_header", kind=label, count=sum(1 for line in lines if not line.archived))]
    for line in lines:
        detail = _shown_detail(kind, line.detail)
        out.append(ctx.t("unit_list_line", name=line.name, detail=f" · {detail}" if detail else "",
                         count=line.members, archived=ctx.t("unit_archived_mark") if line.archived else ""))
    return Reply("\n".join(out))


@router.command("school", summary_key="cmd_school", usage_key="usage_school")
async def school(ctx: Context) -> Reply:
    return await _run(ctx, "school")


@router.command("workshop", summary_key="cmd_workshop", usage_key="usage_workshop")
async def workshop(ctx: Context) -> Reply:
    return await _run(ctx, "workshop")


@router.command("group", summary_key="cmd_group", usage_key="usage_group")
async def group(ctx: Context) -> Reply:
    return await _run(ctx, "group")
