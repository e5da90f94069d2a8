"""/me: a teacher's own progress at a glance: check-ins, and what the policy still asks for."""

from __future__ import annotations

from bot.domain.records import LABELS
from bot.kernel.dispatcher import Context
from bot.kernel.messages import Reply
from bot.kernel.router import Router
from bot.services.declared import progress as declared_progress
from bot.services.progress import my_progress

router = Router()


@router.command("me", keywords=("我的进度", "我的情况", "查进度", "查询进度"), summary_key="cmd_me")
async def me(ctx: Context) -> Reply:
    return Reply(await progress_text(ctx))


async def progress_text(ctx: Context) -> str:
    """The sender's standing in a few lines; also the answer to a question about their progress."""
    member, today = ctx.member, ctx.today
    standing = await my_progress(ctx.uow, member.id, today, ctx.policy)
    lines = [
        ctx.t("me_header", name=member.name, school=member.school.name),
        ctx.t("me_checkins", month=today.month, month_days=standing.checkins.month_days,
              streak=standing.checkins.streak),
    ]
    for status in standing.records:
        deadline = f"{status.period.last.month}月{status.period.last.day}日"
        key = "me_record_done" if status.missing == 0 else "me_record_missing"
        lines.append(
            ctx.t(
                key, period=status.period.label, label=LABELS[status.kind], done=status.done,
                required=status.required, missing=status.missing, deadline=deadline,
            )
        )
    for kind in await declared_progress(ctx.uow, ctx.policy, member.id, ctx.roles, today):
        lines.append(ctx.t("me_record_done" if kind.missing == 0 else "me_record_missing", period=kind.period,
                           label=kind.name, done=kind.done, required=kind.required, missing=kind.missing,
                           deadline=f"{kind.last.month}月{kind.last.day}日"))
    for hours in standing.hours:
        key = "me_hours_done" if hours.done >= hours.required else "me_hours_missing"
        lines.append(ctx.t(key, kind=ctx.t(f"me_hours_{hours.category}"), done=_number(hours.done),
                           required=_number(hours.required), missing=_number(hours.required - hours.done)))
    return "\n".join(lines)


def _number(value: float) -> str:
    return f"{value:g}"
