"""A teacher's own records: /mine, /undo, /delete, /edit, and /myfile (the personal training file)."""

from __future__ import annotations

from bot.kernel.dispatcher import Context, UserError
from bot.domain.record_text import title_of
from bot.domain.records import LABELS, RecordKind, is_open, length_problem, period_of
from bot.kernel.messages import OutgoingFile, Reply
from bot.kernel.router import Router
from handlers.lookup import id_from
from storage.models import Record

router = Router()

RECENT = 10
PREVIEW = 24


@router.command("mine", summary_key="cmd_mine")
async def mine(ctx: Context) -> Reply:
    records = await ctx.uow.records.recent(ctx.member.id, RECENT)
    if not records:
        return ctx.reply("mine_empty")
    lines = [ctx.t("mine_header", count=len(records))]
    lines += [_line(record) for record in records]
    lines.append(ctx.t("mine_footer"))
    return Reply("\n".join(lines))


@router.command("undo", summary_key="cmd_undo")
async def undo(ctx: Context) -> Reply:
    record = await ctx.uow.records.latest_own(ctx.member.id)
    if record is None:
        raise UserError("undo_nothing")
    return await _withdraw(ctx, record)


@router.command("delete", summary_key="cmd_delete", usage_key="usage_delete")
async def delete(ctx: Context) -> Reply:
    record = await _own_record(ctx, ctx.args.strip(), "usage_delete")
    return await _withdraw(ctx, record)


@router.command("edit", summary_key="cmd_edit", usage_key="usage_edit")
async def edit(ctx: Context) -> Reply:
    reference, _, text = ctx.args.partition(" ")
    record = await _own_record(ctx, reference, "usage_edit")
    text = text.strip()
    if not text:
        raise UserError("usage_edit")
    kind = RecordKind(record.kind)
    _ensure_open(ctx, record)
    problem = length_problem(kind, text, ctx.policy.records, bool(record.attachments))
    if problem is not None:
        key, limit = problem
        raise UserError(key, label=LABELS[kind], limit=limit, length=len(text))
    title = record.title if kind is RecordKind.OBSERVATION else (title_of(text) or record.title)
    version = await ctx.uow.records.replace_text(record, title, text, ctx.now)
    return ctx.reply("edited", id=record.id, label=LABELS[kind], version=version)


@router.command("myfile", summary_key="cmd_myfile")
async def myfile(ctx: Context) -> Reply:
    semester = ctx.policy.semester
    records = await ctx.uow.records.between(ctx.member.id, semester.start, semester.end)
    document = training_file(ctx, records)
    if not ctx.capabilities.can_send_files:
        return Reply(document)
    file_name = f"研修档案_{ctx.member.name}_{semester.name}.md"
    return Reply(
        ctx.t("myfile_caption", count=len(records), semester=semester.name),
        file=OutgoingFile(file_name, document.encode("utf-8"), mime_type="text/markdown"),
    )


def training_file(ctx: Context, records: list[Record]) -> str:
    """The semester's records as a readable Markdown document, grouped by kind, oldest first."""
    member, semester = ctx.member, ctx.policy.semester
    out = [
        f"# 研修档案 · {member.name}",
        "",
        f"- 学校：{member.school.name}",
        f"- 学期：{semester.name}（{semester.start:%Y-%m-%d} 至 {semester.end:%Y-%m-%d}）",
        f"- 生成时间：{ctx.local(ctx.now):%Y-%m-%d %H:%M}",
        "",
    ]
    for kind in RecordKind:
        chosen = [record for record in records if record.kind == kind.value]
        out += [f"## {LABELS[kind]}（{len(chosen)}篇）", ""]
        if not chosen:
            out += ["（暂无）", ""]
        for record in chosen:
            out += _file_entry(kind, record)
    return "\n".join(out).rstrip() + "\n"


def _file_entry(kind: RecordKind, record: Record) -> list[str]:
    heading = f"### #{record.id} {record.day:%Y-%m-%d}"
    if record.title:
        heading += f" 《{record.title}》"
    lines = [heading, ""]
    if kind is RecordKind.OBSERVATION:
        observed_on = record.observed_on or record.day
        lines += [
            f"- 授课教师：{record.observed_name}",
            f"- 听课日期：{observed_on:%Y-%m-%d}",
            f"- 班级学科：{record.class_subject}",
            "",
        ]
    if record.body:
        lines += [record.body, ""]
    for attachment in record.attachments:
        name = attachment.get("file_name") or ("图片" if attachment.get("kind") == "photo" else "文件")
        lines.append(f"- 附件：{name}")
    if record.attachments:
        lines.append("")
    return lines


async def _own_record(ctx: Context, reference: str, usage_key: str) -> Record:
    number = id_from(reference, usage_key)
    record = await ctx.uow.records.get_own(ctx.member.id, number)
    if record is None:
        raise UserError("record_not_found", id=number)
    return record


def _ensure_open(ctx: Context, record: Record) -> None:
    kind = RecordKind(record.kind)
    if not is_open(kind, record.day, ctx.today, ctx.policy.semester):
        period = period_of(kind, record.day, ctx.policy.semester)
        raise UserError("record_frozen", id=record.id, period=period.label)


async def _withdraw(ctx: Context, record: Record) -> Reply:
    _ensure_open(ctx, record)
    await ctx.uow.records.withdraw(record, ctx.now)
    await ctx.uow.hours.remove(record.member_id, f"record:{record.id}")
    return ctx.reply("withdrawn", id=record.id, label=LABELS[RecordKind(record.kind)])


def _line(record: Record) -> str:
    kind = RecordKind(record.kind)
    title = f"《{record.title}》" if record.title else ""
    preview = " ".join(record.body.split())
    if len(preview) > PREVIEW:
        preview = preview[:PREVIEW] + "…"
    clip = " 📎" if record.attachments else ""
    return f"#{record.id} {record.day.month}月{record.day.day}日 {LABELS[kind]}{title} {preview}{clip}".rstrip()
