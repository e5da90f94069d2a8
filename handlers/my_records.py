"""A teacher's own records: /mine, /undo, /delete, /edit, and /myfile (the personal training file)."""

from __future__ import annotations

from handlers.lookup import id_from
from bot.domain.records import LABELS, RecordEntry, RecordKind
from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import OutgoingFile, Reply
from bot.kernel.router import Router
from bot.services import records

router = Router()

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
RECENT = 10
PREVIEW = 24


@router.command("mine", keywords=("我的记录", "我交的", "我提交的"), summary_key="cmd_mine")
async def mine(ctx: Context) -> Reply:
    entries = await records.recent(ctx.uow, ctx.member.id, RECENT)
    if not entries:
        return ctx.reply("mine_empty")
    lines = [ctx.t("mine_header", count=len(entries))]
    lines += [_line(entry) for entry in entries]
    lines.append(ctx.t("mine_footer"))
    return Reply("\n".join(lines))


@router.command("undo", keywords=("撤回", "撤销"), summary_key="cmd_undo")
async def undo(ctx: Context) -> Reply:
    entry = await records.withdraw(ctx.uow, ctx.member.id, None, ctx.today, ctx.now, ctx.policy)
    return ctx.reply("withdrawn", id=entry.id, label=LABELS[entry.kind])


@router.command("delete", summary_key="cmd_delete", usage_key="usage_delete")
async def delete(ctx: Context) -> Reply:
    number = _number(ctx.args, "usage_delete")
    entry = await records.withdraw(ctx.uow, ctx.member.id, number, ctx.today, ctx.now, ctx.policy)
    return ctx.reply("withdrawn", id=entry.id, label=LABELS[entry.kind])


@router.command("edit", summary_key="cmd_edit", usage_key="usage_edit")
async def edit(ctx: Context) -> Reply:
    reference, _, text = ctx.args.partition(" ")
    number = _number(reference, "usage_edit")
    text = text.strip()
    if not text:
        raise UserError("usage_edit")
    entry, version = await records.edit(ctx.uow, ctx.member.id, number, text, ctx.today, ctx.now, ctx.policy)
    return ctx.reply("edited", id=entry.id, label=LABELS[entry.kind], version=version)


@router.command("myfile", keywords=("我的档案", "研修档案"), summary_key="cmd_myfile")
async def myfile(ctx: Context) -> Reply:
    semester = ctx.policy.semester
    entries = await records.of_semester(ctx.uow, ctx.member.id, ctx.policy)
    if not ctx.capabilities.can_send_files:
        return Reply(training_file(ctx, entries))
    from bot.render.documents import training_file_docx  # python-docx: loaded only when a file is asked for

    file_name = f"研修档案_{ctx.member.name}_{semester.name}.docx"
    return Reply(
        ctx.t("myfile_caption", count=len(entries), semester=semester.name),
        file=OutgoingFile(file_name, training_file_docx(_training_document(ctx, entries)), mime_type=DOCX),
    )


def _training_document(ctx: Context, entries: list[RecordEntry]):
    """The same content as `training_file`, for the printable Word document (A4, from the template)."""
    from bot.render.documents import Entry, TrainingFile

    semester = ctx.policy.semester
    groups = []
    for kind in RecordKind:
        chosen = []
        for entry in (e for e in entries if e.kind is kind):
            heading = f"#{entry.id} {entry.day:%Y-%m-%d}" + (f" 《{entry.title}》" if entry.title else "")
            facts = ()
            if kind is RecordKind.OBSERVATION:
                facts = (("授课教师", entry.observed_name),
                         ("听课日期", f"{entry.observed_on or entry.day:%Y-%m-%d}"),
                         ("班级学科", entry.class_subject))
            chosen.append(Entry(heading, facts, entry.body, [_attachment_name(a) for a in entry.attachments]))
        groups.append((LABELS[kind], chosen))
    return TrainingFile(
        name=ctx.member.name, school=ctx.member.school.name, program=ctx.policy.name,
        semester=f"{semester.name}（{semester.start:%Y-%m-%d} 至 {semester.end:%Y-%m-%d}）",
        generated=ctx.local(ctx.now), groups=groups,
    )


def _attachment_name(attachment: dict) -> str:
    return attachment.get("file_name") or ("图片" if attachment.get("kind") == "photo" else "文件")


def training_file(ctx: Context, entries: list[RecordEntry]) -> str:
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
        chosen = [entry for entry in entries if entry.kind is kind]
        out += [f"## {LABELS[kind]}（{len(chosen)}篇）", ""]
        if not chosen:
            out += ["（暂无）", ""]
        for entry in chosen:
            out += _file_entry(entry)
    return "\n".join(out).rstrip() + "\n"


def _file_entry(entry: RecordEntry) -> list[str]:
    heading = f"### #{entry.id} {entry.day:%Y-%m-%d}"
    if entry.title:
        heading += f" 《{entry.title}》"
    lines = [heading, ""]
    if entry.kind is RecordKind.OBSERVATION:
        observed_on = entry.observed_on or entry.day
        lines += [
            f"- 授课教师：{entry.observed_name}",
            f"- 听课日期：{observed_on:%Y-%m-%d}",
            f"- 班级学科：{entry.class_subject}",
            "",
        ]
    if entry.body:
        lines += [entry.body, ""]
    for attachment in entry.attachments:
        lines.append(f"- 附件：{_attachment_name(attachment)}")
    if entry.attachments:
        lines.append("")
    return lines


def _number(reference: str, usage_key: str) -> int:
    return id_from(reference, usage_key)


def _line(entry: RecordEntry) -> str:
    title = f"《{entry.title}》" if entry.title else ""
    preview = " ".join(entry.body.split())
    if len(preview) > PREVIEW:
        preview = preview[:PREVIEW] + "…"
    clip = " 📎" if entry.attachments else ""
    return f"#{entry.id} {entry.day.month}月{entry.day.day}日 {LABELS[entry.kind]}{title} {preview}{clip}".rstrip()
