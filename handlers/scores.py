"""/score, /scores, /credit, /mark, /announce, /freeze, /adjust: hours, points and grades."""

from __future__ import annotations

import re

from bot.domain.text import bounded_key, try_number
from bot.services import scores as service
from bot.services.announcements import (
    HOLD,
    RELEASE,
    announcement_key,
    announcements,
    drawn,
    next_announcement,
    preview,
    table_for_chat,
)
from bot.services.scores import current_period, grade_label, line_text, missing_text, signed, standings
from bot.kernel.dispatcher import Context, UserError
from bot.domain.roles import LEADER, MENTOR, WORKSHOP_LEADER
from bot.kernel.messages import Button, OutgoingMessage, Reply
from bot.kernel.router import Router
from bot.domain.hours import SCHOOL, category_of
from handlers.hours import hour_lines
from handlers.confirm import confirms
from handlers.lookup import allowed_scope, find_member, is_organiser, member_label
from handlers.sessions import env_of

router = Router()

NAME_SEPARATORS = re.compile(r"[\s、,，;；]+")
MAX_CREDIT_HOURS = 200
MAX_ADJUST_POINTS = 1000
"""A sanity bound: a correction beyond it is a typo (the column holds at most 99,999.9)."""
"""More than one long training (a 40-hour summer course) may be credited at once; beyond this is a typo."""
MARK_WORDS = {"excellent": ("优秀", "excellent"), "unqualified": ("不合格", "unqualified")}


@router.command("score", summary_key="cmd_score", usage_key="usage_score")
async def score_command(ctx: Context) -> Reply:
    """My points and why; coordinators, leaders and mentors may name someone else."""
    member = ctx.member
    if ctx.args.strip():
        if not (is_organiser(ctx) or ctx.roles & {WORKSHOP_LEADER, LEADER, MENTOR}):
            raise UserError("score_only_own")
        member = await find_member(ctx, ctx.args.strip())
    ranked = await standings(ctx.uow, ctx.policy, ctx.today, school_id=member.school_id)
    mine = next((s for s in ranked if s.who.member_id == member.id), None)
    if mine is None:
        raise UserError("score_not_assessed", name=member.name)
    period = current_period(ctx.policy, ctx.today)
    lines = [ctx.t("score_header", name=member.name, school=member.school.name, period=period.name,
                   points=f"{mine.score.points:g}", grade=grade_label(ctx.t, mine.score.grade),
                   hours=f"{mine.school_hours:g}", online=f"{mine.online_hours:g}")]
    lines += await hour_lines(ctx, member.id, mine.hours)
    lines += [f"· {line_text(ctx.t, line)}" for line in mine.score.lines] or [ctx.t("score_no_deductions")]
    missing = missing_text(ctx.t, mine.score.missing)
    if missing:
        lines.append(ctx.t("score_missing", items=missing))
    lines += duty_lines(ctx, mine)
    lines.append(ctx.t("score_frozen" if mine.frozen else ("score_final" if period.final else "score_interim")))
    return Reply("\n".join(lines))


def duty_lines(ctx: Context, standing) -> list[str]:
    """Why less is asked of her: months before she was counted, months excused by leave, leave days."""
    owed = standing.duty
    if owed is None:
        return []
    months = lambda found: "、".join(f"{month}月" for _, month in found)  # noqa: E731
    lines = []
    if owed.before_start:
        lines.append(ctx.t("score_not_owed_before", months=months(owed.before_start)))
    if owed.on_leave:
        lines.append(ctx.t("score_excused_leave", months=months(owed.on_leave)))
    if owed.leave_days:
        lines.append(ctx.t("score_leave_days", days=owed.leave_days))
    return lines


@router.command("scores", summary_key="cmd_scores", usage_key="usage_scores")
async def scores(ctx: Context) -> list[OutgoingMessage]:
    """The ranked table of a school or workshop (or this group's), as the announcement would show it."""
    scope, name = await allowed_scope(ctx, ctx.args.split(), "usage_scores", "scores_not_yours")
    ranked = await standings(ctx.uow, ctx.policy, ctx.today, **scope)
    if not ranked:
        raise UserError("scores_none")
    planned = table_for_chat(env_of(ctx), ctx.message.chat, name, ranked, ctx.today)
    return [OutgoingMessage(chat=ctx.message.chat, text=m.text, file=m.file) for m in await drawn(planned)]


ANNOUNCE_DIALOG = "announce"


@router.command("announce", summary_key="cmd_announce", usage_key="usage_announce")
async def announce(ctx: Context) -> Reply:
    """A preview first (what, to how many groups and teachers); nothing is sent before /confirm.
    `/announce hold` keeps the next scheduled 公示 back, `/announce release` lets it go again."""
    verb = ctx.args.strip().lower()
    if verb in HOLD_WORDS or verb in RELEASE_WORDS:
        return await _hold(ctx, verb in HOLD_WORDS)
    if verb:
        raise UserError("usage_announce")
    shown = preview(await announcements(ctx.uow, env_of(ctx), ctx.today))
    if not shown.groups:
        return ctx.reply("announce_nothing")
    await ctx.start_dialog(ANNOUNCE_DIALOG, "confirm", {})
    buttons = (Button(ctx.t("button_confirm_announce"), "/confirm"), Button(ctx.t("button_cancel"), "/cancel"))
    return Reply(ctx.t("announce_preview", groups=shown.groups, private=shown.private, sample=shown.sample),
                 buttons=buttons)


HOLD_WORDS, RELEASE_WORDS = ("hold", "暂缓", "暂停"), ("release", "恢复", "放行")


async def _hold(ctx: Context, hold: bool) -> Reply:
    env = env_of(ctx)
    fire = next_announcement(ctx.policy.announcements.cron, env, ctx.now)
    if fire is None:
        raise UserError("announce_none_scheduled")
    key = announcement_key(env, fire)
    await ctx.audit(HOLD if hold else RELEASE, key)
    local = fire.astimezone(ctx.zone)
    return ctx.reply("announce_held" if hold else "announce_released",
                     when=f"{local.month}月{local.day}日 {local:%H:%M}")


@confirms(ANNOUNCE_DIALOG)
async def confirm_announce(ctx: Context) -> list:
    """Compose again (scores may have changed since the preview) and send."""
    await ctx.end_dialog()
    messages = await drawn(await announcements(ctx.uow, env_of(ctx), ctx.today))
    shown = preview(messages)
    await ctx.audit("scores.announce", f"{shown.groups} chats", after={"messages": len(messages),
                                                                       "private": shown.private})
    if not shown.groups:
        return [ctx.reply("announce_nothing")]
    return [ctx.reply("announce_done", chats=shown.groups, private=shown.private), *messages]


def _names_and_title(text: str, usage_key: str) -> tuple[list[str], str]:
    """`名单 | 说明`: names separated by spaces or 、, then what it was for."""
    names, _, title = text.replace("｜", "|").partition("|")
    found = [name for name in NAME_SEPARATORS.split(names.strip()) if name]
    if not found or not title.strip():
        raise UserError(usage_key)
    return found, title.strip()[:150]


async def _people(ctx: Context, names: list[str]) -> list:
    """Everyone named, or the attendees of a session given as #编号."""
    session_id = try_number(names[0]) if len(names) == 1 and names[0].startswith(("#", "＃")) else None
    if session_id is not None:
        return await service.session_attendees(ctx.uow, session_id)
    people = [await find_member(ctx, name) for name in names]
    return list({member.id: member for member in people}.values())


@router.command("credit", summary_key="cmd_credit", usage_key="usage_credit")
async def credit(ctx: Context) -> Reply:
    """`/credit <学时> <姓名…> | <培训>`: school-based hours for an offline training, in bulk."""
    amount, _, rest = ctx.args.strip().partition(" ")
    try:
        hours = float(amount)
    except ValueError:
        raise UserError("usage_credit") from None
    if not 0 < hours <= MAX_CREDIT_HOURS:
        raise UserError("credit_hours_bad")
    names, title = _names_and_title(rest, "usage_credit")
    title, category = _title_and_category(title)
    people = await _people(ctx, names)
    source = bounded_key("credit", ctx.message.platform, ctx.message.chat.chat_id, ctx.message.message_id)
    await service.credit_hours(ctx.uow, ctx.policy, people, hours=hours, title=title, source=source,
                               day=ctx.today, now=ctx.now, category=category)
    await ctx.audit("hours.credit", title, after={"hours": hours, "category": category,
                                                  "members": [m.name for m in people]})
    return ctx.reply("credited", hours=f"{hours:g}", count=len(people),
                     title=title if category == "school" else f"{title}，{ctx.t('hours_category_' + category)}",
                     names="、".join(member.name for member in people))


def _title_and_category(text: str) -> tuple[str, str]:
    """`标题 | 类别`: the category (线上, 校本, 县级, 县级以上) is optional and 校本 when left out."""
    title, separator, word = text.rpartition("|")
    if not separator:
        return text, SCHOOL
    category = category_of(word)
    if category is None or not title.strip():
        raise UserError("credit_category_bad", word=word.strip()[:20])
    return title.strip(), category


@router.command("mark", summary_key="cmd_mark", usage_key="usage_mark")
async def mark(ctx: Context) -> Reply:
    """`/mark 优秀|不合格 <姓名…> | <培训>`: a training result that scores +2 or −5 (policy)."""
    word, _, rest = ctx.args.strip().partition(" ")
    kind = next((k for k, words in MARK_WORDS.items() if word.lower() in words), None)
    if kind is None:
        raise UserError("usage_mark")
    names, title = _names_and_title(rest, "usage_mark")
    people = await _people(ctx, names)
    await service.mark_training(ctx.uow, people, mark=kind, title=title, day=ctx.today, now=ctx.now)
    await ctx.audit("scores.mark", title, after={"mark": kind, "members": [m.name for m in people]})
    return ctx.reply("marked", mark=ctx.t(f"mark_{kind}"), count=len(people), title=title,
                     names="、".join(member.name for member in people))


@router.command("freeze", summary_key="cmd_freeze")
async def freeze(ctx: Context) -> Reply:
    """Close the semester's assessment: scores are kept as they are; later changes are adjustments."""
    period, count = await service.freeze(ctx.uow, ctx.policy, ctx.today, ctx.now, force="force" in ctx.args)
    await ctx.audit("scores.freeze", period.name, after={"teachers": count})
    return ctx.reply("frozen", period=period.name, count=count)


@router.command("adjust", summary_key="cmd_adjust", usage_key="usage_adjust")
async def adjust(ctx: Context) -> Reply:
    """`/adjust <成员> <±分> <原因>`: a correction after freezing, kept with its reason."""
    parts = ctx.args.split()
    position = next((i for i, part in enumerate(parts) if re.fullmatch(r"[+\-−]?\d+(\.\d)?", part)), None)
    if position is None or position == 0 or position == len(parts) - 1:
        raise UserError("usage_adjust")
    member = await find_member(ctx, " ".join(parts[:position]))
    points = float(parts[position].replace("−", "-"))
    if abs(points) > MAX_ADJUST_POINTS:
        raise UserError("usage_adjust")
    reason = " ".join(parts[position + 1:])[:200]
    await service.adjust(ctx.uow, ctx.policy, member, points=points, reason=reason, actor=ctx.actor,
                         today=ctx.today, now=ctx.now)
    await ctx.audit("scores.adjust", member_label(member), after={"points": points, "reason": reason})
    return ctx.reply("adjusted", member=member_label(member), points=signed(points), reason=reason)
