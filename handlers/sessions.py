"""/session, /sessions, /compliance: coordinators and hosts schedule, run and check online sessions.

`/session new 时间 | 分钟 | 主题 | 主持人 | 链接 [| 学校、学校]` in one line, or a guided dialog.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.kernel.dispatcher import Context, UserError
from bot.domain.dates import parse_datetime
from bot.domain.roles import HOST
from bot.domain.text import try_number
from bot.domain.sessions import parse_minutes, schedule_warnings
from bot.kernel.messages import OutgoingMessage, Reply
from bot.services.sessions import Env, assign_writer, close, compliance_lines, describe, to_groups
from bot.kernel.router import Router
from handlers.lookup import find_member, is_organiser
from storage.models import Member, OnlineSession, School

router = Router()

DIALOG = "session"
STEPS = ("topic", "host", "time", "minutes", "link")
NO_LINK = {"无", "没有", "-", "none"}
STATUS_KEYS = {"scheduled": "status_scheduled", "live": "status_live", "cancelled": "status_cancelled"}


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
               "move": _move, "改期": _move, "writer": _writer, "纪要人": _writer}
    number, _, detail = rest.partition(" ")
    if verb not in actions or not number:
        raise UserError("usage_session")
    online = await _own_session(ctx, number)
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
        _start_time(ctx, answer)
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


async def _host(ctx: Context, text: str) -> Member:
    """The host must hold the host role and belong to the base school (基地校)."""
    host = await find_member(ctx, text)
    if HOST not in await ctx.uow.members.roles(host.id):
        raise UserError("session_host_not_host", name=host.name)
    if host.school.role != "base":
        raise UserError("session_host_not_base", name=host.name, school=host.school.name)
    return host


def _start_time(ctx: Context, text: str) -> datetime:
    parsed = parse_datetime(text, ctx.local(ctx.now).replace(tzinfo=None))
    if parsed is None or parsed.value is None or parsed.rest.strip():
        raise UserError("session_time_bad", text=text)
    if parsed.ambiguous_hour:
        raise UserError("session_time_ambiguous", text=text)
    start = parsed.value.replace(tzinfo=ctx.zone)
    if start <= ctx.now:
        raise UserError("session_time_past", text=text)
    return start


def _minutes(ctx: Context, text: str) -> int:
    minutes = parse_minutes(text)
    if minutes is None:
        raise UserError("session_minutes_bad", text=text)
    if minutes < ctx.policy.sessions.min_minutes:
        raise UserError("session_minutes_short", minutes=minutes, min=ctx.policy.sessions.min_minutes)
    return minutes


async def _participants(ctx: Context, host: Member, text: str) -> list[School]:
    """The named schools, or by default every active school with a partnership role; always the host's."""
    active = [school for school, _ in await ctx.uow.schools.listing()]
    if text:
        named = [name.strip() for name in text.replace(",", "、").replace("，", "、").split("、") if name.strip()]
        chosen = [school for school in active if school.name in named]
        missing = set(named) - {school.name for school in chosen}
        if missing:
            raise UserError("unit_not_found", kind=ctx.t("unit_school"), name="、".join(sorted(missing)))
    else:
        chosen = [school for school in active if school.role] or active
    if host.school_id not in {school.id for school in chosen}:
        chosen.append(host.school)
    return sorted(chosen, key=lambda school: (school.role != "base", school.id))


async def _schedule(ctx: Context, fields: list[str]) -> list:
    if len(fields) < 4:
        raise UserError("usage_session")
    start = _start_time(ctx, fields[0])
    minutes = _minutes(ctx, fields[1])
    topic = _check_topic(fields[2])
    host = await _host(ctx, fields[3])
    link = fields[4] if len(fields) > 4 and fields[4].lower() not in NO_LINK else ""
    schools = await _participants(ctx, host, fields[5] if len(fields) > 5 else "")
    online = await ctx.uow.online_sessions.add(OnlineSession(
        topic=topic, host_member_id=host.id, planned_start=start, planned_minutes=minutes, link=link[:500],
        status="scheduled", created_by_member_id=ctx.member.id if ctx.member else None,
        created_at=ctx.now, updated_at=ctx.now, summary_status="", summary_text="", summary_attachments=[],
        summary_comment="",
    ), [school.id for school in schools])
    await ctx.uow.db.refresh(online)
    await ctx.audit("session.add", f"#{online.id} {topic}", after={
        "start": start.isoformat(), "minutes": minutes, "host": host.name, "schools": [s.name for s in schools],
    })
    env, line = env_of(ctx), describe(env_of(ctx), online, schools)
    warnings = _warnings(ctx, start)
    reply = ctx.reply("session_scheduled", line=line, link=link or ctx.t("session_no_link")) 
    if warnings:
        reply = Reply(reply.text + "\n" + warnings)
    announcement = await to_groups(ctx.uow, env, schools, ctx.t("session_announced", line=line,
                                                                  link=link or ctx.t("session_no_link")))
    return [reply, *_elsewhere(ctx, announcement)]


def _warnings(ctx: Context, start: datetime) -> str:
    semester = ctx.policy.semester
    found = schedule_warnings(ctx.local(start).date(), semester_start=semester.start,
                              semester_end=semester.end, breaks=semester.breaks)
    return "\n".join(ctx.t(f"session_warn_{code}", name=name) for code, name in found)


def _elsewhere(ctx: Context, messages: list[OutgoingMessage]) -> list[OutgoingMessage]:
    """Group messages, except to the chat the command came from (it already has the reply)."""
    return [m for m in messages if m.chat.chat_id != ctx.message.chat.chat_id or m.chat.platform != ctx.message.platform]


async def _own_session(ctx: Context, text: str) -> OnlineSession:
    number = text.lstrip("#＃")
    session_id = try_number(number)
    online = await ctx.uow.online_sessions.get(session_id) if session_id is not None else None
    if online is None:
        raise UserError("session_not_found", id=number)
    if not is_organiser(ctx) and (ctx.member is None or online.host_member_id != ctx.member.id):
        raise UserError("session_not_yours", id=online.id)
    return online


def _require_open(online: OnlineSession) -> None:
    if online.status not in ("scheduled", "live"):
        raise UserError("session_closed", id=online.id)


async def _start(ctx: Context, online: OnlineSession, _rest: str) -> list:
    _require_open(online)
    if online.status == "live":
        return [ctx.reply("session_already_live", id=online.id)]
    online.status, online.actual_start, online.updated_at = "live", ctx.now, ctx.now
    await ctx.audit("session.start", f"#{online.id}", after={"actual_start": ctx.now.isoformat()})
    schools = await ctx.uow.online_sessions.schools_of(online.id)
    text = ctx.t("session_started", line=describe(env_of(ctx), online, schools))
    return [Reply(text), *_elsewhere(ctx, await to_groups(ctx.uow, env_of(ctx), schools, text))]


async def _end(ctx: Context, online: OnlineSession, _rest: str) -> list:
    _require_open(online)
    if online.actual_start is None and ctx.now < online.planned_start:
        raise UserError("session_not_started", id=online.id)
    online.actual_start = online.actual_start or online.planned_start
    online.actual_end = ctx.now
    await ctx.audit("session.end", f"#{online.id}", after={"actual_end": ctx.now.isoformat()})
    messages = await close(ctx.uow, env_of(ctx), online, ctx.now)
    return [ctx.reply("session_ended", id=online.id), *messages]


async def _cancel(ctx: Context, online: OnlineSession, reason: str) -> list:
    _require_open(online)
    online.status, online.updated_at = "cancelled", ctx.now
    await ctx.audit("session.cancel", f"#{online.id}", after={"reason": reason})
    schools = await ctx.uow.online_sessions.schools_of(online.id)
    text = ctx.t("session_cancelled", line=describe(env_of(ctx), online, schools),
                 reason=reason or ctx.t("session_no_reason"))
    return [Reply(text), *_elsewhere(ctx, await to_groups(ctx.uow, env_of(ctx), schools, text))]


async def _move(ctx: Context, online: OnlineSession, when_text: str) -> list:
    if online.status != "scheduled":
        raise UserError("session_closed", id=online.id)
    start = _start_time(ctx, when_text)
    before = online.planned_start
    online.planned_start, online.updated_at = start, ctx.now
    await ctx.audit("session.move", f"#{online.id}", before={"start": before.isoformat()},
                    after={"start": start.isoformat()})
    schools = await ctx.uow.online_sessions.schools_of(online.id)
    text = ctx.t("session_moved", line=describe(env_of(ctx), online, schools))
    warnings = _warnings(ctx, start)
    messages = _elsewhere(ctx, await to_groups(ctx.uow, env_of(ctx), schools, text))
    return [Reply(text + ("\n" + warnings if warnings else "")), *messages]


async def _writer(ctx: Context, online: OnlineSession, who: str) -> list:
    if not is_organiser(ctx):
        raise UserError("not_allowed", command="session writer")
    if online.valid is not True or online.summary_status == "approved":
        raise UserError("summary_not_open", id=online.id)
    writer = await find_member(ctx, who)
    schools = await ctx.uow.online_sessions.schools_of(online.id)
    messages = await assign_writer(ctx.uow, env_of(ctx), online, schools, writer, ctx.now)
    await ctx.audit("session.writer", f"#{online.id}", after={"writer": writer.name})
    return [ctx.reply("summary_writer_set", id=online.id, name=writer.name), *_elsewhere(ctx, messages)]


@router.command("sessions", summary_key="cmd_sessions")
async def sessions(ctx: Context) -> Reply:
    listed = await ctx.uow.online_sessions.listing(ctx.now - timedelta(days=31))
    if not listed:
        return ctx.reply("sessions_none")
    env = env_of(ctx)
    lines = [ctx.t("sessions_header")]
    for online in listed:
        schools = await ctx.uow.online_sessions.schools_of(online.id)
        status = STATUS_KEYS.get(online.status) or ("status_valid" if online.valid else "status_invalid")
        lines.append(f"{describe(env, online, schools)} — {ctx.t(status)}")
    return Reply("\n".join(lines))


@router.command("compliance", summary_key="cmd_compliance")
async def compliance_view(ctx: Context) -> Reply:
    lines = await compliance_lines(ctx.uow, ctx.policy, ctx.t, ctx.zone, ctx.today)
    return Reply("\n".join([ctx.t("compliance_header", semester=ctx.policy.semester.name), *lines]))
