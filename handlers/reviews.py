"""/review · 评阅: a 坊主, 组长 or 导师 sees what their members wrote lately and grades a record on the
program's scale (合格/优质/精品 by default) with a comment; the author is told privately."""

from __future__ import annotations

from bot.domain.record_kinds import declared_id
from bot.domain.records import LABELS
from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import Reply
from bot.kernel.router import Router
from bot.services.lessons import lesson_kinds, semester_lessons
from bot.services.reviews import Reviewer, review, waiting
from handlers.lookup import is_organiser

router = Router()

LIST_LINES = 20
MAX_ID = 2**31 - 1
"""Larger numbers are no record's id (and overflow an INTEGER column on PostgreSQL)."""


def _reviewer(ctx: Context) -> Reviewer:
    if ctx.member is None:
        raise UserError("review_needs_roster")
    return Reviewer(ctx.member.id, ctx.roles, is_organiser(ctx))


def _kind(kind: str) -> str:
    """The built-in kinds' labels (教学反思); a declared kind is stored under its shown name."""
    return next((label for known, label in LABELS.items() if known.value == kind), kind)


@router.command("review", keywords=("评阅",), summary_key="cmd_review", usage_key="usage_review")
async def review_command(ctx: Context) -> Reply | list[Reply]:
    words = ctx.args.split(maxsplit=2)
    reviewer = _reviewer(ctx)
    if not words:
        found = await waiting(ctx.uow, ctx.policy, reviewer, ctx.today)
        if not found:
            return ctx.reply("review_nothing", days=ctx.policy.reviews.days)
        lines = [ctx.t("review_list_header", count=sum(not r.grade for r in found), days=ctx.policy.reviews.days)]
        for record in found[:LIST_LINES]:
            lines.append(ctx.t("review_list_line", id=record.ref, name=record.author_name, kind=_kind(record.kind),
                               title=record.title or "—", day=f"{record.day.month}.{record.day.day}",
                               grade=record.grade or ctx.t("review_ungraded")))
        lines.append(ctx.t("review_how", scale="、".join(ctx.policy.reviews.scale)))
        shown = {record.kind for record in found[:LIST_LINES] if record.declared}
        for kind in ctx.policy.records.kinds:
            if kind.name in shown and kind.scale:
                lines.append(ctx.t("review_how_kind", kind=kind.name, scale="、".join(kind.scale)))
        return Reply("\n".join(lines))
    other = declared_id(words[0])
    number = words[0].lstrip("#＃") if other is None else str(other)
    if not (number.isascii() and number.isdigit()) or len(words) < 2:
        raise UserError("usage_review")
    if int(number) > MAX_ID:
        raise UserError("review_not_found", id=number[:12])
    comment = words[2].strip() if len(words) > 2 else ""
    record, grade, replaced = await review(ctx.uow, ctx.policy, reviewer, int(number), words[1], comment, ctx.now,
                                           declared=other is not None)
    await ctx.audit("records.review", f"#{record.ref}", after={"grade": grade, "comment": comment})
    replies = [ctx.reply("review_saved_again" if replaced else "review_saved", id=record.ref, name=record.author_name,
                         grade=grade)]
    account = await ctx.uow.members.account_on(record.author.member_id, ctx.message.platform)
    if account is not None:
        replies.append(Reply(ctx.t("review_notice", reviewer=ctx.member.name, kind=_kind(record.kind),
                                   title=record.title or "—", grade=grade, comment=comment or "—"),
                             private_to=account.user_id))
    return replies


@router.command("lessons", keywords=("课例",), summary_key="cmd_lessons")
async def lessons_command(ctx: Context) -> Reply:
    """The semester's lessons with their grades and evaluators: a coordinator's all, an evaluator's own unit's."""
    semester = ctx.policy.semester.name
    if not lesson_kinds(ctx.policy):
        return ctx.reply("lessons_none_declared")
    found = await semester_lessons(ctx.uow, ctx.policy, _reviewer(ctx))
    if not found:
        return ctx.reply("lessons_empty", semester=semester)
    lines = [ctx.t("lessons_header", semester=semester, count=len(found))]
    for lesson in found[-LIST_LINES * 2:]:
        grades = "；".join(ctx.t("lessons_verdict", grade=grade, reviewer=reviewer) for reviewer, grade in lesson.verdicts)
        lines.append(ctx.t("lessons_line", ref=f"D{lesson.id}", day=f"{lesson.day.month}.{lesson.day.day}",
                           teacher=lesson.teacher_name, kind=lesson.kind, title=lesson.title or "—",
                           subject=f" {lesson.class_subject}" if lesson.class_subject else "",
                           grades=grades or ctx.t("lessons_ungraded")))
    return Reply("\n".join(lines))
