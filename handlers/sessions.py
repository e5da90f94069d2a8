"""/session, /sessions, /compliance: coordinators and hosts schedule, run and check online sessions.

`/session new 时间 | 分钟 | 主题 | 主持人 | 链接 [| 学校、学校]` in one line, or a guided dialog.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta

from bot.domain.dates import FUTURE, parse_datetime, school_day_reading
from bot.domain.session_status import SessionStatus
from bot.domain.sessions import parse_minutes, schedule_warnings
from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import OutgoingMessage, Reply
from bot.kernel.router import Router
from bot.services import activity_views
from bot.services import sessions as service
from bot.services.awards import unit_size_lines
from bot.services.compliance import compliance_lines
from bot.services.sessions import Env
from handlers.lookup import find_member, is_organiser

router = Router()

DIALOG = "session"
STEPS = ("topic", "host", "time", "minutes", "link")
NO_LINK = {"无", "没有", "-", "none"}
STATUS_KEYS = {SessionStatus.SCHEDULED: "status_scheduled", SessionStatus.LIVE: "status_live",
               SessionStatus.CANCELLED: "status_cancelled"}


def env_of(ctx: Context) -> Env:
    return Env(ctx.policy, ctx.t, ctx.zone, ctx.message.platform, ctx.capabilities.can_send_images)


@router.command("session", summary_key="cmd_session", usage_key="usage_session")
async def session(ctx: Context) -> Reply | list:
    head, _, rest = ctx.args.strip().partition(" ")
    verb, rest = head.lower(), rest.strip()
    if verb in ("new", "新建", "安排"):
        if not rest:
            await ctx.start_dialog(DIALOG, "topic")
            return ctx.reply("session_ask_topic")
        return await _schedule(ctx, [field.strip() for field in rest.replace("｜", "|").split("|")])
    actions = {"start": _start, "开始": _start, "end": _end, "结束": _end, "cancel": _cancel, "取消": _cancel,
               "move": _move, "改期": _move, "writer": _writer, "纪要人": _writer, "attend": _attend, "补录": _attend}
    number, _, detail = rest.partition(" ")
    if verb not in actions or not number:
        raise UserError("usage_session")
    online = await service.own_session(ctx.uow, number, ctx.member, is_organiser(ctx))
    return await actions[verb](ctx, online, detail.strip())


@router.dialog(DIALOG)
async def session_dialog(ctx: Context) -> Reply | list:
    step, answer = ctx.dialog.step, ctx.args.strip()
    if not answer:
        return ctx.reply(f"session_ask_{step}")
    if step == "topic":
        _check_topic(answer)
    elif step == "host":
        await _host(ctx, answer)
    elif step == "time":
        start_time(ctx, answer)
    elif step == "minutes":
        _minutes(ctx, answer)
    if step != "link":
        following = STEPS[STEPS.index(step) + 1]
        await ctx.advance_dialog(following, **{step: answer})
        return ctx.reply(f"session_ask_{following}")
    data = {**ctx.dialog.data, "link": answer}
    await ctx.end_dialog()
    return await _schedule(ctx, [data["time"], data["minutes"], data["topic"], data["host"], data["link"]])


def _check_topic(topic: str) -> str:
    if not 2 <= len(topic) <= 200:
        raise UserError("session_topic_bad")
    return topic


async def _host(ctx: Context, text: str):
    return await service.check_host(ctx.uow, await find_member(ctx, text))


def start_time(ctx: Context, text: str, *, past_days: int = 0, school_day: bool = False) -> datetime:
    """A start to come, for a session or an activity: 周三 and 3号 mean the next one. With
    `past_days`, a start up to that many days ago is taken too (an activity held before it was recorded);
    with `school_day`, a bare 9点 or 2:30 is read within the school day (an offline activity, where
    an online session in the evening would have to ask)."""
    now = ctx.local(ctx.now).replace(tzinfo=None)
    parsed = nearest = parse_datetime(text, now)
    coming = parse_datetime(text, now, prefer=FUTURE)
    if coming is not None and nearest is not None and (coming.day - nearest.day).days < 60:
        parsed = coming  # 周三, 3号: the next one; a month and day already past stays past (a typo, not next year)
    if parsed is None or parsed.value is None or parsed.rest.strip():
        raise UserError("session_time_bad", text=text)
    if parsed.ambiguous_hour:
        reading = school_day_reading(parsed) if school_day else None
        if reading is None:
            raise UserError("session_time_ambiguous", text=text)
        parsed = replace(parsed, value=reading)
    if parsed.ambiguous_day:
        raise UserError("session_day_ambiguous", text=text, day=f"{parsed.day.month}月{parsed.day.day}日")
    start = parsed.value.replace(tzinfo=ctx.zone)
    if start <= ctx.now and not ctx.now - timedelta(days=past_days) <= start:
        raise UserError("session_time_past", text=text)
    return start


def _minutes(ctx: Context, text: str) -> int:
    minutes = parse_minutes(text)
    if minutes is None:
        raise UserError("session_minutes_bad", text=text)
    if minutes < ctx.policy.sessions.min_minutes:
        raise UserError("session_minutes_short", minutes=minutes, min=ctx.policy.sessions.min_minutes)
    return minutes


def _school_names(text: str) -> list[str]:
    return [name.strip() for name in text.replace(",", "、").replace("，", "、").split("、") if name.strip()]


async def _schedule(ctx: Context, fields: list[str]) -> list:
    if len(fields) < 4:
        raise UserError("usage_session")
    start = start_time(ctx, fields[0])
    minutes = _minutes(ctx, fields[1])
    topic = _check_topic(fields[2])
    host = await _host(ctx, fields[3])
    link = fields[4] if len(fields) > 4 and fields[4].lower() not in NO_LINK else ""
    schools = await service.participants(ctx.uow, host, _school_names(fields[5] if len(fields) > 5 else ""),
                                         ctx.t("unit_school"))
    done = await service.schedule(
        ctx.uow, env_of(ctx), ctx.now, start=start, minutes=minutes, topic=topic, host=host, link=link,
        schools=schools, created_by=ctx.member.id if ctx.member else None, announcement_key="session_announced")
    await ctx.audit("session.add", f"#{done.online.id} {topic}", after={
        "start": start.isoformat(), "minutes": minutes, "host": host.name, "schools": [s.name for s in schools],
    })
    reply = ctx.reply("session_scheduled", line=done.line, link=link or ctx.t("session_no_link"))
    warnings = _warnings(ctx, start)
    small = await service.short_schools(ctx.uow, ctx.policy, schools)
    if small:
        warnings = "\n".join(filter(None, [warnings, *(
            ctx.t("session_warn_small_school", school=name, have=have, need=ctx.policy.sessions.min_per_school)
            for name, have in small)]))
    if warnings:
        reply = Reply(reply.text + "\n" + warnings)
    return [reply, *_elsewhere(ctx, done.messages)]


def _warnings(ctx: Context, start: datetime) -> str:
    semester = ctx.policy.semester
    found = schedule_warnings(ctx.local(start).date(), semester_start=semester.start,
                              semester_end=semester.end, breaks=semester.breaks)
    return "\n".join(ctx.t(f"session_warn_{code}", name=name) for code, name in found)


def _elsewhere(ctx: Context, messages: list[OutgoingMessage]) -> list[OutgoingMessage]:
    """Group messages, except to the chat the command came from (it already has the reply)."""
    return [m for m in messages if m.chat.chat_id != ctx.message.chat.chat_id or m.chat.platform != ctx.message.platform]


async def _start(ctx: Context, online, _rest: str) -> list:
    done = await service.start(ctx.uow, env_of(ctx), online, ctx.now)
    if done is None:
        return [ctx.reply("session_already_live", id=online.id)]
    await ctx.audit("session.start", f"#{online.id}", after={"actual_start": ctx.now.isoformat()})
    return [Reply(done.text), *_elsewhere(ctx, done.messages)]


async def _end(ctx: Context, online, _rest: str) -> list:
    messages = await service.end(ctx.uow, env_of(ctx), online, ctx.now)
    await ctx.audit("session.end", f"#{online.id}", after={"actual_end": ctx.now.isoformat()})
    return [ctx.reply("session_ended", id=online.id), *messages]


async def _cancel(ctx: Context, online, reason: str) -> list:
    done = await service.cancel(ctx.uow, env_of(ctx), online, ctx.now, reason)
    await ctx.audit("session.cancel", f"#{online.id}", after={"reason": reason})
    return [Reply(done.text), *_elsewhere(ctx, done.messages)]


async def _move(ctx: Context, online, when_text: str) -> list:
    if online.status != SessionStatus.SCHEDULED:
        raise UserError("session_closed", id=online.id)
    start = start_time(ctx, when_text)
    before = online.planned_start
    done = await service.reschedule(ctx.uow, env_of(ctx), online, ctx.now, start)
    await ctx.audit("session.move", f"#{online.id}", before={"start": before.isoformat()},
                    after={"start": start.isoformat()})
    warnings = _warnings(ctx, start)
    return [Reply(done.text + ("\n" + warnings if warnings else "")), *_elsewhere(ctx, done.messages)]


async def _attend(ctx: Context, online, who: str) -> list:
    """`/session attend <id> <姓名…>`: the named were there the whole session; an ended session is judged again."""
    names = [name for name in re.split(r"[\s、,，;；]+", who) if name]
    if not names:
        raise UserError("usage_session_attend")
    people = [await find_member(ctx, name) for name in names]
    message = ctx.message
    added = await service.attend(ctx.uow, online, people, ctx.now, message.platform, message.chat.chat_id,
                                 message.message_id)
    await ctx.audit("session.attend", f"#{online.id} {online.topic}", after={"added": added})
    if not added:
        return [ctx.reply("session_attend_none", id=online.id)]
    reply = ctx.reply("session_attend_added", id=online.id, names="、".join(added))
    if SessionStatus(online.status) is SessionStatus.ENDED:
        return [reply, *_elsewhere(ctx, await service.rejudge(ctx.uow, env_of(ctx), online, ctx.now))]
    return [reply]


async def _writer(ctx: Context, online, who: str) -> list:
    if not is_organiser(ctx):
        raise UserError("not_allowed", command="session writer")
    writer = await find_member(ctx, who)
    messages = await service.change_writer(ctx.uow, env_of(ctx), online, writer, ctx.now)
    await ctx.audit("session.writer", f"#{online.id}", after={"writer": writer.name})
    return [ctx.reply("summary_writer_set", id=online.id, name=writer.name), *_elsewhere(ctx, messages)]


@router.command("sessions", summary_key="cmd_sessions")
async def sessions(ctx: Context) -> Reply:
    listed = await service.recent(ctx.uow, env_of(ctx), ctx.now)
    if not listed:
        return ctx.reply("sessions_none")
    lines = [ctx.t("sessions_header")]
    for item in listed:
        status = STATUS_KEYS.get(item.status) or ("status_valid" if item.valid else "status_invalid")
        lines.append(f"{item.line} — {ctx.t(status)}")
    return Reply("\n".join(lines))


@router.command("compliance", summary_key="cmd_compliance")
async def compliance_view(ctx: Context) -> Reply:
    lines = await compliance_lines(ctx.uow, ctx.policy, ctx.t, ctx.zone, ctx.today)
    lines += await activity_views.compliance_lines(ctx.uow, ctx.policy, ctx.t, ctx.zone, ctx.today)
    lines += await unit_size_lines(ctx.uow, ctx.policy, ctx.t)
    return Reply("\n".join([ctx.t("compliance_header", semester=ctx.policy.semester.name), *lines]))
