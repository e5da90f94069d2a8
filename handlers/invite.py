"""/invite <姓名>: a coordinator gets a one-time code to hand to one rostered teacher, who links with
`/join 姓名 学校 邀请码`. Private chat only: the code is a key and must not be shown to a group."""

from __future__ import annotations

from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import Reply
from bot.kernel.router import Router
from bot.services import joining
from handlers.lookup import actor

router = Router()


@router.command("invite", summary_key="cmd_invite", usage_key="usage_invite")
async def invite(ctx: Context) -> Reply:
    if not ctx.args.strip():
        raise UserError("usage_invite")
    member, code = await joining.invite(ctx.uow, actor(ctx), ctx.now, ctx.args.strip())
    return ctx.reply("invited", member=member, code=code, days=ctx.policy.joining.code_days)
