"""/pending, /approve, /reject: a coordinator decides the /join requests the roster could not settle."""

from __future__ import annotations

from bot.kernel.dispatcher import Context, UserError
from bot.domain.people import match_school
from bot.kernel.messages import ChatKind, ChatRef, Reply
from bot.kernel.router import Router
from handlers.lookup import find_member, member_label, numbered
from storage.models import JoinRequest, Member

router = Router()


@router.command("pending", summary_key="cmd_pending")
async def pending(ctx: Context) -> Reply:
    requests = await ctx.uow.join_requests.open()
    if not requests:
        return ctx.reply("pending_none")
    lines = [ctx.t("pending_header", count=len(requests))]
    for request in requests:
        lines.append(ctx.t(
            "pending_line", id=request.id, name=request.name, school=request.school_name,
            who=request.display_name or request.user_id, reason=ctx.t(f"pending_reason_{request.reason}"),
        ))
        for member_id in request.candidates:
            member = await ctx.uow.members.get(member_id)
            if member is not None:
                lines.append(f"    · {member_label(member)}")
    lines.append(ctx.t("pending_footer"))
    return Reply("\n".join(lines))


@router.command("approve", summary_key="cmd_approve", usage_key="usage_approve")
async def approve(ctx: Context) -> list[Reply]:
    request, rest = await _open_request(ctx, "usage_approve")
    member = await _approved_member(ctx, request, rest)
    await ctx.uow.members.link_account(member, request.platform, request.user_id, request.display_name, ctx.now)
    await ctx.uow.join_requests.decide(request, "approved", ctx.now)
    await ctx.audit(
        "join.approve", f"#{request.id} {request.name}",
        before={"account": f"{request.platform}:{request.user_id}", "reason": request.reason},
        after={"member": member.id, "name": member.name, "school": member.school.name},
    )
    return [
        ctx.reply("approved", id=request.id, member=member_label(member)),
        _to_requester(request, ctx.t("approved_notice", name=member.name, school=member.school.name)),
    ]


@router.command("reject", summary_key="cmd_reject", usage_key="usage_reject")
async def reject(ctx: Context) -> list[Reply]:
    request, reason = await _open_request(ctx, "usage_reject")
    await ctx.uow.join_requests.decide(request, "rejected", ctx.now)
    await ctx.audit(
        "join.reject", f"#{request.id} {request.name}",
        before={"account": f"{request.platform}:{request.user_id}", "school": request.school_name},
        after={"reason": reason},
    )
    notice = ctx.t("rejected_notice", name=request.name, reason=reason or ctx.t("rejected_no_reason"))
    return [ctx.reply("rejected", id=request.id, name=request.name), _to_requester(request, notice)]


async def _open_request(ctx: Context, usage_key: str) -> tuple[JoinRequest, str]:
    number, rest = numbered(ctx.args, usage_key)
    request = await ctx.uow.join_requests.get(number)
    if request is None or request.platform != ctx.message.platform:
        raise UserError("request_not_found", id=number)
    if request.decided_at is not None:
        raise UserError("request_decided", id=request.id)
    return request, rest


async def _approved_member(ctx: Context, request: JoinRequest, choice: str) -> Member:
    """The roster entry the coordinator picked (`#12`), or a new entry in the named or requested school."""
    if choice.startswith(("#", "＃")):
        return await find_member(ctx, choice)
    if request.reason in {"ambiguous", "taken"} and not choice:
        raise UserError("approve_pick", id=request.id)
    schools = [school for school, _ in await ctx.uow.schools.listing()]
    wanted = choice or request.school_name
    matched = match_school(wanted, [school.name for school in schools])
    if len(matched) != 1:
        raise UserError("approve_school_unknown", id=request.id, school=wanted)
    school = next(school for school in schools if school.name == matched[0])
    member = await ctx.uow.members.add(
        Member(name=request.name, school_id=school.id, created_at=ctx.now, updated_at=ctx.now),
        roles=("teacher",),
    )
    await ctx.audit("member.add", member_label(member), after={"name": member.name, "school": school.name})
    return member


def _to_requester(request: JoinRequest, text: str) -> Reply:
    """The decision goes back to the chat the teacher asked in."""
    chat = ChatRef(request.platform, request.chat_id, ChatKind(request.chat_kind))
    return Reply(text, chat=chat, reply_to_message=False)
