"""/review · 评阅: a 坊主, 组长 or 导师 sees what their members wrote lately and grades a record on the
program's scale (合格/优质/精品 by default) with a comment; the author is told privately."""

from __future__ import annotations

from bot.domain.records import LABELS
from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import Reply
from bot.kernel.router import Router
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
            lines.append(ctx.t("review_list_line", id=record.id, name=record.author_name, kind=_kind(record.kind),
                               title=record.title or "—", day=f"{record.day.month}.{record.day.day}",
                               grade=record.grade or ctx.t("review_ungraded")))
        lines.append(ctx.t("review_how", scale="、".join(ctx.policy.reviews.scale)))
        return Reply("\n".join(lines))
    number = words[0].lstrip("#＃")
    if not (number.isascii() and number.isdigit()) or len(words) < 2:
        raise UserError("usage_review")
    if int(number) > MAX_ID:
        raise UserError("review_not_found", id=number[:12])
    comment = words[2].strip() if len(words) > 2 else ""
    record, grade, replaced = await review(ctx.uow, ctx.policy, reviewer, int(number), words[1], comment, ctx.now)
    await ctx.audit("records.review", f"#{record.id}", after={"grade": grade, "comment": comment})
    replies = [ctx.reply("review_saved_again" if replaced else "review_saved", id=record.id, name=record.author_name,
                         grade=grade)]
    account = await ctx.uow.members.account_on(record.author.member_id, ctx.message.platform)
    if account is not None:
        replies.append(Reply(ctx.t("review_notice", reviewer=ctx.member.name, kind=_kind(record.kind),
                                   title=record.title or "—", grade=grade, comment=comment or "—"),
                             private_to=account.user_id))
    return replies
