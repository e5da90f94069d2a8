"""/join: link the chat account to a program member of a school."""

from __future__ import annotations

from bot.commands import split_args
from bot.dispatcher import Context, UserError
from bot.domain.people import name_problem, school_problem
from bot.messages import Reply
from bot.router import Router

router = Router()


@router.command("join", aliases=("register",), summary_key="cmd_join", usage_key="usage_join")
async def join(ctx: Context) -> Reply:
    if len(ctx.args) > 200:
        raise UserError("join_too_long")
    fields = [field for field in split_args(ctx.args) if field]
    if len(fields) < 2:
        raise UserError("usage_join")
    name, school_name = fields[0], " ".join(fields[1:])
    for problem in (name_problem(name), school_problem(school_name)):
        if problem:
            raise UserError(problem)
    school = await ctx.repos.schools.get_or_create(school_name, ctx.now)
    previous = (ctx.member.name, ctx.member.school.name) if ctx.member else None
    member, created = await ctx.repos.members.link(
        ctx.message.platform, ctx.message.sender.user_id, ctx.message.sender.display_name,
        name, school, ctx.now,
    )
    if created:
        return ctx.reply("joined", name=name, school=school.name)
    if previous == (name, school.name):
        return ctx.reply("join_unchanged", name=name, school=school.name)
    return ctx.reply("join_updated", name=name, school=school.name)
