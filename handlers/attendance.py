"""/here and /bye: arriving at and leaving the live online session; 签到 while one is live counts too."""

from __future__ import annotations

from datetime import timedelta

from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import Reply
from bot.kernel.router import Router
from storage.models import Attendance, OnlineSession
from storage.sessions import session_end, session_start

router = Router()


async def live_sessions(ctx: Context) -> list[OnlineSession]:
    opens = timedelta(minutes=ctx.policy.sessions.opens_before_minutes)
    return await ctx.uow.online_sessions.live_for_school(ctx.member.school_id, ctx.now, opens)


async def _pick(ctx: Context) -> OnlineSession:
    live = await live_sessions(ctx)
    wanted = ctx.args.strip().lstrip("#＃")
    if wanted:
        live = [online for online in live if str(online.id) == wanted]
    if not live:
        raise UserError("here_no_session")
    if len(live) > 1:
        raise UserError("here_which", ids="、".join(f"#{online.id}" for online in live))
    return live[0]


async def arrive(ctx: Context, online: OnlineSession) -> str:
    """Record the arrival (once per stretch) and say whether it was late."""
    existing = await ctx.uow.attendance.open_stretch(online.id, ctx.member.id)
    if existing is not None:
        return ctx.t("here_already", id=online.id, time=ctx.local(existing.arrived_at).strftime("%H:%M"))
    arrived = min(ctx.sent_at, ctx.now)
    await ctx.uow.attendance.arrive(Attendance(
        session_id=online.id, member_id=ctx.member.id, arrived_at=arrived, platform=ctx.message.platform,
        chat_id=ctx.message.chat.chat_id, message_id=ctx.message.message_id,
    ))
    late = int((arrived - session_start(online)).total_seconds() // 60)
    key = "here_late" if late > 0 else "here_ok"
    return ctx.t(key, name=ctx.member.name, id=online.id, time=ctx.local(arrived).strftime("%H:%M"), late=late)


@router.command("here", summary_key="cmd_here")
async def here(ctx: Context) -> Reply:
    return Reply(await arrive(ctx, await _pick(ctx)))


@router.command("bye", summary_key="cmd_bye")
async def bye(ctx: Context) -> Reply:
    online = await _pick(ctx)
    stretch = await ctx.uow.attendance.open_stretch(online.id, ctx.member.id)
    if stretch is None:
        raise UserError("bye_not_here", id=online.id)
    stretch.left_at = min(ctx.sent_at, ctx.now)
    early = int((session_end(online) - stretch.left_at).total_seconds() // 60)
    key = "bye_early" if early > 0 and online.status in ("scheduled", "live") else "bye_ok"
    return ctx.reply(key, name=ctx.member.name, id=online.id, time=ctx.local(stretch.left_at).strftime("%H:%M"),
                     early=early)
