"""Posts that are not records but still mean something: a question about one's own progress, the
bot addressed with nothing it can place, a presence word during a live session, a near miss, and a
slash command typed as 、 by a Chinese keyboard."""

from __future__ import annotations

from dataclasses import replace

from bot.domain.understanding import Hint, Intent
from bot.kernel.access import rule_for
from bot.kernel.dispatcher import Context
from bot.kernel.messages import Reply
from bot.kernel.router import Router
from bot.services import bindings
from handlers.attendance import arrive, live_sessions
from handlers.me import progress_text
from handlers.reading import matcher, understanding_of

router = Router()

HINT_KEYS = {Hint.CHECKIN_TYPO: "hint_checkin", Hint.OBSERVATION_FIELDS: "observe_hint"}


@router.text("ask", matcher(Intent.QUESTION))
async def ask(ctx: Context) -> Reply:
    """我还差几篇？ 我的学时够了吗？ — the short personal answer /me gives."""
    if ctx.member is None:
        return ctx.reply("join_first")
    return Reply(await progress_text(ctx))


@router.text("mention", matcher(Intent.MENTION))
async def mention(ctx: Context) -> Reply:
    return ctx.reply("mention_pointer")


@router.text("presence", matcher(Intent.PRESENCE))
async def presence(ctx: Context) -> Reply | None:
    """到 / 在线 / 已进入 in a bound group while a session is live counts as arriving; otherwise chatter."""
    if ctx.member is None or ctx.message.is_private:
        return None
    if await bindings.current(ctx.uow, ctx.message.platform, ctx.message.chat.chat_id) is None:
        return None  # an unbound group is anyone's chat: 到 there is not attendance
    live = await live_sessions(ctx)
    if len(live) != 1:
        return None
    return Reply(await arrive(ctx, live[0]))


@router.text("near_miss", matcher(Intent.NEAR_MISS))
async def near_miss(ctx: Context) -> Reply | None:
    """A post that clearly meant a check-in or record but cannot be read: one brief hint."""
    if ctx.member is None:
        return None
    hint = understanding_of(ctx.message).hint
    return ctx.reply(HINT_KEYS[hint]) if hint in HINT_KEYS else None


@router.text("ime_command", matcher(Intent.COMMAND))
async def ime_command(ctx: Context):
    """、me is /me: the Chinese keyboard turned the slash into 、."""
    understood = understanding_of(ctx.message)
    spec = ctx.router.commands.get(understood.command)
    if spec is None or spec.name.startswith("__"):
        return None
    rule = rule_for(spec.name)
    if rule.chats is not None and ctx.message.chat.kind not in rule.chats:
        return ctx.reply("group_only" if ctx.message.is_private else "private_only", command=spec.name)
    if not rule.allows(ctx.roles):
        return ctx.reply("join_first") if ctx.member is None else ctx.reply("not_allowed", command=spec.name)
    return await spec.handler(replace(ctx, args=understood.args))
