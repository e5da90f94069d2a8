"""/program · 项目 in a deployment of one program: says which. With several programs the program
switch in front of the dispatchers answers it (it is the switch's own command, see docs/部署.md)."""

from __future__ import annotations

from bot.kernel.dispatcher import Context
from bot.kernel.messages import Reply
from bot.kernel.router import Router

router = Router()


@router.command("program", keywords=("项目",), summary_key="cmd_program", usage_key="usage_program")
async def program(ctx: Context) -> Reply:
    return ctx.reply("program_single", name=ctx.policy.name)
