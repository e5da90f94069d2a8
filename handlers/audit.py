"""/audit: administrators read what coordinators changed, newest first."""

from __future__ import annotations

import json

from bot.domain.text import split_args
from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import Reply
from bot.kernel.router import Router
from bot.services.audit import recent

router = Router()

DEFAULT_ENTRIES, MAX_ENTRIES = 20, 200


def _compact(values: dict | None) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")) if values else "-"


@router.command("audit", summary_key="cmd_audit", usage_key="usage_audit")
async def audit(ctx: Context) -> Reply:
    """`/audit [条数] [动作前缀]`, e.g. `/audit 50 role` for the last 50 role changes."""
    limit, prefix = DEFAULT_ENTRIES, None
    for field in split_args(ctx.args):
        if field.isascii() and field.isdigit():
            limit = int(field) if len(field) <= 4 else 0
        else:
            prefix = field
    if not 1 <= limit <= MAX_ENTRIES:
        raise UserError("usage_audit")
    entries = await recent(ctx.uow, limit, prefix)
    if not entries:
        return ctx.reply("audit_empty")
    lines = [ctx.t("audit_header", count=len(entries))]
    for entry in entries:
        lines.append(ctx.t(
            "audit_line", at=ctx.local(entry.at).strftime("%m-%d %H:%M"), actor=entry.actor,
            action=entry.action, target=entry.target, before=_compact(entry.before), after=_compact(entry.after),
        ))
    return Reply("\n".join(lines))
