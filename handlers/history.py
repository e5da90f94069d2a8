"""/history import: a coordinator sends a group's exported chat history (.txt), or a spreadsheet
(.csv/.xlsx/.xls) of work done before the bot arrived, in a private chat; a dry run shows the
check-ins, records and hours it would backfill, by teacher and date, and the rows it cannot read;
/confirm applies it."""

from __future__ import annotations

from datetime import date

from bot.domain.backfill_sheet import is_sheet
from bot.kernel.adapter import FileUnavailable
from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import AttachmentKind, Button, Reply
from bot.kernel.router import Router
from bot.services import audit
from bot.services.history import SHEET, HistoryPlan, apply_history, plan_history, plan_sheet
from handlers.confirm import confirms
from handlers.lookup import actor, is_organiser

router = Router()

DIALOG = "history_import"
MAX_FILE_BYTES = 20 * 1024 * 1024
DETAIL_LINES = 40
PROBLEM_LINES = 30
IMPORT_WORDS = ("import", "导入", "导入聊天记录")


@router.command("history", summary_key="cmd_history", usage_key="history_usage")
async def history(ctx: Context) -> Reply:
    if ctx.args.strip().lower() not in IMPORT_WORDS:
        raise UserError("history_usage")
    documents = [a for a in ctx.message.attachments if a.kind is AttachmentKind.DOCUMENT]
    if not documents:
        raise UserError("history_usage")
    try:
        content = await ctx.download(documents[0], MAX_FILE_BYTES)
    except FileUnavailable:
        raise UserError("history_unreadable") from None
    name = documents[0].file_name or ""
    if is_sheet(name):
        plan = await plan_sheet(ctx.uow, content, name, ctx.policy, ctx.today)
    else:
        plan = await plan_history(ctx.uow, content)
    if not plan.planned:
        if plan.source == SHEET:
            return ctx.reply("backfill_nothing", rows=plan.messages, details=_details(ctx, plan))
        return ctx.reply("history_nothing", messages=plan.messages)
    await ctx.start_dialog(DIALOG, "confirm", plan.to_json())
    buttons = (Button(ctx.t("button_confirm_import"), "/confirm"), Button(ctx.t("button_cancel"), "/cancel"))
    return Reply(dry_run(ctx, plan), buttons=buttons)


def dry_run(ctx: Context, plan: HistoryPlan) -> str:
    teachers = plan.by_teacher()
    if plan.source == SHEET:
        lines = [
            ctx.t("backfill_line", name=teacher.name, checkins=len(teacher.checkin_days),
                  days=_days(teacher.checkin_days) or "—", records=teacher.records, hours=_hours(teacher.hours))
            for teacher in teachers[:DETAIL_LINES]
        ]
        return ctx.t("backfill_dry_run", rows=plan.messages, checkins=plan.checkins, records=plan.records,
                     hours=_hours(plan.hours), people=len(teachers), lines="\n".join(lines + [_details(ctx, plan)]).strip())
    lines = [
        ctx.t("history_line", name=teacher.name, checkins=len(teacher.checkin_days),
              days=_days(teacher.checkin_days) or "—", records=teacher.records)
        for teacher in teachers[:DETAIL_LINES]
    ]
    if plan.unmatched:
        lines.append(ctx.t("history_unmatched", names="、".join(plan.unmatched[:20])))
    return ctx.t("history_dry_run", messages=plan.messages, checkins=plan.checkins, records=plan.records,
                 people=len(teachers), lines="\n".join(lines))


def _details(ctx: Context, plan: HistoryPlan) -> str:
    """The names not on the roster, then each unreadable row with its number."""
    lines = [ctx.t("backfill_unmatched", names="、".join(plan.unmatched[:20]))] if plan.unmatched else []
    if plan.problems:
        lines.append(ctx.t("backfill_problems", count=len(plan.problems)))
        lines += [ctx.t("backfill_problem_line", line=p.line, problem=ctx.t(p.key, **p.values))
                  for p in plan.problems[:PROBLEM_LINES]]
    return "\n".join(lines)


def _hours(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


@confirms(DIALOG)
async def confirm_history(ctx: Context) -> Reply:
    """/confirm while a history import's dry run is open."""
    if not is_organiser(ctx):
        raise UserError("not_allowed", command="history import")
    plan = HistoryPlan.from_json(ctx.dialog.data)
    applied = await apply_history(ctx.uow, plan, ctx.policy, ctx.zone, ctx.now)
    await ctx.end_dialog()
    await audit.record(ctx.uow, actor(ctx), ctx.now, "history.import", plan.fingerprint,
                       after={"checkins": applied.checkins, "records": applied.records, "hours": applied.hours})
    if plan.source == SHEET:
        return ctx.reply("backfill_applied", checkins=applied.checkins, records=applied.records,
                         hours=_hours(applied.hours))
    return ctx.reply("history_applied", checkins=applied.checkins, records=applied.records)


def _days(days: tuple[date, ...]) -> str:
    """11月3日、11月5日…, runs of consecutive days folded: 11月3日–11月7日."""
    runs: list[list[date]] = []
    for day in days:
        if runs and (day - runs[-1][-1]).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    label = lambda day: f"{day.month}月{day.day}日"  # noqa: E731
    text = "、".join(label(run[0]) if len(run) == 1 else f"{label(run[0])}–{label(run[-1])}" for run in runs[:8])
    return text + ("…" if len(runs) > 8 else "")
