"""Daily check-in: `/checkin`, 签到 / 打卡 in any of the shapes teachers write it, and 接龙 relays."""

from __future__ import annotations

from bot.domain.text import normalize
from bot.domain.understanding import Intent
from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import Reply
from bot.kernel.router import Router
from bot.services.checkins import check_in, check_in_relay, someone_else_named
from handlers.activities import checkin_arrivals
from handlers.attendance import arrive, live_sessions
from handlers.reading import matcher, understanding_of

router = Router()


@router.command("checkin", summary_key="cmd_checkin")
async def checkin_command(ctx: Context) -> Reply:
    return await checkin_reply(ctx, ctx.args)


@router.text("checkin", matcher(Intent.CHECKIN))
async def checkin_text(ctx: Context) -> Reply | None:
    """A name written with the check-in must be the sender's own (one teacher never checks in another)."""
    understood = understanding_of(ctx.message)
    name = understood.name
    if name and not _names_sender(ctx, name):
        if await someone_else_named(ctx.uow, name, ctx.member.id):
            raise UserError("checkin_only_self", name=ctx.member.name)
        return None  # 下午再签到: not a name at all, so not a check-in either
    return await checkin_reply(ctx, understood.note)


def _names_sender(ctx: Context, name: str) -> bool:
    """紫阳二小王芳签到, 王芳老师签到: the sender's roster or display name is in what was written."""
    own = normalize(ctx.member.name)
    shown = normalize(ctx.message.sender.display_name)
    return own in name or (len(name) >= 2 and name in shown)


@router.text("relay", matcher(Intent.RELAY))
async def relay_text(ctx: Context) -> Reply | None:
    """A 接龙 repost: the sender's own line checks her in, once; later reposts stay quiet."""
    relay = understanding_of(ctx.message).relay
    if ctx.member is None or relay is None:
        return None
    credited = await check_in_relay(
        ctx.uow, ctx.member.id, normalize(ctx.member.name), relay, ctx.policy.records.relay_proxies,
        ctx.today, ctx.now, ctx.message,
    )
    if not credited:
        return None
    return ctx.reply("relay_checked_in", names="、".join(credited), date=f"{ctx.today.month}月{ctx.today.day}日")


async def checkin_reply(ctx: Context, note: str) -> Reply:
    """Check the sender in (and into the live session, when exactly one is on)."""
    result = await check_in(ctx.uow, ctx.member.id, ctx.today, ctx.now, ctx.message, note)
    name, figures = ctx.member.name, result.figures
    if result.stored:
        text = ctx.t("checkin_ok", name=name, date=f"{result.day.month}月{result.day.day}日",
                     month_days=figures.month_days, streak=figures.streak)
    else:
        text = ctx.t("checkin_already", name=name, time=ctx.local(result.checked_at).strftime("%H:%M"),
                     month_days=figures.month_days, streak=figures.streak)
    live = await live_sessions(ctx)
    if len(live) == 1:
        text += "\n" + await arrive(ctx, live[0])
    text += "".join("\n" + line for line in await checkin_arrivals(ctx))
    return Reply(text)
