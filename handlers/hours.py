"""/hours import: a coordinator sends the training platform's online-hours export (CSV/XLSX with
姓名, 学校, 学时) in a private chat; a dry run shows whom it matches and what it adds; /confirm books it.
Also the hour lines /score shows: each category against its target, the school year and five years."""

from __future__ import annotations

from dataclasses import asdict

from bot.domain.hours import HoursPlanRow, HoursRow, read_hours_export
from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import Button, Reply
from bot.kernel.router import Router
from bot.services import hours as service
from handlers.confirm import confirms
from handlers.lookup import actor, is_organiser
from handlers.uploads import attached_table

router = Router()

DIALOG = "hours_import"
DETAIL_LINES = 30
IMPORT_WORDS = ("import", "导入")


@router.command("hours", summary_key="cmd_hours", usage_key="usage_hours")
async def hours(ctx: Context) -> Reply:
    if ctx.args.strip().lower() not in IMPORT_WORDS:
        raise UserError("usage_hours")
    attachment, rows = await attached_table(ctx, "usage_hours", read_hours_export)
    plans = await service.plan_import(ctx.uow, rows)
    await ctx.start_dialog(DIALOG, "confirm", {"file": attachment.file_name or "",
                                               "rows": [asdict(row) for row in rows]})
    buttons = (Button(ctx.t("button_confirm_import"), "/confirm"), Button(ctx.t("button_cancel"), "/cancel"))
    return Reply(dry_run(ctx, plans, attachment.file_name or "") + "\n\n" + ctx.t("hours_confirm_hint"),
                 buttons=buttons)


def dry_run(ctx: Context, plans: list[HoursPlanRow], file_name: str) -> str:
    changed = [p for p in plans if not p.problem and p.change != 0]
    rejected = [p for p in plans if p.problem]
    lines = [ctx.t("hours_plan_header", file=file_name, rows=len(plans), changed=len(changed),
                   hours=f"{sum(p.change for p in changed):g}", unchanged=len(plans) - len(changed) - len(rejected),
                   rejected=len(rejected))]
    if rejected:
        lines.append(ctx.t("hours_plan_rejected"))
        lines += [ctx.t("hours_plan_reject_line", line=p.row.line, name=p.row.name or "-", reason=ctx.t(p.problem))
                  for p in rejected[:DETAIL_LINES]]
    if changed:
        lines.append(ctx.t("hours_plan_changed"))
        lines += [ctx.t("hours_plan_change_line", line=p.row.line, name=p.row.name,
                        total=f"{p.row.hours:g}", change=f"{p.change:+g}") for p in changed[:DETAIL_LINES]]
    if len(rejected) > DETAIL_LINES or len(changed) > DETAIL_LINES:
        lines.append(ctx.t("roster_plan_more", count=max(len(rejected), len(changed)) - DETAIL_LINES))
    return "\n".join(lines)


@confirms(DIALOG)
async def confirm_import(ctx: Context) -> Reply:
    """/confirm while an hours import's dry run is open: plan again against the ledger, book."""
    if not is_organiser(ctx):
        raise UserError("not_allowed", command="hours import")
    rows = [HoursRow(**row) for row in ctx.dialog.data["rows"]]
    result = await service.apply_import(ctx.uow, ctx.policy, actor(ctx), rows, file_name=ctx.dialog.data["file"],
                                        today=ctx.today, now=ctx.now)
    await ctx.end_dialog()
    return ctx.reply("hours_imported", booked=result.booked, hours=f"{result.hours:g}",
                     unchanged=result.unchanged, rejected=result.rejected)


async def hour_lines(ctx: Context, member_id: int, semester_hours) -> list[str]:
    """"学时明细：线上 40/120 · 校本 12/30 · 县级 6" and "本学年 58/72 · 五年 200/360" for /score."""
    lines = []
    shown = service.semester_progress(ctx.policy, semester_hours)
    if any(p.category != "school" for p in shown):
        parts = [ctx.t("hours_part_target" if p.target else "hours_part", category=ctx.t(f"hours_category_{p.category}"),
                       have=f"{p.have:g}", target=f"{p.target:g}") for p in shown]
        lines.append(ctx.t("score_hours_by_category", parts=" · ".join(parts)))
    long = await service.long_term(ctx.uow, ctx.policy, member_id, ctx.today)
    if long is not None:
        parts = []
        if long.year_target:
            parts.append(ctx.t("hours_year", have=f"{long.year_hours:g}", target=f"{long.year_target:g}"))
        if long.cycle_target:
            parts.append(ctx.t("hours_cycle", first=long.cycle_first.year, last=long.cycle_last.year,
                               have=f"{long.cycle_hours:g}", target=f"{long.cycle_target:g}"))
        lines.append(ctx.t("score_hours_long", parts=" · ".join(parts)))
    return lines
