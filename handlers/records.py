"""Reflections and teaching cases: /reflect, /case, 反思：… in plain text, photos and files with such a caption.

Without text, the command opens a guided dialog (topic, then the text) kept in the database.
"""

from __future__ import annotations

from dataclasses import replace

from bot.domain.record_text import title_of
from bot.domain.text import normalize
from bot.kernel.access import rule_for
from bot.domain.understanding import Intent, understand
from bot.domain.records import LABELS, Progress, RecordKind, length_problem, min_chars
from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import Attachment, AttachmentKind, IncomingMessage, Reply
from bot.kernel.router import Router
from bot.services.records import RecordDraft, StoredRecord, Writer, store_record
from handlers.reading import understanding_of

router = Router()

DIALOG = "record"
SKIP_WORDS = {"跳过", "无", "没有", "略", "skip", "-"}
FILE_KINDS = {AttachmentKind.PHOTO, AttachmentKind.DOCUMENT}
TITLE_MAX = 40
ELSEWHERE = {Intent.QUESTION, Intent.CHECKIN, Intent.RELAY, Intent.COMMAND, Intent.MENTION}
"""Posts that mean something else even while a record waits for its body."""
COMPLETE = {Intent.RECORD, Intent.OBSERVATION}


def _record_shape(_text: str, message: IncomingMessage) -> str | None:
    understood = understanding_of(message)
    if understood.intent is Intent.RECORD:
        return ""
    if understood.intent is Intent.HEADER and understood.kind is not RecordKind.OBSERVATION:
        return ""
    return None


@router.command("reflect", summary_key="cmd_reflect", usage_key="usage_reflect")
async def reflect(ctx: Context) -> Reply:
    return await _from_command(ctx, RecordKind.REFLECTION)


@router.command("case", summary_key="cmd_case", usage_key="usage_case")
async def case(ctx: Context) -> Reply:
    return await _from_command(ctx, RecordKind.CASE)


@router.text("record", _record_shape)
async def record_from_text(ctx: Context) -> Reply:
    """A record whose kind its first lines name; a header alone waits for the body (or a photo)."""
    understood = understanding_of(ctx.message)
    if understood.intent is Intent.HEADER:
        return await header_alone(ctx, understood.kind, understood.title)
    return await record_reply(ctx, RecordDraft(understood.kind, understood.title, understood.body))


async def header_alone(ctx: Context, kind: RecordKind, title: str) -> Reply:
    """【教学反思】 or 《秋天的雨》教学反思 sent alone: the next message is the body, never the title."""
    if files_of(ctx) and kind is not RecordKind.OBSERVATION:
        return await record_reply(ctx, RecordDraft(kind, title, ""))
    if title or kind is RecordKind.OBSERVATION:
        await ctx.start_dialog(DIALOG, "body", {"kind": kind.value, "topic": title})
        return ctx.reply("dialog_record_body", label=LABELS[kind], min_chars=min_chars(kind, ctx.policy.records))
    await ctx.start_dialog(DIALOG, "topic", {"kind": kind.value})
    return ctx.reply("dialog_record_topic", label=LABELS[kind])


async def _from_command(ctx: Context, kind: RecordKind, text: str | None = None) -> Reply:
    body = (ctx.args if text is None else text).strip()
    if not body and not files_of(ctx):
        await ctx.start_dialog(DIALOG, "topic", {"kind": kind.value})
        return ctx.reply("dialog_record_topic", label=LABELS[kind])
    return await record_reply(ctx, RecordDraft(kind, title_of(body), body))


@router.dialog(DIALOG)
async def record_dialog(ctx: Context) -> Reply | list[Reply] | None:
    kind = RecordKind(ctx.dialog.data["kind"])
    answer = ctx.args
    understood = understanding_of(ctx.message)
    if understood.intent in ELSEWHERE or understood.intent in COMPLETE:
        if understood.intent in COMPLETE:  # the whole record again, in one post: it replaces the dialog
            await ctx.end_dialog()
        return await _route_elsewhere(ctx)
    if ctx.dialog.step == "topic" and (_reads_as_body(answer) or files_of(ctx)):
        ctx.dialog.step = "body"
    if kind is RecordKind.OBSERVATION and ctx.dialog.step == "body" and (answer or files_of(ctx)):
        return await _observation_body(ctx, answer)
    if ctx.dialog.step == "topic":
        if not answer:
            raise UserError("dialog_record_topic", label=LABELS[kind])
        topic = "" if answer.lower() in SKIP_WORDS else answer.strip("《》 ")[:200]
        await ctx.advance_dialog("body", topic=topic)
        return ctx.reply("dialog_record_body", label=LABELS[kind], min_chars=min_chars(kind, ctx.policy.records))
    if not answer and not files_of(ctx):
        return ctx.reply("dialog_record_body", label=LABELS[kind], min_chars=min_chars(kind, ctx.policy.records))
    problem = length_problem(kind, answer, ctx.policy.records, bool(files_of(ctx)))
    if problem is not None:
        key, limit = problem
        await ctx.advance_dialog("body")
        return ctx.reply(key, label=LABELS[kind], limit=limit, length=len(answer))
    reply = await record_reply(ctx, RecordDraft(kind, ctx.dialog.data.get("topic") or title_of(answer), answer))
    await ctx.end_dialog()
    return reply


def _reads_as_body(answer: str) -> bool:
    """A reply to "which lesson?" that is really the record itself (sent right after its header)."""
    return "\n" in answer.strip() or len(answer.strip()) > TITLE_MAX


async def _observation_body(ctx: Context, answer: str) -> Reply | list[Reply] | None:
    """The body of an observation log whose header came alone; a form sent line by line is collected
    until it names the teacher, the lesson and an evaluation."""
    from handlers.observe import store_draft

    collected = "\n".join(part for part in (ctx.dialog.data.get("text", ""), answer) if part)
    draft = understand(f"听课记录\n{collected}", ctx.today).observation
    if draft is not None and draft.notes and draft.notes != draft.topic:
        replies = await store_draft(ctx, draft)
        await ctx.end_dialog()
        return replies
    await ctx.advance_dialog("body", text=collected)
    if "：" in collected or ":" in collected or len(collected) < 20:
        return None  # a form arriving line by line: wait quietly for the rest
    return ctx.reply("observe_hint")


async def _route_elsewhere(ctx: Context):
    """A question, a check-in or a command while a record waits for its body: answer it as usual."""
    route = ctx.router.for_text(normalize(ctx.message.text), ctx.message)
    if route is None or route.name.startswith("dialog:") or not rule_for(route.name).allows(ctx.roles):
        return None
    return await route.handler(replace(ctx, args=route.args, dialog=None))


def writer_of(ctx: Context) -> Writer:
    return Writer(ctx.member.id, ctx.today, ctx.now, ctx.message, ctx.policy, tuple(files_of(ctx)))


async def record_reply(ctx: Context, draft: RecordDraft, detail: str = "") -> Reply:
    """Store one record and confirm it, saying what it counts toward."""
    return Reply(stored_text(ctx, await store_record(ctx.uow, writer_of(ctx), draft), detail))


def stored_text(ctx: Context, stored: StoredRecord, detail: str = "") -> str:
    status = stored.progress
    return ctx.t(
        "record_stored", id=stored.id, period=status.period.label, ordinal=status.done,
        label=LABELS[stored.kind], title=f"《{stored.title}》" if stored.title else "", detail=detail,
        quota=quota_text(ctx, status),
        files=ctx.t("record_files", count=stored.files) if stored.files else "",
    )


def quota_text(ctx: Context, status: Progress) -> str:
    scope = ctx.t("scope_month") if status.kind.monthly else ctx.t("scope_semester")
    if status.required == 0:
        return ctx.t("quota_none", scope=scope)
    if status.missing == 0:
        return ctx.t("quota_done", scope=scope, required=status.required)
    return ctx.t("quota_missing", scope=scope, required=status.required, missing=status.missing)


def files_of(ctx: Context) -> list[Attachment]:
    return [a for a in ctx.message.attachments if a.kind in FILE_KINDS]
