"""/cancel: leave whatever guided dialog is open; the registry of what /confirm confirms."""

from __future__ import annotations

from collections.abc import Callable

from bot.kernel.dispatcher import Context, HandlerFn
from bot.kernel.messages import Reply
from bot.kernel.router import Router

router = Router()

CONFIRMATIONS: dict[str, HandlerFn] = {}
"""Dialog kind → the handler /confirm · 确认 runs while such a dialog is open."""


def confirms(kind: str) -> Callable[[HandlerFn], HandlerFn]:
    """Register what /confirm does for a `kind` dialog (roster imports have their own)."""

    def register(handler: HandlerFn) -> HandlerFn:
        CONFIRMATIONS[kind] = handler
        return handler

    return register


@router.command("cancel", keywords=("取消",), summary_key="cmd_cancel", interrupts_dialogs=True)
async def cancel(ctx: Context) -> Reply:
    if await ctx.end_dialog():
        return ctx.reply("dialog_cancelled")
    return ctx.reply("dialog_none")
