"""/me: a teacher's own progress at a glance: check-ins, and what the policy still asks for."""

from __future__ import annotations

from bot.kernel.dispatcher import Context
from bot.domain.checkins import month_bounds
from bot.domain.records import LABELS, RecordKind, progress
from bot.kernel.messages import Reply
from bot.kernel.router import Router
from handlers.checkin import checkin_figures

router = Router()


@router.command("me", keywords=("我的进度",), summary_key="cmd_me")
async def me(ctx: Context) -> Reply:
    member, today = ctx.member, ctx.today
    month_days, streak = await checkin_figures(ctx)
    lines = [
        ctx.t("me_header", name=member.name, school=member.school.name),
        ctx.t("me_checkins", month=today.month, month_days=month_days, streak=streak),
    ]
    semester = ctx.policy.semester
    first, _ = month_bounds(today)
    written = await ctx.uow.records.days_by_kind(member.id, min(first, semester.start), today)
    for kind in RecordKind:
        status = progress(kind, written.get(kind.value, []), today, ctx.policy.records, semester)
        if status.required == 0 and status.done == 0:
            continue
        deadline = f"{status.period.last.month}月{status.period.last.day}日"
        key = "me_record_done" if status.missing == 0 else "me_record_missing"
        lines.append(
            ctx.t(
                key, period=status.period.label, label=LABELS[kind], done=status.done,
                required=status.required, missing=status.missing, deadline=deadline,
            )
        )
    return Reply("\n".join(lines))
