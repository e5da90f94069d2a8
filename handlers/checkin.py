"""Daily check-in: `/checkin`, or 签到 / 打卡 written the way teachers write it in the group."""

from __future__ import annotations

import re

from bot.kernel.dispatcher import Context, UserError
from bot.domain.checkins import current_streak, month_bounds
from bot.kernel.messages import IncomingMessage, Reply
from bot.kernel.router import Router
from handlers.attendance import arrive, live_sessions
from storage.models import CheckIn

router = Router()

NOTE_MAX = 500
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
    return await _check_in(ctx, ctx.args)


@router.text("checkin", _checkin_text)
async def checkin_text(ctx: Context) -> Reply | None:
    note = ctx.args
    if note.startswith("@name:"):
        if note.removeprefix("@name:") != ctx.member.name:
            raise UserError("checkin_only_self", name=ctx.member.name)
        note = ""
    return await _check_in(ctx, note)


async def checkin_figures(ctx: Context) -> tuple[int, int]:
    """(check-in days this month, current streak) for the sender, as of the message's day."""
    today = ctx.today
    first, _ = month_bounds(today)
    days = await ctx.uow.checkins.days_between(ctx.member.id, first.replace(year=first.year - 1), today)
    return sum(1 for day in days if day >= first), current_streak(days, today)


async def _check_in(ctx: Context, note: str) -> Reply:
    reply = await _daily_check_in(ctx, note)
    live = await live_sessions(ctx)
    if len(live) == 1:
        return Reply(reply.text + "\n" + await arrive(ctx, live[0]))
    return reply


async def _daily_check_in(ctx: Context, note: str) -> Reply:
    if len(note) > NOTE_MAX:
        raise UserError("checkin_note_too_long", limit=NOTE_MAX)
    member, today = ctx.member, ctx.today
    stored = await ctx.uow.checkins.add(
        CheckIn(
            member_id=member.id, day=today, checked_at=ctx.now,
            platform=ctx.message.platform, chat_id=ctx.message.chat.chat_id,
            message_id=ctx.message.message_id, note=note,
        )
    )
    this_month, streak = await checkin_figures(ctx)
    if not stored:
        existing = await ctx.uow.checkins.on_day(member.id, today)
        return ctx.reply(
            "checkin_already", name=member.name,
            time=ctx.local(existing.checked_at).strftime("%H:%M"), month_days=this_month, streak=streak,
        )
    return ctx.reply(
        "checkin_ok", name=member.name, date=f"{today.month}月{today.day}日",
        month_days=this_month, streak=streak,
    )
