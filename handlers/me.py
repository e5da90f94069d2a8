"""/me: a teacher's own progress at a glance."""

from __future__ import annotations

from bot.access import Access
from bot.dispatcher import Context
from bot.domain.checkins import current_streak, month_bounds
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
    return Reply("\n".join(lines))
