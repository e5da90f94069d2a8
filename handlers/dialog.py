"""/cancel: leave whatever guided dialog is open."""

from __future__ import annotations

from bot.kernel.dispatcher import Context
from bot.kernel.messages import Reply
from bot.kernel.router import Router

router = Router()


@router.command("cancel", keywords=("取消",), summary_key="cmd_cancel", interrupts_dialogs=True)
async def cancel(ctx: Context) -> Reply:
    if await ctx.end_dialog():
        return ctx.reply("dialog_cancelled")
    return ctx.reply("dialog_none")
