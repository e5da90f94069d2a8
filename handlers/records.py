"""Reflections and teaching cases: /reflect, /case, 反思：… in plain text, photos and files with such a caption.

Without text, the command opens a guided dialog (topic, then the text) kept in the database.
"""

from __future__ import annotations

from bot.domain.text import clean_text
from bot.kernel.dispatcher import Context, UserError
from bot.domain.record_text import parse_record_text, title_of
from bot.domain.records import (
    LABELS,
    Progress,
    RecordKind,
    length_problem,
    min_chars,
    period_of,
    progress,
)
from bot.kernel.messages import Attachment, AttachmentKind, IncomingMessage, Reply
from bot.kernel.metrics import RECORDS
from bot.kernel.router import Router
from storage.models import HoursLine, Record

router = Router()

DIALOG = "record"
SKIP_WORDS = {"跳过", "无", "没有", "略", "skip", "-"}
FILE_KINDS = {AttachmentKind.PHOTO, AttachmentKind.DOCUMENT}


def _record_shape(text: str, _message: IncomingMessage) -> str | None:
    return text if parse_record_text(text) is not None else None


@router.command("reflect", summary_key="cmd_reflect", usage_key="usage_reflect")
async def reflect(ctx: Context) -> Reply:
    return await _from_command(ctx, RecordKind.REFLECTION)


@router.command("case", summary_key="cmd_case", usage_key="usage_case")
async def case(ctx: Context) -> Reply:
    return await _from_command(ctx, RecordKind.CASE)


@router.text("record", _record_shape)
async def record_from_text(ctx: Context) -> Reply:
    parsed = parse_record_text(clean_text(ctx.message.text))
    if parsed is None:  # only width-folding made it match; read the folded text
        parsed = parse_record_text(ctx.args)
    return await _from_command(ctx, parsed.kind, parsed.body)


async def _from_command(ctx: Context, kind: RecordKind, text: str | None = None) -> Reply:
    body = (ctx.args if text is None else text).strip()
    if not body and not _files(ctx):
        await ctx.start_dialog(DIALOG, "topic", {"kind": kind.value})
        return ctx.reply("dialog_record_topic", label=LABELS[kind])
    return await store_record(ctx, kind, title_of(body), body)


@router.dialog(DIALOG)
async def record_dialog(ctx: Context) -> Reply:
    kind = RecordKind(ctx.dialog.data["kind"])
    answer = ctx.args
    if ctx.dialog.step == "topic":
        if not answer:
            raise UserError("dialog_record_topic", label=LABELS[kind])
        topic = "" if answer.lower() in SKIP_WORDS else answer.strip("《》 ")[:200]
        await ctx.advance_dialog("body", topic=topic)
        return ctx.reply("dialog_record_body", label=LABELS[kind], min_chars=min_chars(kind, ctx.policy.records))
    if not answer and not _files(ctx):
        return ctx.reply("dialog_record_body", label=LABELS[kind], min_chars=min_chars(kind, ctx.policy.records))
    problem = length_problem(kind, answer, ctx.policy.records, bool(_files(ctx)))
    if problem is not None:
        key, limit = problem
        await ctx.advance_dialog("body")
        return ctx.reply(key, label=LABELS[kind], limit=limit, length=len(answer))
    reply = await store_record(ctx, kind, ctx.dialog.data.get("topic") or title_of(answer), answer)
    await ctx.end_dialog()
    return reply


async def store_record(
    ctx: Context, kind: RecordKind, title: str, body: str, detail: str = "", **observation
) -> Reply:
    """Validate, store and confirm one record, saying what it counts toward."""
    files = _files(ctx)
    problem = length_problem(kind, body, ctx.policy.records, bool(files))
    if problem is not None:
        key, limit = problem
        raise UserError(key, label=LABELS[kind], limit=limit, length=len(body.strip()))
    record = await ctx.uow.records.add(
        Record(
            member_id=ctx.member.id, kind=kind.value, day=ctx.today, title=title[:200], body=body,
            attachments=[
                {"kind": f.kind.value, "file_ref": f.file_ref, "file_name": f.file_name, "mime_type": f.mime_type}
                for f in files
            ],
            platform=ctx.message.platform, chat_id=ctx.message.chat.chat_id,
            message_id=ctx.message.message_id, created_at=ctx.now, updated_at=ctx.now,
            **observation,
        )
    )
    RECORDS.inc(kind=kind.value)
    worth = getattr(ctx.policy.hours, kind.value)
    if worth > 0:
        await ctx.uow.hours.credit(HoursLine(
            member_id=ctx.member.id, day=ctx.today, category="school", hours=worth,
            minutes=round(worth * ctx.policy.hours.minutes_per_hour), source=f"record:{record.id}",
            description=f"{LABELS[kind]}《{record.title}》"[:200], created_at=ctx.now,
        ))
    status = await current_progress(ctx, kind)
    return ctx.reply(
        "record_stored", id=record.id, period=status.period.label, ordinal=status.done,
        label=LABELS[kind], title=f"《{record.title}》" if record.title else "", detail=detail,
        quota=quota_text(ctx, status),
        files=ctx.t("record_files", count=len(files)) if files else "",
    )


async def current_progress(ctx: Context, kind: RecordKind) -> Progress:
    semester = ctx.policy.semester
    period = period_of(kind, ctx.today, semester)
    days = await ctx.uow.records.days_by_kind(ctx.member.id, period.first, period.last)
    return progress(kind, days.get(kind.value, []), ctx.today, ctx.policy.records, semester)


def quota_text(ctx: Context, status: Progress) -> str:
    scope = ctx.t("scope_month") if status.kind.monthly else ctx.t("scope_semester")
    if status.required == 0:
        return ctx.t("quota_none", scope=scope)
    if status.missing == 0:
        return ctx.t("quota_done", scope=scope, required=status.required)
    return ctx.t("quota_missing", scope=scope, required=status.required, missing=status.missing)


def _files(ctx: Context) -> list[Attachment]:
    return [a for a in ctx.message.attachments if a.kind in FILE_KINDS]
