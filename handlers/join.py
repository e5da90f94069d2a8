"""/join: link the chat account to the teacher's roster entry, or ask a coordinator to approve it
(the rules are in bot.services.joining)."""

from __future__ import annotations

from bot.domain.text import split_args
from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import Reply
from bot.kernel.router import Router
from bot.services import joining
from handlers.lookup import actor

router = Router()


def requester(ctx: Context) -> joining.Requester:
    sender, chat = ctx.message.sender, ctx.message.chat
    return joining.Requester(ctx.message.platform, sender.user_id, sender.display_name, chat.chat_id, chat.kind.value)


@router.command("join", aliases=("register",), summary_key="cmd_join", usage_key="usage_join")
async def join(ctx: Context) -> Reply:
    if len(ctx.args) > 200:
        raise UserError("join_too_long")
    name, school = joining.parse_join([field for field in split_args(ctx.args) if field])
    outcome = await joining.join(ctx.uow, ctx.now, requester(ctx), ctx.member, name, school, actor(ctx))
    if outcome.status == "pending":
        return ctx.reply(f"join_pending_{outcome.reason}", id=outcome.request_id, name=outcome.name,
                         school=outcome.school)
    return ctx.reply("joined" if outcome.status == "joined" else "join_unchanged",
                     name=outcome.name, school=outcome.school)
