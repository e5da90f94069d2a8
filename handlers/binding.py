"""/bind, /unbind: tell yanxiu which school, workshop or whole program a group chat belongs to,
so reminders and score announcements reach the right people."""

from __future__ import annotations

from dataclasses import replace

from bot.domain.text import split_args
from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import Reply
from bot.kernel.router import Router
from storage.models import ChatBinding

router = Router()

SCOPES = {
    "school": ("school", "学校"),
    "workshop": ("workshop", "工作坊"),
    "program": ("program", "项目", "全项目", "培育站"),
}


def _scope(word: str) -> str | None:
    return next((scope for scope, words in SCOPES.items() if word.lower() in words), None)


async def describe_binding(ctx: Context, binding: ChatBinding | None) -> str:
    if binding is None:
        return ctx.t("binding_none")
    if binding.scope == "school":
        school = await ctx.uow.schools.get(binding.school_id)
        return ctx.t("binding_school", name=school.name if school else "?")
    if binding.scope == "workshop":
        workshop = await ctx.uow.workshops.get(binding.workshop_id)
        return ctx.t("binding_workshop", name=workshop.name if workshop else "?")
    return ctx.t("binding_program")


@router.command("bind", summary_key="cmd_bind", usage_key="usage_bind")
async def bind(ctx: Context) -> Reply:
    chat = ctx.message.chat
    current = await ctx.uow.bindings.get(chat.platform, chat.chat_id)
    fields = split_args(ctx.args)
    if not fields:
        return Reply(ctx.t("binding_current", binding=await describe_binding(ctx, current)) + "\n" + ctx.t("usage_bind"))
    scope = _scope(fields[0])
    name = " ".join(fields[1:])
    if scope is None or (scope != "program") != bool(name):
        raise UserError("usage_bind")
    binding = ChatBinding(platform=chat.platform, chat_id=chat.chat_id, scope=scope, school_id=None,
                          workshop_id=None, title=chat.title[:200], bound_at=ctx.now)
    if scope == "school":
        school = await ctx.uow.schools.by_name(name)
        if school is None or school.archived_at is not None:
            raise UserError("unit_not_found", kind=ctx.t("unit_school"), name=name)
        binding.school_id = school.id
    elif scope == "workshop":
        workshop = await ctx.uow.workshops.by_name(name)
        if workshop is None or workshop.archived_at is not None:
            raise UserError("unit_not_found", kind=ctx.t("unit_workshop"), name=name)
        binding.workshop_id = workshop.id
    before = await describe_binding(ctx, current)
    await ctx.uow.bindings.bind(binding)
    after = await describe_binding(ctx, binding)
    await ctx.audit("chat.bind", f"{chat.platform}:{chat.chat_id} {chat.title}"[:200],
                    before={"binding": before} if current else None, after={"binding": after})
    reply = ctx.reply("bound", binding=after)
    if not ctx.capabilities.reads_group_chatter:  # plain 签到 in this group would never reach the bot
        reply = replace(reply, text=reply.text + "\n\n" + ctx.t("privacy_mode_on"))
    return reply


@router.command("unbind", summary_key="cmd_unbind")
async def unbind(ctx: Context) -> Reply:
    chat = ctx.message.chat
    current = await ctx.uow.bindings.get(chat.platform, chat.chat_id)
    if current is None:
        return ctx.reply("unbind_none")
    before = await describe_binding(ctx, current)
    await ctx.uow.bindings.unbind(chat.platform, chat.chat_id)
    await ctx.audit("chat.unbind", f"{chat.platform}:{chat.chat_id} {chat.title}"[:200], before={"binding": before})
    return ctx.reply("unbound", binding=before)
