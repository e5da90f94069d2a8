"""Peer-observation logs (听课记录): `/observe` dialog, the one-line form, and the way teachers write them.

The observed teacher, when they are a program member with an account here, is told privately.
"""

from __future__ import annotations

from datetime import date

from bot.kernel.dispatcher import Context, UserError
from bot.domain.dates import PAST, parse_date
from bot.domain.people import name_problem
from bot.domain.record_text import (
    ObservationDraft,
    clean_teacher_name,
    parse_observation_fields,
    parse_observation_text,
)
from bot.domain.records import RecordKind
from bot.kernel.messages import IncomingMessage, Reply
from bot.kernel.router import Router
from bot.services.records import store_observation
from bot.domain.understanding import Intent
from handlers.reading import understanding_of
from handlers.records import header_alone, stored_text, writer_of

router = Router()

DIALOG = "observe"
STEPS = ("teacher", "date", "class", "topic", "notes")


def _observation_shape(_text: str, message: IncomingMessage) -> str | None:
    understood = understanding_of(message)
    if understood.intent is Intent.OBSERVATION:
        return ""
    if understood.intent is Intent.HEADER and understood.kind is RecordKind.OBSERVATION:
        return ""
    return None


@router.command("observe", summary_key="cmd_observe", usage_key="usage_observe")
async def observe(ctx: Context) -> list[Reply] | Reply:
    if not ctx.args:
        await ctx.start_dialog(DIALOG, "teacher")
        return ctx.reply("dialog_observe_teacher")
    draft = parse_observation_fields(ctx.args, ctx.today) or parse_observation_text(ctx.args, ctx.today)
    if draft is None:
        raise UserError("usage_observe")
    return await store_draft(ctx, draft)


@router.text("observe", _observation_shape)
async def observe_from_text(ctx: Context) -> list[Reply] | Reply:
    """An observation log in prose or as the 听课记录表 form; its header alone waits for the body."""
    understood = understanding_of(ctx.message)
    if understood.observation is None:
        return await header_alone(ctx, RecordKind.OBSERVATION, understood.title)
    return await store_draft(ctx, understood.observation)


@router.dialog(DIALOG)
async def observe_dialog(ctx: Context) -> list[Reply] | Reply:
    step, answer, data = ctx.dialog.step, ctx.args, ctx.dialog.data
    if not answer:
        return ctx.reply(f"dialog_observe_{step}")
    if step == "teacher":
        teacher = clean_teacher_name(answer)
        if name_problem(teacher):
            raise UserError("dialog_observe_teacher")
        await ctx.advance_dialog("date", teacher=teacher)
        return ctx.reply("dialog_observe_date")
    if step == "date":
        observed_on = _observed_on(ctx, answer)
        await ctx.advance_dialog("class", observed_on=observed_on.isoformat())
        return ctx.reply("dialog_observe_class")
    if step in ("class", "topic"):
        following = STEPS[STEPS.index(step) + 1]
        await ctx.advance_dialog(following, **{step: answer.strip("《》 ")[:100]})
        return ctx.reply(f"dialog_observe_{following}")
    draft = ObservationDraft(
        teacher=data["teacher"], observed_on=date.fromisoformat(data["observed_on"]),
        class_subject=data["class"], topic=data["topic"], notes=answer,
    )
    replies = await store_draft(ctx, draft)
    await ctx.end_dialog()
    return replies


def _observed_on(ctx: Context, answer: str) -> date:
    observed_on = parse_date(answer, ctx.today, prefer=PAST)
    if observed_on is None:
        raise UserError("observe_bad_date")
    if observed_on > ctx.today:
        raise UserError("observe_future_date")
    return observed_on


async def store_draft(ctx: Context, draft: ObservationDraft) -> list[Reply]:
    stored = await store_observation(ctx.uow, writer_of(ctx), draft)
    when = f"{stored.observed_on.month}月{stored.observed_on.day}日"
    lesson = f"{draft.class_subject}《{draft.topic}》"
    detail = ctx.t("observe_detail", teacher=stored.teacher, lesson=lesson, date=when)
    replies = [Reply(stored_text(ctx, stored.record, detail))]
    if stored.notify_user_id is not None:
        replies.append(
            Reply(
                ctx.t("observe_notice", teacher=stored.teacher, observer=ctx.member.name, lesson=lesson, date=when),
                private_to=stored.notify_user_id,
            )
        )
    return replies
