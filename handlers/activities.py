"""/activity, /activities, /stages: activities the policy declares (集体备课, 小组研讨 …) with their rolls.

`/activity new <类型> <时间> | <分钟> | <主题> | <单位名> [| 地点]`; `/activity start|end|cancel <id>`;
`/activity roll <id> <姓名…>` marks people present, `/activity absent <id> <姓名…>` takes a mark back.
"""

from __future__ import annotations

import re

from bot.domain.activities import ENDED
from bot.domain.roles import school_role_label
from bot.domain.sessions import parse_minutes
from bot.kernel.access import is_organiser_roles
from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import OutgoingMessage, Reply
from bot.kernel.router import Router
from bot.services import activities as service
from bot.services import activity_views as views
from bot.services.sessions import Env
from handlers.lookup import find_member
from handlers.sessions import start_time

router = Router()

RECORD_PAST_DAYS = 31
"""An activity held before anyone recorded it (an offline training day) may be entered this long after."""

STATUS_KEYS = {"scheduled": "status_scheduled", "running": "activity_status_running"}


def env_of(ctx: Context) -> Env:
    return Env(ctx.policy, ctx.t, ctx.zone, ctx.message.platform, ctx.capabilities.can_send_images)


ACTIVITY_TEXT = re.compile(
    r"^活动\s*(?P<rest>(?:开始|结束|取消|点名|到场|缺席)\s*[#＃]?\d+(?:\s.*)?|(?:安排|新建)\s+\S.*)$", re.DOTALL)
"""活动 followed by one of the verbs: "活动：今天我们组织了读书活动" stays an ordinary message."""


@router.command("activity", summary_key="cmd_activity", usage_key="usage_activity")
async def activity(ctx: Context) -> Reply | list:
    head, _, rest = ctx.args.strip().partition(" ")
    verb, rest = head.lower(), rest.strip()
    if verb in ("new", "新建", "安排"):
        return await _schedule(ctx, [field.strip() for field in rest.replace("｜", "|").split("|")])
    actions = {"start": _start, "开始": _start, "end": _end, "结束": _end, "cancel": _cancel, "取消": _cancel,
               "roll": _roll, "点名": _roll, "到场": _roll, "absent": _absent, "缺席": _absent}
    number, _, detail = rest.partition(" ")
    if verb not in actions or not number:
        raise UserError("usage_activity")
    found, rule = await service.own_activity(ctx.uow, ctx.policy, number, ctx.member, ctx.roles)
    return await actions[verb](ctx, found, rule, detail.strip())


@router.text("activity", ACTIVITY_TEXT)
async def activity_text(ctx: Context) -> Reply | list:
    """活动安排 集体备课 … / 活动开始 3 / 活动点名 3 丙老师: the command in words."""
    verb = ctx.args[:2]
    ctx.args = f"{verb} {ctx.args[2:].strip()}"
    return await activity(ctx)


async def _schedule(ctx: Context, fields: list[str]) -> list:
    if len(fields) < 3 or not fields[0]:
        raise UserError("usage_activity")
    kind_text, _, when_text = fields[0].partition(" ")
    rule = service.rule_named(ctx.policy, kind_text)
    if not when_text.strip():
        raise UserError("usage_activity")
    start = start_time(ctx, when_text.strip(), past_days=RECORD_PAST_DAYS, school_day=True)
    minutes = parse_minutes(fields[1])
    if minutes is None:
        raise UserError("session_minutes_bad", text=fields[1])
    topic = fields[2]
    if not 2 <= len(topic) <= 200:
        raise UserError("session_topic_bad")
    unit_text = fields[3] if len(fields) > 3 else ""
    place = fields[4][:200] if len(fields) > 4 else ""
    unit_id, unit_name = await service.find_unit(ctx.uow, ctx.policy, rule.unit, unit_text, ctx.member)
    if not service.may_run(ctx.member, ctx.roles, rule, rule.unit, unit_id):
        raise UserError("activity_not_your_unit", kind=rule.name, unit=unit_name)
    done = await service.schedule(
        ctx.uow, env_of(ctx), ctx.now, rule=rule, unit_kind=rule.unit, unit_id=unit_id, host=ctx.member,
        start=start, minutes=minutes, topic=topic, place=place, created_by=ctx.member.id if ctx.member else None)
    await ctx.audit("activity.add", f"#{done.activity.id} {rule.name} {topic}", after={
        "start": start.isoformat(), "minutes": minutes, "unit": unit_name, "place": place})
    reply = ctx.reply("activity_scheduled", line=done.line)
    if minutes < rule.min_minutes:
        reply = Reply(reply.text + "\n" + ctx.t("activity_warn_short", minutes=minutes, min=rule.min_minutes))
    if not await service.owes(ctx.uow, rule, unit_id):
        roles = "、".join(school_role_label(role) for role in rule.school_roles)
        reply = Reply(reply.text + "\n" + ctx.t("activity_warn_school_role", kind=rule.name, school=unit_name,
                                                 roles=roles))
    if start <= ctx.now:  # held already: recorded for its roll, nothing to announce
        return [Reply(reply.text + "\n" + ctx.t("activity_recorded_past", id=done.activity.id))]
    return [reply, *_elsewhere(ctx, done.messages)]


def _elsewhere(ctx: Context, messages: list[OutgoingMessage]) -> list[OutgoingMessage]:
    """Group messages, except to the chat the command came from (it already has the reply)."""
    return [m for m in messages if m.chat.chat_id != ctx.message.chat.chat_id or m.chat.platform != ctx.message.platform]


async def _start(ctx: Context, found, rule, _rest: str) -> list:
    done = await service.start(ctx.uow, env_of(ctx), found, ctx.member, ctx.now)
    await ctx.audit("activity.start", f"#{found.id}", after={"started_at": ctx.now.isoformat()})
    return [Reply(done.text), *_elsewhere(ctx, done.messages)]


async def _end(ctx: Context, found, rule, _rest: str) -> list:
    text, messages = await service.end(ctx.uow, env_of(ctx), found, rule, ctx.now)
    await ctx.audit("activity.end", f"#{found.id}", after={"counted": found.counted, "verdict": found.verdict})
    return [Reply(text), *_elsewhere(ctx, messages)]


async def _cancel(ctx: Context, found, rule, reason: str) -> list:
    done = await service.cancel(ctx.uow, env_of(ctx), found, ctx.now, reason)
    await ctx.audit("activity.cancel", f"#{found.id}", after={"reason": reason})
    return [Reply(done.text), *_elsewhere(ctx, done.messages)]


async def _people(ctx: Context, text: str) -> list:
    names = [name for name in re.split(r"[\s、,，;；]+", text) if name]
    if not names:
        raise UserError("usage_activity")
    return [await find_member(ctx, name) for name in names]


async def _roll(ctx: Context, found, rule, who: str) -> list:
    marker = ctx.member.name if ctx.member else ctx.actor
    added = await service.mark(ctx.uow, found, await _people(ctx, who), ctx.now, marker)
    await ctx.audit("activity.roll", f"#{found.id}", after={"present": added})
    if not added:
        return [ctx.reply("activity_roll_none", id=found.id)]
    done = ctx.reply("activity_roll_added", id=found.id, names="、".join(added))
    return [done, *await _corrected(ctx, found, rule)]


async def _absent(ctx: Context, found, rule, who: str) -> list:
    removed = await service.unmark(ctx.uow, found, await _people(ctx, who))
    await ctx.audit("activity.absent", f"#{found.id}", after={"unmarked": removed})
    if not removed:
        return [ctx.reply("activity_absent_none", id=found.id)]
    done = ctx.reply("activity_absent_done", id=found.id, names="、".join(removed))
    return [done, *await _corrected(ctx, found, rule)]


async def _corrected(ctx: Context, found, rule) -> list:
    """A roll corrected after the end: judged again, the corrected result here and in the unit's chats."""
    if found.status != ENDED:
        return []
    text, messages = await service.rejudge(ctx.uow, env_of(ctx), found, rule, ctx.now)
    return [Reply(text), *_elsewhere(ctx, messages)]


@router.command("activities", summary_key="cmd_activities")
async def activities(ctx: Context) -> Reply:
    if not ctx.policy.activities:
        return ctx.reply("activities_none_declared")
    everything = is_organiser_roles(ctx.roles)
    listed = await views.coming(ctx.uow, env_of(ctx), everything, ctx.member)
    lines = [ctx.t("activities_header")]
    lines += [f"{item.line} — {ctx.t(STATUS_KEYS[item.status])}" for item in listed] or [ctx.t("activities_none")]
    quotas = [quota for quota in await views.quotas(ctx.uow, ctx.policy, ctx.zone, ctx.today)
              if everything or service.concerns(ctx.member, quota.unit_kind, quota.unit_id)]
    if quotas:
        lines.append(ctx.t("activities_quota_header"))
        lines += [views.quota_line(ctx.t, quota) for quota in quotas]
    return Reply("\n".join(lines))


@router.command("stages", keywords=("阶段",), summary_key="cmd_stages")
async def stages(ctx: Context) -> Reply:
    lines = await views.stage_lines(ctx.uow, ctx.policy, ctx.t, ctx.zone, ctx.today)
    if not lines:
        return ctx.reply("stages_none")
    return Reply("\n".join([ctx.t("stages_header", program=ctx.policy.name), *lines]))


async def checkin_arrivals(ctx: Context) -> list[str]:
    """签到 while activities of the sender's units run: one line per activity marked."""
    if ctx.member is None or not ctx.policy.activities:
        return []
    at = min(ctx.sent_at, ctx.now)
    lines = []
    for arrival in await service.arrive(ctx.uow, env_of(ctx), ctx.member, ctx.message.chat, at):
        time = ctx.local(arrival.arrived_at).strftime("%H:%M")
        key = "activity_here_already" if arrival.already else (
            "activity_here_late" if arrival.late_minutes else "activity_here_ok")
        lines.append(ctx.t(key, name=ctx.member.name, id=arrival.activity_id, kind=arrival.kind, time=time,
                           late=arrival.late_minutes))
    return lines
