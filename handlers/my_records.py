"""A teacher's own records: /mine, /undo, /delete, /edit, and /myfile (the personal training file)."""

from __future__ import annotations

from bot.domain.record_kinds import DeclaredEntry, declared_id
from bot.domain.records import LABELS, RecordEntry, RecordKind
from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import OutgoingFile, Reply
from bot.kernel.router import Router
from bot.services import declared, records
from handlers.lookup import id_from

router = Router()

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
RECENT = 10
PREVIEW = 24


@router.command("mine", keywords=("我的记录", "我交的", "我提交的"), summary_key="cmd_mine")
async def mine(ctx: Context) -> Reply:
    ordinary = await records.recent(ctx.uow, ctx.member.id, RECENT)
    others = await declared.recent(ctx.uow, ctx.policy, ctx.member.id, RECENT)
    entries = sorted([*ordinary, *others], key=lambda e: (e.day, isinstance(e, DeclaredEntry), e.id),
                     reverse=True)[:RECENT]
    if not entries:
        return ctx.reply("mine_empty")
    lines = [ctx.t("mine_header", count=len(entries))]
    lines += [_line(entry) if isinstance(entry, RecordEntry) else _declared_line(ctx, entry) for entry in entries]
    lines.append(ctx.t("mine_footer"))
    return Reply("\n".join(lines))


@router.command("undo", keywords=("撤回", "撤销"), summary_key="cmd_undo")
async def undo(ctx: Context) -> Reply:
    entry = await records.withdraw_latest(ctx.uow, ctx.member.id, ctx.today, ctx.now, ctx.policy)
    if isinstance(entry, DeclaredEntry):
        return ctx.reply("withdrawn", id=entry.ref, label=entry.kind)
    return ctx.reply("withdrawn", id=entry.id, label=LABELS[entry.kind])


@router.command("delete", summary_key="cmd_delete", usage_key="usage_delete")
async def delete(ctx: Context) -> Reply:
    other = declared_id(ctx.args)
    if other is not None:
        entry = await declared.withdraw(ctx.uow, ctx.policy, ctx.member.id, other, ctx.today, ctx.now)
        return ctx.reply("withdrawn", id=entry.ref, label=entry.kind)
    number = _number(ctx.args, "usage_delete")
    entry = await records.withdraw(ctx.uow, ctx.member.id, number, ctx.today, ctx.now, ctx.policy)
    return ctx.reply("withdrawn", id=entry.id, label=LABELS[entry.kind])


@router.command("edit", summary_key="cmd_edit", usage_key="usage_edit")
async def edit(ctx: Context) -> Reply:
    reference, _, text = ctx.args.partition(" ")
    other = declared_id(reference)
    number = _number(reference, "usage_edit") if other is None else other
    text = text.strip()
    if not text:
        raise UserError("usage_edit")
    if other is not None:
        found, version = await declared.edit(ctx.uow, ctx.policy, ctx.member.id, other, text, ctx.today, ctx.now)
        return ctx.reply("edited", id=found.ref, label=found.kind, version=version)
    entry, version = await records.edit(ctx.uow, ctx.member.id, number, text, ctx.today, ctx.now, ctx.policy)
    return ctx.reply("edited", id=entry.id, label=LABELS[entry.kind], version=version)


@router.command("myfile", keywords=("我的档案", "研修档案"), summary_key="cmd_myfile")
async def myfile(ctx: Context) -> Reply:
    semester = ctx.policy.semester
    entries = await records.of_semester(ctx.uow, ctx.member.id, ctx.policy)
    others = await declared.of_semester(ctx.uow, ctx.policy, ctx.member.id)
    if not ctx.capabilities.can_send_files:
        return Reply(training_file(ctx, entries, others))
    from bot.render.documents import training_file_docx  # python-docx: loaded only when a file is asked for

    file_name = f"研修档案_{ctx.member.name}_{semester.name}.docx"
    return Reply(
        ctx.t("myfile_caption", count=len(entries) + len(others), semester=semester.name),
        file=OutgoingFile(file_name, training_file_docx(_training_document(ctx, entries, others)), mime_type=DOCX),
    )


def _declared_kinds(ctx: Context, others: list[DeclaredEntry]) -> list[str]:
    """The declared kinds in the policy's order (every one it declares), then any it no longer declares."""
    names = [kind.name for kind in ctx.policy.records.kinds]
    return names + sorted({entry.kind for entry in others} - set(names))


def _declared_facts(entry: DeclaredEntry) -> tuple[tuple[str, str], ...]:
    facts = []
    if entry.class_subject:
        facts.append(("班级学科", entry.class_subject))
    if entry.about_name:
        facts.append(("指导对象", entry.about_name))
    if entry.posted_by:
        facts.append(("登记人", entry.posted_by))
    if entry.verdicts:
        facts.append(("评定", "；".join(f"{grade}（{reviewer}）" for reviewer, grade in entry.verdicts)))
    return tuple(facts)


def _training_document(ctx: Context, entries: list[RecordEntry], others: list[DeclaredEntry] = ()):
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
    for name in _declared_kinds(ctx, others):
        chosen = [Entry(f"#{e.ref} {e.day:%Y-%m-%d}" + (f" 《{e.title}》" if e.title else ""), _declared_facts(e),
                        e.body, [_attachment_name(a) for a in e.attachments]) for e in others if e.kind == name]
        groups.append((name, chosen))
    return TrainingFile(
        name=ctx.member.name, school=ctx.member.school.name, program=ctx.policy.name,
        semester=f"{semester.name}（{semester.start:%Y-%m-%d} 至 {semester.end:%Y-%m-%d}）",
        generated=ctx.local(ctx.now), groups=groups,
    )


def _attachment_name(attachment: dict) -> str:
    return attachment.get("file_name") or ("图片" if attachment.get("kind") == "photo" else "文件")


def training_file(ctx: Context, entries: list[RecordEntry], others: list[DeclaredEntry] = ()) -> str:
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
    for name in _declared_kinds(ctx, others):
        chosen = [entry for entry in others if entry.kind == name]
        out += [f"## {name}（{len(chosen)}篇）", ""]
        if not chosen:
            out += ["（暂无）", ""]
        for entry in chosen:
            out += _declared_file_entry(entry)
    return "\n".join(out).rstrip() + "\n"


def _declared_file_entry(entry: DeclaredEntry) -> list[str]:
    heading = f"### #{entry.ref} {entry.day:%Y-%m-%d}" + (f" 《{entry.title}》" if entry.title else "")
    lines = [heading, ""]
    facts = _declared_facts(entry)
    if facts:
        lines += [f"- {label}：{value}" for label, value in facts] + [""]
    if entry.body:
        lines += [entry.body, ""]
    lines += [f"- 附件：{_attachment_name(a)}" for a in entry.attachments]
    return lines + ([""] if entry.attachments else [])


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


def _declared_line(ctx: Context, entry: DeclaredEntry) -> str:
    title = f"《{entry.title}》" if entry.title else ""
    preview = " ".join(entry.body.split())
    if len(preview) > PREVIEW:
        preview = preview[:PREVIEW] + "…"
    clip = " 📎" if entry.attachments else ""
    note = ctx.t("mine_posted_by", name=entry.posted_by) if entry.posted_by else ""
    return f"#{entry.ref} {entry.day.month}月{entry.day.day}日 {entry.kind}{title}{note} {preview}{clip}".rstrip()


def _line(entry: RecordEntry) -> str:
    title = f"《{entry.title}》" if entry.title else ""
    preview = " ".join(entry.body.split())
    if len(preview) > PREVIEW:
        preview = preview[:PREVIEW] + "…"
    clip = " 📎" if entry.attachments else ""
    return f"#{entry.id} {entry.day.month}月{entry.day.day}日 {LABELS[entry.kind]}{title} {preview}{clip}".rstrip()
