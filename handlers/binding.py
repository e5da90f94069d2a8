"""/bind, /unbind: tell yanxiu which school, workshop or whole program a group chat belongs to,
so reminders and score announcements reach the right people (bot.services.bindings does it)."""

from __future__ import annotations

from dataclasses import replace

from bot.domain.text import split_args
from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import Reply
from bot.kernel.router import Router
from bot.services import bindings
from bot.services.bindings import BindingView
from handlers.lookup import actor

router = Router()

SCOPES = {
    "school": ("school", "学校"),
    "workshop": ("workshop", "工作坊"),
    "program": ("program", "项目", "全项目", "培育站"),
}


def _scope(word: str) -> str | None:
    return next((scope for scope, words in SCOPES.items() if word.lower() in words), None)


def describe_binding(ctx: Context, binding: BindingView | None) -> str:
    if binding is None:
        return ctx.t("binding_none")
    if binding.scope == "program":
        return ctx.t("binding_program")
    return ctx.t(f"binding_{binding.scope}", name=binding.name)


@router.command("bind", summary_key="cmd_bind", usage_key="usage_bind")
async def bind(ctx: Context) -> Reply:
    chat = ctx.message.chat
    fields = split_args(ctx.args)
    if not fields:
        now_bound = await bindings.current(ctx.uow, chat.platform, chat.chat_id)
        return Reply(ctx.t("binding_current", binding=describe_binding(ctx, now_bound)) + "\n" + ctx.t("usage_bind"))
    scope = _scope(fields[0])
    if scope is None:
        raise UserError("usage_bind")
    _, after = await bindings.bind(ctx.uow, actor(ctx), ctx.now, platform=chat.platform, chat_id=chat.chat_id,
                                   title=chat.title, scope=scope, name=" ".join(fields[1:]))
    reply = ctx.reply("bound", binding=describe_binding(ctx, after))
    if not ctx.capabilities.reads_group_chatter:  # plain 签到 in this group would never reach the bot
        reply = replace(reply, text=reply.text + "\n\n" + ctx.t("privacy_mode_on"))
    return reply


@router.command("unbind", summary_key="cmd_unbind")
async def unbind(ctx: Context) -> Reply:
    chat = ctx.message.chat
    before = await bindings.unbind(ctx.uow, actor(ctx), ctx.now, platform=chat.platform, chat_id=chat.chat_id,
                                   title=chat.title)
    if before is None:
        return ctx.reply("unbind_none")
    return ctx.reply("unbound", binding=describe_binding(ctx, before))
