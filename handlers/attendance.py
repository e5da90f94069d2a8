"""/here and /bye: arriving at and leaving the live online session; 签到 while one is live counts too."""

from __future__ import annotations

from bot.kernel.dispatcher import Context
from bot.kernel.messages import Reply
from bot.kernel.router import Router
from bot.services import attendance
from bot.services.attendance import Arrival, LiveSession

router = Router()


async def live_sessions(ctx: Context) -> list[LiveSession]:
    return await attendance.live_sessions(ctx.uow, ctx.member.school_id, ctx.now, ctx.policy)


async def arrive(ctx: Context, online: LiveSession) -> str:
    """Record the arrival (once per stretch) and say whether it was late."""
    arrival = await attendance.arrive(ctx.uow, online, ctx.member.id, min(ctx.sent_at, ctx.now), ctx.message)
    return arrival_text(ctx, arrival)


def arrival_text(ctx: Context, arrival: Arrival) -> str:
    time = ctx.local(arrival.arrived_at).strftime("%H:%M")
    if arrival.already:
        return ctx.t("here_already", id=arrival.session_id, time=time)
    key = "here_late" if arrival.late_minutes > 0 else "here_ok"
    return ctx.t(key, name=ctx.member.name, id=arrival.session_id, time=time, late=arrival.late_minutes)


@router.command("here", summary_key="cmd_here")
async def here(ctx: Context) -> Reply:
    return Reply(await arrive(ctx, attendance.pick(await live_sessions(ctx), ctx.args)))


@router.command("bye", summary_key="cmd_bye")
async def bye(ctx: Context) -> Reply:
    online = attendance.pick(await live_sessions(ctx), ctx.args)
    left = await attendance.leave(ctx.uow, online, ctx.member.id, min(ctx.sent_at, ctx.now))
    key = "bye_early" if left.early_minutes > 0 else "bye_ok"
    return ctx.reply(key, name=ctx.member.name, id=online.id, time=ctx.local(left.left_at).strftime("%H:%M"),
                     early=left.early_minutes)
