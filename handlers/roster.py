"""/roster: who is in a school, workshop or group; importing a roster file with a dry run first;
marking someone as having left. /confirm · 确认 applies a pending import."""

from __future__ import annotations

from dataclasses import asdict

from bot.domain.roles import LEADER, WORKSHOP_LEADER, is_assessed, person_role_label
from bot.domain.roster import (
    Action,
    RosterPlan,
    RosterRow,
    read_roster,
)
from bot.domain.text import split_args
from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import Button, Reply
from bot.kernel.router import Router
from bot.services import bindings, people, units
from bot.services.roster import RosterLine, import_plan, plan_for, unit_roster
from handlers.confirm import confirms
from handlers.lookup import actor, is_organiser
from handlers.uploads import attached_table

router = Router()

IMPORT_DIALOG = "roster_import"
DETAIL_LINES = 40
UNIT_WORDS = {"school": ("school", "学校"), "workshop": ("workshop", "工作坊"), "group": ("group", "小组")}


@router.command("roster", summary_key="cmd_roster", usage_key="usage_roster")
async def roster(ctx: Context) -> Reply:
    fields = split_args(ctx.args)
    verb = fields[0].lower() if fields else ""
    if verb in ("import", "导入"):
        return await _import(ctx)
    if verb in ("leave", "离开", "退出"):
        return await _leave(ctx, " ".join(fields[1:]))
    unit_key = next((key for key, words in UNIT_WORDS.items() if verb in words), None)
    if fields and unit_key is None:
        raise UserError("usage_roster")
    return await _show(ctx, unit_key, " ".join(fields[1:]))


async def _show(ctx: Context, unit_key: str | None, name: str) -> Reply:
    if unit_key is None:
        unit_key, unit = await _default_unit(ctx)
    else:
        unit = await units.find(ctx.uow, unit_key, name)
    if not is_organiser(ctx) and not _leads(ctx, unit_key, unit):
        raise UserError("roster_not_yours")
    if unit is None:
        return await _program_summary(ctx)
    lines = await unit_roster(ctx.uow, unit_key, unit.id)
    return Reply(_format_unit(ctx, ctx.t(f"unit_{unit_key}"), unit.name, lines))


async def _default_unit(ctx: Context):
    """The unit this chat is bound to; for a leader outside such a chat, the unit they lead."""
    chat = ctx.message.chat
    binding = await bindings.current(ctx.uow, chat.platform, chat.chat_id)
    if binding is not None and binding.scope in ("school", "workshop"):
        return binding.scope, await units.find(ctx.uow, binding.scope, binding.name)
    if not is_organiser(ctx) and ctx.member is not None:
        if WORKSHOP_LEADER in ctx.roles and ctx.member.workshop is not None:
            return "workshop", ctx.member.workshop
        if LEADER in ctx.roles and ctx.member.group is not None:
            return "group", ctx.member.group
    return "program", None


def _leads(ctx: Context, unit_key: str, unit) -> bool:
    """Workshop leaders see their workshop's roster and group leaders their group's, nothing more."""
    if ctx.member is None or unit is None:
        return False
    if unit_key == "workshop":
        return WORKSHOP_LEADER in ctx.roles and ctx.member.workshop_id == unit.id
    if unit_key == "group":
        return LEADER in ctx.roles and ctx.member.group_id == unit.id
    return False


async def _program_summary(ctx: Context) -> Reply:
    everyone = await unit_roster(ctx.uow)
    current = [line for line in everyone if line.member.left_at is None]
    lines = [ctx.t("roster_program_header", count=len(current), linked=sum(line.linked for line in current))]
    by_school: dict[str, list[RosterLine]] = {}
    for line in current:
        by_school.setdefault(line.member.school.name, []).append(line)
    for school, members in sorted(by_school.items()):
        lines.append(ctx.t("roster_program_line", school=school, count=len(members),
                           linked=sum(line.linked for line in members)))
    lines.append(ctx.t("roster_program_footer"))
    return Reply("\n".join(lines))


def _format_unit(ctx: Context, kind: str, name: str, lines: list[RosterLine]) -> str:
    current = [line for line in lines if line.member.left_at is None]
    left = [line for line in lines if line.member.left_at is not None]
    unlinked = [line for line in current if not line.linked]
    out = [ctx.t("roster_unit_header", kind=kind, name=name, count=len(current),
                 linked=len(current) - len(unlinked))]
    for line in current:
        member = line.member
        extras = [member.subject] if member.subject else []
        extras += [person_role_label(role) for role in sorted(line.roles) if role != "teacher"]
        mark = "" if line.linked else ctx.t("roster_unlinked_mark")
        out.append(f"· {member.name} #{member.id}" + "".join(f" · {extra}" for extra in extras) + mark)
    if unlinked:
        out.append(ctx.t("roster_unlinked", count=len(unlinked),
                         names="、".join(line.member.name for line in unlinked)))
    if left:
        out.append(ctx.t("roster_left", count=len(left), names="、".join(line.member.name for line in left)))
    return "\n".join(out)


async def _leave(ctx: Context, ref: str) -> Reply:
    if not is_organiser(ctx):
        raise UserError("not_allowed", command="roster leave")
    if not ref:
        raise UserError("usage_roster")
    member = await people.leave(ctx.uow, actor(ctx), ctx.now, ref)
    return ctx.reply("roster_member_left", member=member)


async def _import(ctx: Context) -> Reply:
    if not is_organiser(ctx):
        raise UserError("not_allowed", command="roster import")
    if not ctx.message.is_private:
        raise UserError("roster_import_private")
    attachment, rows = await attached_table(ctx, "roster_import_how", read_roster)
    plan = await plan_for(ctx.uow, actor(ctx), rows)
    await ctx.start_dialog(IMPORT_DIALOG, "confirm",
                           {"file": attachment.file_name, "rows": [asdict(row) for row in rows]})
    report = describe_plan(ctx.t, plan, attachment.file_name or "", frozenset(ctx.policy.program.staff_roles))
    buttons = (Button(ctx.t("button_confirm_import"), "/confirm"), Button(ctx.t("button_cancel"), "/cancel"))
    return Reply(report + "\n\n" + ctx.t("roster_confirm_hint"), buttons=buttons)


def describe_plan(t, plan: RosterPlan, file_name: str, staff_roles: frozenset[str] = frozenset()) -> str:
    """The dry-run report: totals, new units, who would not be assessed, then the rejected, updated and
    created rows."""
    lines = [t("roster_plan_header", file=file_name, rows=len(plan.rows),
               create=plan.count(Action.CREATE), update=plan.count(Action.UPDATE),
               unchanged=plan.count(Action.UNCHANGED), reject=plan.count(Action.REJECT))]
    for key, names in (("unit_school", plan.new_schools), ("unit_workshop", plan.new_workshops),
                       ("unit_group", plan.new_groups)):
        if names:
            lines.append(t("roster_plan_new_units", kind=t(key), names="、".join(names)))
    if plan.partnerships:
        lines.append(t("roster_plan_partnerships", pairs="、".join(
            f"{school}→{base}" for school, _before, base in plan.partnerships)))
    staff = [row for row in plan.rows if row.action is not Action.REJECT and row.roles
             and not is_assessed(row.roles, staff_roles)]
    if staff:
        lines.append(t("roster_plan_not_assessed", names="、".join(row.name for row in staff[:DETAIL_LINES])))
    sections = (
        (Action.REJECT, "roster_plan_rejected",
         lambda row: t("roster_plan_reject_line", line=row.line, name=row.name or "-",
                       reason=t(row.problem, **dict(row.problem_values)))),
        (Action.UPDATE, "roster_plan_updated",
         lambda row: t("roster_plan_update_line", line=row.line, name=row.name, changes="；".join(
             _change(t, *change) for change in row.changes))),
        (Action.CREATE, "roster_plan_created",
         lambda row: t("roster_plan_create_line", line=row.line, name=row.name, school=row.school)),
    )
    for action, header, describe in sections:
        rows = [row for row in plan.rows if row.action is action]
        if rows:
            lines.append(t(header))
            lines += [describe(row) for row in rows[:DETAIL_LINES]]
            if len(rows) > DETAIL_LINES:
                lines.append(t("roster_plan_more", count=len(rows) - DETAIL_LINES))
    return "\n".join(lines)


def _change(t, field: str, old: str, new: str) -> str:
    if field == "rejoin":
        return t("roster_field_rejoin")
    if field.startswith("account_"):
        return f"{t('roster_field_' + field)} {old or '—'}→{new}"
    if field == "roles":
        old, new = ("、".join(map(person_role_label, value.split("、"))) if value else "" for value in (old, new))
    return f"{t('roster_field_' + field)} {old or '—'}→{new or '—'}"


@confirms(IMPORT_DIALOG)
async def confirm_import(ctx: Context) -> Reply:
    """/confirm while a roster import's dry run is open: plan again against today's roster, apply."""
    if not is_organiser(ctx):
        raise UserError("not_allowed", command="roster import")
    dialog = ctx.dialog
    rows = [RosterRow(**row) for row in dialog.data["rows"]]
    plan = await plan_for(ctx.uow, actor(ctx), rows)
    applied = await import_plan(ctx.uow, actor(ctx), ctx.now, plan, dialog.data.get("file") or "")
    await ctx.end_dialog()
    return ctx.reply("roster_imported", created=applied.created, updated=applied.updated,
                     rejected=plan.count(Action.REJECT))
