"""/summary, /approve_summary, /return_summary: the session summary (纪要) from writer to host to groups."""

from __future__ import annotations

from bot.kernel.dispatcher import Context, UserError
from bot.kernel.router import Router
from bot.services import summaries as service
from handlers.lookup import is_organiser, numbered
from handlers.sessions import env_of

router = Router()


async def _session_arg(ctx: Context, usage_key: str):
    number, rest = numbered(ctx.args, usage_key)
    return await service.find(ctx.uow, number), rest


async def _fallback(ctx: Context, online):
    """Where a refused private notice goes instead: this group, or the session's first group."""
    if not ctx.message.is_private:
        return ctx.message.chat
    return await service.fallback_group(ctx.uow, env_of(ctx), online)


@router.command("summary", summary_key="cmd_summary", usage_key="usage_summary")
async def summary(ctx: Context) -> list:
    online, text = await _session_arg(ctx, "usage_summary")
    messages = await service.submit(
        ctx.uow, env_of(ctx), online, writer=ctx.member, organiser=is_organiser(ctx), text=text,
        files=list(ctx.message.attachments), now=ctx.now, fallback=await _fallback(ctx, online))
    return [ctx.reply("summary_received", id=online.id, host=online.host.name), *messages]


@router.command("approve_summary", summary_key="cmd_approve_summary", usage_key="usage_approve_summary")
async def approve_summary(ctx: Context) -> list:
    online, _ = await _session_arg(ctx, "usage_approve_summary")
    service.check_reviewer(online, ctx.member, is_organiser(ctx))
    published = await service.approve(ctx.uow, env_of(ctx), online, ctx.now, files=ctx.capabilities.can_send_files)
    await ctx.audit("summary.approve", f"#{online.id}", after={"writer": online.summary_writer_id})
    return [ctx.reply("summary_approved", id=online.id), *published]


@router.command("return_summary", summary_key="cmd_return_summary", usage_key="usage_return_summary")
async def return_summary(ctx: Context) -> list:
    online, comment = await _session_arg(ctx, "usage_return_summary")
    if not comment:
        raise UserError("usage_return_summary")
    service.check_reviewer(online, ctx.member, is_organiser(ctx))
    returned = await service.send_back(ctx.uow, env_of(ctx), online, comment, ctx.now, await _fallback(ctx, online))
    await ctx.audit("summary.return", f"#{online.id}", after={"comment": comment})
    return [ctx.reply("summary_returned", id=online.id, name=returned.writer.name if returned.writer else ""),
            *returned.messages]
