"""/forgetme · 删除我的数据: a teacher erases her personal data, after saying so twice."""

from __future__ import annotations

from bot.kernel.dispatcher import Context
from bot.kernel.messages import Button, Reply
from bot.kernel.router import Router
from bot.services.privacy import erase_member
from handlers.confirm import confirms

router = Router()

DIALOG = "forgetme"


@router.command("forgetme", keywords=("删除我的数据",), summary_key="cmd_forgetme")
async def forgetme(ctx: Context) -> Reply:
    await ctx.start_dialog(DIALOG, "confirm")
    buttons = (Button(ctx.t("button_forget_confirm"), "/confirm"), Button(ctx.t("button_cancel"), "/cancel"))
    return Reply(ctx.t("forget_explain", name=ctx.member.name,
                       minutes=ctx.policy.records.dialog_timeout_minutes), buttons=buttons)


@confirms(DIALOG)
async def confirm_forget(ctx: Context) -> Reply:
    if ctx.member is None:  # already erased from another chat: the open dialog is stale
        await ctx.end_dialog()
        return ctx.reply("confirm_nothing")
    erased = await erase_member(ctx.uow, ctx.member, ctx.now)
    await ctx.end_dialog()
    return ctx.reply("forget_done", records=erased.records, files=erased.files, accounts=erased.accounts)
