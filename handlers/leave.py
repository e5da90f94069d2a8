"""/leave · 请假, /leaves; /objection · 异议, /objections: exemptions and objections, asked and decided.

A teacher asks (`/leave 12月3日-12月5日 病假`), a coordinator decides (`/leave approve 3`), and the
teacher hears the decision where she asked. Approved leave is subtracted from what she owes; an
objection to a published score waits in `/objections` until a coordinator settles it.
"""

from __future__ import annotations

from bot.domain.leave import LeaveProblem, parse_leave
from bot.kernel.access import is_organiser_roles
from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import Reply
from bot.kernel.router import Router
from bot.services import leave as service
from bot.services.scores import current_period
from handlers.lookup import id_from

router = Router()

DECISIONS = {"approve": True, "批准": True, "同意": True, "reject": False, "驳回": False, "拒绝": False}


def _span(view: service.LeaveView) -> str:
    first, last = view.first, view.last
    day = f"{first.month}月{first.day}日"
    return day if first == last else f"{day}—{last.month}月{last.day}日"


@router.command("leave", keywords=("请假",), summary_key="cmd_leave", usage_key="usage_leave")
async def leave(ctx: Context) -> Reply | list[Reply]:
    verb, _, rest = ctx.args.partition(" ")
    if verb.lower() in DECISIONS:
        return await _decide(ctx, DECISIONS[verb.lower()], rest)
    if ctx.member is None:
        raise UserError("join_first")
    if not ctx.args.strip():
        return _own_leave(ctx, await service.own_leave(ctx.uow, ctx.member.id))
    try:
        asked = parse_leave(ctx.args, ctx.today)
    except LeaveProblem as problem:
        raise UserError(problem.key) from None
    view = await service.request_leave(ctx.uow, ctx.member.id, asked, ctx.message.chat, ctx.now)
    await ctx.audit("leave.request", f"#{view.id} {view.name}",
                    after={"first": str(view.first), "last": str(view.last), "kind": view.kind_label})
    return ctx.reply("leave_requested", id=view.id, span=_span(view), kind=view.kind_label)


def _own_leave(ctx: Context, views: list[service.LeaveView]) -> Reply:
    if not views:
        return ctx.reply("leave_usage")
    lines = [ctx.t("leave_own_header")]
    lines += [ctx.t("leave_line", id=v.id, name=v.name, school=v.school, span=_span(v), kind=v.kind_label,
                    reason=v.reason, status=ctx.t(f"leave_status_{v.status}")) for v in views]
    return Reply("\n".join(lines))


async def _decide(ctx: Context, approve: bool, rest: str) -> list[Reply]:
    if not is_organiser_roles(ctx.roles):
        raise UserError("not_allowed", command="leave approve")
    number, _, note = rest.strip().partition(" ")
    view = await service.decide_leave(ctx.uow, id_from(number, "usage_leave"), approve, ctx.actor, ctx.now)
    await ctx.audit("leave.approve" if approve else "leave.reject", f"#{view.id} {view.name}",
                    before={"status": "pending"}, after={"status": view.status, "note": note.strip()})
    key = "leave_approved" if approve else "leave_rejected"
    notice = ctx.t(f"{key}_notice", span=_span(view), kind=view.kind_label,
                   note=note.strip() or ctx.t("leave_no_note"))
    return [ctx.reply(key, id=view.id, name=view.name, span=_span(view)),
            Reply(notice, chat=view.chat, reply_to_message=False)]


@router.command("leaves", summary_key="cmd_leaves")
async def leaves(ctx: Context) -> Reply:
    views = await service.pending_leave(ctx.uow)
    if not views:
        return ctx.reply("leaves_none")
    lines = [ctx.t("leaves_header", count=len(views))]
    lines += [ctx.t("leave_line", id=v.id, name=v.name, school=v.school, span=_span(v), kind=v.kind_label,
                    reason=v.reason, status=ctx.t("leave_status_pending")) for v in views]
    lines.append(ctx.t("leaves_footer"))
    return Reply("\n".join(lines))


@router.command("objection", keywords=("异议",), summary_key="cmd_objection", usage_key="usage_objection")
async def objection(ctx: Context) -> Reply:
    text = ctx.args.strip()
    if not text:
        raise UserError("usage_objection")
    period = current_period(ctx.policy, ctx.today)
    view = await service.file_objection(ctx.uow, ctx.member.id, period.key, text, ctx.message.chat, ctx.now)
    await ctx.audit("objection.file", f"#{view.id} {view.name}", after={"period": period.key})
    return ctx.reply("objection_filed", id=view.id, period=period.name)


@router.command("objections", summary_key="cmd_objections", usage_key="usage_objections")
async def objections(ctx: Context) -> Reply | list[Reply]:
    verb, _, rest = ctx.args.partition(" ")
    if verb.lower() in {"resolve", "处理", "答复"}:
        number, _, answer = rest.strip().partition(" ")
        if not answer.strip():
            raise UserError("usage_objections")
        view = await service.resolve_objection(ctx.uow, id_from(number, "usage_objections"), answer.strip(), ctx.actor, ctx.now)
        await ctx.audit("objection.resolve", f"#{view.id} {view.name}", after={"resolution": answer.strip()})
        notice = ctx.t("objection_resolved_notice", id=view.id, answer=answer.strip())
        return [ctx.reply("objection_resolved", id=view.id, name=view.name),
                Reply(notice, chat=view.chat, reply_to_message=False)]
    views = await service.open_objections(ctx.uow)
    if not views:
        return ctx.reply("objections_none")
    lines = [ctx.t("objections_header", count=len(views))]
    lines += [ctx.t("objection_line", id=v.id, name=v.name, school=v.school, text=v.text) for v in views]
    lines.append(ctx.t("objections_footer"))
    return Reply("\n".join(lines))
