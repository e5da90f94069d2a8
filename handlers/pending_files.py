"""A photo or file sent on its own, then the text that says what it is.

WeChat (and often QQ) delivers a picture and its words as two messages. A bare photo or file is
kept for the sender (quietly in a group, with a hint in a private chat); the next record they
write in that chat within the dialog timeout carries it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.kernel.access import rule_for
from bot.domain.text import clean_text, normalize
from bot.kernel.dispatcher import Context
from bot.kernel.messages import Attachment, AttachmentKind, IncomingMessage, Reply
from bot.kernel.router import Router
from bot.services import records

router = Router()

DIALOG = "files"
KEPT_KINDS = {AttachmentKind.PHOTO, AttachmentKind.DOCUMENT}
TAKES_FILES = {"record", "observe"}
"""The text rules whose records keep attachments."""


def _bare_file(text: str, message: IncomingMessage) -> str | None:
    return "" if not text.strip() and any(a.kind in KEPT_KINDS for a in message.attachments) else None


@router.text("files", _bare_file)
async def keep_files(ctx: Context) -> Reply | None:
    if ctx.member is None:  # a stranger's picture in a group is chatter
        return ctx.reply("join_first") if ctx.message.is_private else None
    if not (ctx.dialog and ctx.dialog.kind == DIALOG):
        joined = await _join_recent_record(ctx)
        if joined is not None:
            return joined or None
    kept = list(ctx.dialog.data.get("files", [])) if ctx.dialog and ctx.dialog.kind == DIALOG else []
    kept += [
        {"kind": a.kind.value, "file_ref": a.file_ref, "file_name": a.file_name, "mime_type": a.mime_type,
         "size": a.size}
        for a in ctx.message.attachments if a.kind in KEPT_KINDS
    ]
    await ctx.start_dialog(DIALOG, "waiting", {"files": kept})
    if ctx.message.is_private:
        return ctx.reply("files_kept", count=len(kept), minutes=ctx.policy.records.dialog_timeout_minutes)
    return None


async def _join_recent_record(ctx: Context) -> Reply | str | None:
    """A photo just after a record's words belongs to it (quietly in a group). None: no such record."""
    minutes = ctx.policy.records.split_post_minutes
    if not minutes:
        return None
    files = tuple(a for a in ctx.message.attachments if a.kind in KEPT_KINDS)
    since = ctx.now - timedelta(minutes=minutes)
    entry = await records.attach_to_recent(ctx.uow, ctx.member.id, ctx.message.chat.chat_id, files, since)
    if entry is None:
        return None
    if not ctx.message.is_private:
        return ""
    return ctx.reply("record_files_added", id=entry.id, count=len(files))


@router.dialog(DIALOG)
async def text_after_files(ctx: Context) -> Reply | list | None:
    """The text after the files: a record takes them along; anything else is handled as usual."""
    files = tuple(Attachment(AttachmentKind(f["kind"]), f["file_ref"], f.get("file_name"), f.get("mime_type"),
                             f.get("size")) for f in ctx.dialog.data.get("files", []))
    message = replace(ctx.message, attachments=ctx.message.attachments + files)
    route = ctx.router.for_text(normalize(clean_text(message.text)), message)
    if route is None or not rule_for(route.name).allows(ctx.roles):
        return None
    if route.name in TAKES_FILES:
        await ctx.end_dialog()
    elif route.name != "files":  # more files join the waiting ones; anything else leaves them waiting
        message = ctx.message
    return await route.handler(replace(ctx, message=message, args=route.args, dialog=None))
