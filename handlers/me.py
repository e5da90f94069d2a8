"""/me: a teacher's own progress at a glance: check-ins, and what the policy still asks for."""

from __future__ import annotations

from bot.access import Access
from bot.dispatcher import Context
from bot.domain.checkins import current_streak, month_bounds
from bot.domain.records import LABELS, RecordKind, progress
from bot.messages import Reply
from bot.router import Router

router = Router()


@router.command("me", keywords=("我的进度",), access=Access.MEMBER, summary_key="cmd_me")
async def me(ctx: Context) -> Reply:
    member, today = ctx.member, ctx.today
    first, _ = month_bounds(today)
    days = await ctx.repos.checkins.days_between(member.id, first.replace(year=first.year - 1), today)
    lines = [
        ctx.t("me_header", name=member.name, school=member.school.name),
        ctx.t(
            "me_checkins", month=today.month,
            month_days=sum(1 for day in days if day >= first), streak=current_streak(days, today),
        ),
    ]
    semester = ctx.policy.semester
    written = await ctx.repos.records.days_by_kind(member.id, min(first, semester.start), today)
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
