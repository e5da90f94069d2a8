"""/summary, /approve_summary, /return_summary: the session summary (纪要) from writer to host to groups."""

from __future__ import annotations

from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import OutgoingFile, OutgoingMessage
from bot.services.sessions import describe, group_chats, to_groups, to_member
from bot.kernel.router import Router
from handlers.lookup import is_organiser, numbered
from handlers.sessions import env_of
from storage.models import OnlineSession

router = Router()

SUMMARY_MIN_CHARS, SUMMARY_MAX_CHARS = 30, 20000


async def _session_arg(ctx: Context, usage_key: str) -> tuple[OnlineSession, str]:
    number, rest = numbered(ctx.args, usage_key)
    online = await ctx.uow.online_sessions.get(number)
    if online is None:
        raise UserError("session_not_found", id=number)
    return online, rest


@router.command("summary", summary_key="cmd_summary", usage_key="usage_summary")
async def summary(ctx: Context) -> list:
    online, text = await _session_arg(ctx, "usage_summary")
    if online.summary_writer_id != ctx.member.id and not is_organiser(ctx):
        raise UserError("summary_not_writer", id=online.id)
    if online.summary_status not in ("requested", "returned"):
        raise UserError("summary_not_open", id=online.id)
    files = [a for a in ctx.message.attachments]
    if not files and len(text) < SUMMARY_MIN_CHARS:
        raise UserError("summary_too_short", min=SUMMARY_MIN_CHARS)
    if len(text) > SUMMARY_MAX_CHARS:
        raise UserError("summary_too_long", max=SUMMARY_MAX_CHARS)
    online.summary_text, online.summary_status, online.updated_at = text, "submitted", ctx.now
    online.summary_attachments = [
        {"kind": a.kind.value, "file_ref": a.file_ref, "file_name": a.file_name} for a in files
    ]
    online.summary_comment = ""
    notice = ctx.t("summary_submitted_host", id=online.id, topic=online.topic, name=ctx.member.name, text=text[:1500])
    messages = await to_member(ctx.uow, env_of(ctx), online.host, notice, await _fallback(ctx, online))
    return [ctx.reply("summary_received", id=online.id, host=online.host.name), *messages]


async def _fallback(ctx: Context, online: OnlineSession):
    """Where a refused private notice goes instead: this group, or the session's first group."""
    if not ctx.message.is_private:
        return ctx.message.chat
    chats = await group_chats(ctx.uow, env_of(ctx), await ctx.uow.online_sessions.schools_of(online.id))
    return chats[0] if chats else None


def _check_reviewer(ctx: Context, online: OnlineSession) -> None:
    if not is_organiser(ctx) and (ctx.member is None or ctx.member.id != online.host_member_id):
        raise UserError("summary_not_host", id=online.id)
    if online.summary_status != "submitted":
        raise UserError("summary_nothing_to_review", id=online.id)


@router.command("approve_summary", summary_key="cmd_approve_summary", usage_key="usage_approve_summary")
async def approve_summary(ctx: Context) -> list:
    online, _ = await _session_arg(ctx, "usage_approve_summary")
    _check_reviewer(ctx, online)
    online.summary_status, online.updated_at = "approved", ctx.now
    await ctx.audit("summary.approve", f"#{online.id}", after={"writer": online.summary_writer_id})
    env = env_of(ctx)
    schools = await ctx.uow.online_sessions.schools_of(online.id)
    writer = await ctx.uow.members.get(online.summary_writer_id)
    text = ctx.t("summary_published", line=describe(env, online, schools), writer=writer.name if writer else "",
                 host=online.host.name, text=online.summary_text)
    published = await to_groups(ctx.uow, env, schools, text)
    document = next((a for a in online.summary_attachments if a.get("kind") == "document"), None)
    if document and published and ctx.capabilities.can_send_files:
        file = OutgoingFile(file_name=document.get("file_name") or f"纪要{online.id}", file_ref=document["file_ref"])
        published = [OutgoingMessage(chat=m.chat, text=m.text, file=file) for m in published]
    return [ctx.reply("summary_approved", id=online.id), *published]


@router.command("return_summary", summary_key="cmd_return_summary", usage_key="usage_return_summary")
async def return_summary(ctx: Context) -> list:
    online, comment = await _session_arg(ctx, "usage_return_summary")
    if not comment:
        raise UserError("usage_return_summary")
    _check_reviewer(ctx, online)
    online.summary_status, online.summary_comment, online.updated_at = "returned", comment, ctx.now
    await ctx.audit("summary.return", f"#{online.id}", after={"comment": comment})
    writer = await ctx.uow.members.get(online.summary_writer_id)
    notice = ctx.t("summary_returned_writer", id=online.id, topic=online.topic, host=online.host.name, comment=comment)
    messages = await to_member(ctx.uow, env_of(ctx), writer, notice, await _fallback(ctx, online)) if writer else []
    return [ctx.reply("summary_returned", id=online.id, name=writer.name if writer else ""), *messages]
