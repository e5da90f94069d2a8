"""/pending, /approve, /reject: a coordinator decides the /join requests the roster could not settle
(bot.services.joining decides; this module words it and tells the teacher)."""

from __future__ import annotations

from bot.kernel.dispatcher import Context
from bot.kernel.messages import ChatKind, ChatRef, Reply
from bot.kernel.router import Router
from bot.services import joining
from handlers.lookup import actor, numbered

router = Router()


@router.command("pending", summary_key="cmd_pending")
async def pending(ctx: Context) -> Reply:
    requests = await joining.pending(ctx.uow)
    if not requests:
        return ctx.reply("pending_none")
    lines = [ctx.t("pending_header", count=len(requests))]
    for request in requests:
        lines.append(ctx.t("pending_line", id=request.id, name=request.name, school=request.school,
                           who=request.who, reason=ctx.t(f"pending_reason_{request.reason}")))
        lines += [f"    · {candidate}" for candidate in request.candidates]
    lines.append(ctx.t("pending_footer"))
    return Reply("\n".join(lines))


@router.command("approve", summary_key="cmd_approve", usage_key="usage_approve")
async def approve(ctx: Context) -> list[Reply]:
    number, choice = numbered(ctx.args, "usage_approve")
    decision = await joining.approve(ctx.uow, actor(ctx), ctx.now, ctx.message.platform, number, choice)
    return [
        ctx.reply("approved", id=decision.request_id, member=decision.member),
        _to_requester(decision.requester, ctx.t("approved_notice", name=decision.name, school=decision.school)),
    ]


@router.command("reject", summary_key="cmd_reject", usage_key="usage_reject")
async def reject(ctx: Context) -> list[Reply]:
    number, reason = numbered(ctx.args, "usage_reject")
    decision = await joining.reject(ctx.uow, actor(ctx), ctx.now, ctx.message.platform, number, reason)
    notice = ctx.t("rejected_notice", name=decision.name, reason=reason or ctx.t("rejected_no_reason"))
    return [ctx.reply("rejected", id=decision.request_id, name=decision.name), _to_requester(decision.requester, notice)]


def _to_requester(who: joining.Requester, text: str) -> Reply:
    """The decision goes back to the chat the teacher asked in."""
    return Reply(text, chat=ChatRef(who.platform, who.chat_id, ChatKind(who.chat_kind)), reply_to_message=False)
