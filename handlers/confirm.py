"""/confirm · 确认: carry out what a dry run or preview showed (a roster import, a chat-history import,
a score announcement, an erasure). Each of those registers what confirming its dialog does, so one
command serves them all and a new one needs no edit here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.kernel.dispatcher import Context
from bot.kernel.messages import Reply
from bot.kernel.router import Router

router = Router()

Confirmation = Callable[[Context], Awaitable[Reply | list | None]]
_CONFIRMATIONS: dict[str, Confirmation] = {}


def confirms(dialog_kind: str) -> Callable[[Confirmation], Confirmation]:
    """Register what /confirm does while a `dialog_kind` dialog is open (its dialog is in ctx.dialog)."""

    def register(action: Confirmation) -> Confirmation:
        if dialog_kind in _CONFIRMATIONS:
            raise ValueError(f"confirmation for {dialog_kind} registered twice")
        _CONFIRMATIONS[dialog_kind] = action
        return action

    return register


@router.command("confirm", keywords=("确认",), summary_key="cmd_confirm", interrupts_dialogs=True)
async def confirm(ctx: Context) -> Reply | list | None:
    dialog = ctx.dialog or await ctx.uow.dialogs.get(*ctx.dialog_key)
    action = _CONFIRMATIONS.get(dialog.kind) if dialog is not None and dialog.expires_at > ctx.now else None
    if action is None:
        typed_keyword_in_group = not ctx.message.is_private and not ctx.message.text.lstrip().startswith("/")
        return None if typed_keyword_in_group else ctx.reply("confirm_nothing")
    ctx.dialog = dialog
    return await action(ctx)
