"""/school, /workshop, /group: coordinators create, list, rename, archive and restore units.

The three commands share one shape, so one table of per-kind details drives them all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.domain.text import split_args
from bot.kernel.dispatcher import Context, UserError
from bot.domain.people import school_problem
from bot.domain.roles import school_role, school_role_label
from bot.kernel.messages import Reply
from bot.kernel.router import Router
from storage.models import School, StudyGroup, Workshop

router = Router()

VERBS = {
    "add": ("add", "添加", "新增", "新建"),
    "list": ("list", "列表", "查看"),
    "rename": ("rename", "改名", "重命名"),
    "archive": ("archive", "归档", "停用"),
    "restore": ("restore", "恢复", "启用"),
    "role": ("role", "类型", "角色"),
}


@dataclass(frozen=True)
class UnitKind:
    key: str
    """`school`, `workshop` or `group`: the command name, audit prefix and i18n label key."""
    create: Callable[[Context, str, list[str]], Awaitable[object]]
    describe: Callable[[Context, object], str]


def _verb(word: str) -> str | None:
    return next((verb for verb, words in VERBS.items() if word.lower() in words), None)


def _unit_name(ctx: Context, text: str) -> str:
    problem = school_problem(text)
    if problem:
        raise UserError("unit_name_bad", name=text)
    return text


async def _create_school(ctx: Context, name: str, extra: list[str]) -> School:
    role = _school_role(extra[0]) if extra else None
    return School(name=name, role=role, created_at=ctx.now)


async def _create_workshop(ctx: Context, name: str, extra: list[str]) -> Workshop:
    subject = " ".join(extra)
    if len(subject) > 20:
        raise UserError("subject_too_long")
    return Workshop(name=name, subject=subject, created_at=ctx.now)


async def _create_group(ctx: Context, name: str, extra: list[str]) -> StudyGroup:
    workshop_id = None
    if extra:
        workshop = await ctx.uow.workshops.by_name(" ".join(extra))
        if workshop is None:
            raise UserError("unit_not_found", kind=ctx.t("unit_workshop"), name=" ".join(extra))
        workshop_id = workshop.id
    return StudyGroup(name=name, workshop_id=workshop_id, created_at=ctx.now)


def _school_role(text: str) -> str:
    role = school_role(text)
    if role is None:
        raise UserError("school_role_unknown", role=text)
    return role


def _describe_school(ctx: Context, school: School) -> str:
    return school_role_label(school.role)


def _describe_workshop(ctx: Context, workshop: Workshop) -> str:
    return workshop.subject


def _describe_group(ctx: Context, group: StudyGroup) -> str:
    return ""


KINDS = {
    "school": UnitKind("school", _create_school, _describe_school),
    "workshop": UnitKind("workshop", _create_workshop, _describe_workshop),
    "group": UnitKind("group", _create_group, _describe_group),
}


async def _run(ctx: Context, kind: UnitKind) -> Reply:
    fields = split_args(ctx.args)
    verb = _verb(fields[0]) if fields else "list"
    if verb is None:
        raise UserError(f"usage_{kind.key}")
    rest = fields[1:]
    if verb == "list":
        return await _list(ctx, kind)
    if not rest:
        raise UserError(f"usage_{kind.key}")
    if verb == "add":
        return await _add(ctx, kind, rest)
    unit = await ctx.uow.units(kind.key).by_name(rest[0])
    if unit is None:
        raise UserError("unit_not_found", kind=ctx.t(f"unit_{kind.key}"), name=rest[0])
    label = ctx.t(f"unit_{kind.key}")
    if verb == "rename":
        if len(rest) < 2:
            raise UserError(f"usage_{kind.key}")
        new_name = _unit_name(ctx, " ".join(rest[1:]))
        if await ctx.uow.units(kind.key).by_name(new_name) is not None:
            raise UserError("unit_exists", kind=label, name=new_name)
        old_name, unit.name = unit.name, new_name
        await ctx.audit(f"{kind.key}.rename", new_name, before={"name": old_name}, after={"name": new_name})
        return ctx.reply("unit_renamed", kind=label, old=old_name, new=new_name)
    if verb == "role":
        if kind.key != "school" or len(rest) < 2:
            raise UserError(f"usage_{kind.key}")
        old_role, unit.role = unit.role, _school_role(rest[1])
        await ctx.audit("school.role", unit.name, before={"role": old_role}, after={"role": unit.role})
        return ctx.reply("school_role_set", name=unit.name, role=school_role_label(unit.role))
    archiving = verb == "archive"
    if (unit.archived_at is not None) == archiving:
        return ctx.reply("unit_archived_already" if archiving else "unit_active_already", kind=label, name=unit.name)
    before = unit.archived_at
    unit.archived_at = ctx.now if archiving else None
    await ctx.audit(
        f"{kind.key}.{verb}", unit.name,
        before={"archived_at": before.isoformat() if before else None},
        after={"archived_at": unit.archived_at.isoformat() if unit.archived_at else None},
    )
    return ctx.reply("unit_archived" if archiving else "unit_restored", kind=label, name=unit.name)


async def _add(ctx: Context, kind: UnitKind, rest: list[str]) -> Reply:
    name = _unit_name(ctx, rest[0])
    label = ctx.t(f"unit_{kind.key}")
    if await ctx.uow.units(kind.key).by_name(name) is not None:
        raise UserError("unit_exists", kind=label, name=name)
    unit = await ctx.uow.units(kind.key).add(await kind.create(ctx, name, rest[1:]))
    detail = kind.describe(ctx, unit)
    await ctx.audit(f"{kind.key}.add", name, after={"name": name, "detail": detail})
    return ctx.reply("unit_added", kind=label, name=name, detail=f"（{detail}）" if detail else "")


async def _list(ctx: Context, kind: UnitKind) -> Reply:
    units = await ctx.uow.units(kind.key).listing(include_archived=True)
    label = ctx.t(f"unit_{kind.key}")
    if not units:
        return ctx.reply("unit_list_empty", kind=label, command=kind.key)
    lines = [ctx.t("unit_list_header", kind=label, count=sum(1 for u, _ in units if u.archived_at is None))]
    for unit, count in units:
        detail = kind.describe(ctx, unit)
        archived = ctx.t("unit_archived_mark") if unit.archived_at else ""
        lines.append(ctx.t("unit_list_line", name=unit.name, detail=f" · {detail}" if detail else "",
                           count=count, archived=archived))
    return Reply("\n".join(lines))


@router.command("school", summary_key="cmd_school", usage_key="usage_school")
async def school(ctx: Context) -> Reply:
    return await _run(ctx, KINDS["school"])


@router.command("workshop", summary_key="cmd_workshop", usage_key="usage_workshop")
async def workshop(ctx: Context) -> Reply:
    return await _run(ctx, KINDS["workshop"])


@router.command("group", summary_key="cmd_group", usage_key="usage_group")
async def group(ctx: Context) -> Reply:
    return await _run(ctx, KINDS["group"])
