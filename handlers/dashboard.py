"""/dashboard: a signed link to the web dashboard, sent privately, valid 15 minutes."""

from __future__ import annotations

from bot.kernel.dispatcher import Context
from bot.kernel.messages import Reply
from bot.kernel.router import Router
from bot.services.dashboard import dashboard_link

router = Router()


@router.command("dashboard", summary_key="cmd_dashboard")
async def dashboard(ctx: Context) -> Reply:
    account = f"{ctx.message.platform}:{ctx.message.sender.user_id}"
    link = await dashboard_link(ctx.uow, ctx.policy, ctx.links, ctx.member, ctx.roles, account, ctx.now)
    return ctx.reply("dashboard_link", scope=link.scope_label, until=f"{ctx.local(link.expires):%H:%M}", url=link.url)
