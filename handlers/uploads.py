"""The file a coordinator attaches to an import command (/roster import, /hours import): downloaded
within a size limit and read as a table, every failure a UserError that says what to fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from bot.domain.roster import RosterFileError
from bot.kernel.adapter import FileUnavailable
from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import Attachment, AttachmentKind

MAX_TABLE_BYTES = 5 * 1024 * 1024
Rows = TypeVar("Rows")


async def attached_table(
    ctx: Context, missing_key: str, read: Callable[[bytes, str], Rows]
) -> tuple[Attachment, Rows]:
    """The first document attached to the message and what `read` makes of its bytes and name."""
    documents = [a for a in ctx.message.attachments if a.kind is AttachmentKind.DOCUMENT]
    if not documents:
        raise UserError(missing_key)
    attachment = documents[0]
    try:
        content = await ctx.download(attachment, MAX_TABLE_BYTES)
        return attachment, read(content, attachment.file_name or "")
    except FileUnavailable:
        raise UserError("roster_file_unavailable", max_mb=MAX_TABLE_BYTES // 2**20) from None
    except RosterFileError as problem:
        raise UserError(problem.key, **problem.values) from None
