"""Daily check-in: `/checkin`, or 签到 / 打卡 written the way teachers write it in the group."""

from __future__ import annotations

import re

from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import IncomingMessage, Reply
from bot.kernel.router import Router
from bot.services.checkins import check_in
from handlers.attendance import arrive, live_sessions

router = Router()

_PLAIN = re.compile(
    r"^[#＃]?(?:已)?(?:签到|打卡)(?:$|[\s:：,，。!！]+(?P<rest>.*))", re.DOTALL
)
_NAMED = re.compile(r"^(?P<name>[^\s#＃\d]{1,10}?)(?:老师)?(?:已)?(?:签到|打卡)[。!！]?$")


def _checkin_text(text: str, _message: IncomingMessage) -> str | None:
    plain = _PLAIN.match(text)
    if plain:
        return (plain["rest"] or "").strip()
    named = _NAMED.match(text)
    if named:
        return "@name:" + named["name"]
    return None


@router.command("checkin", summary_key="cmd_checkin")
async def checkin_command(ctx: Context) -> Reply:
    return await checkin_reply(ctx, ctx.args)


@router.text("checkin", _checkin_text)
async def checkin_text(ctx: Context) -> Reply | None:
    note = ctx.args
    if note.startswith("@name:"):
        if note.removeprefix("@name:") != ctx.member.name:
            raise UserError("checkin_only_self", name=ctx.member.name)
        note = ""
    return await checkin_reply(ctx, note)


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
    return Reply(text)
