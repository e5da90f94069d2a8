"""/join: link the chat account to the teacher's roster entry, or ask a coordinator to approve it.

A teacher never picks an identity: only an exact, unambiguous roster match links at once; no match,
several matches, or an entry already linked to another account waits for a coordinator (/approve).
"""

from __future__ import annotations

from bot.domain.text import split_args
from bot.kernel.dispatcher import Context, UserError
from bot.domain.people import match_school, name_problem, school_problem
from bot.domain.roles import ADMIN
from bot.kernel.messages import Reply
from bot.kernel.router import Router
from storage.models import JoinRequest, Member

router = Router()


@router.command("join", aliases=("register",), summary_key="cmd_join", usage_key="usage_join")
async def join(ctx: Context) -> Reply:
    name, typed_school = _parse(ctx.args)
    if ctx.member is not None:
        if (ctx.member.name, ctx.member.school.name) == (name, typed_school) or (
            ctx.member.name == name and match_school(typed_school, [ctx.member.school.name])
        ):
            return ctx.reply("join_unchanged", name=ctx.member.name, school=ctx.member.school.name)
        raise UserError("join_already", name=ctx.member.name, school=ctx.member.school.name)
    schools = [school for school, _ in await ctx.uow.schools.listing()]
    matched = match_school(typed_school, [school.name for school in schools])
    if len(matched) > 1:
        raise UserError("join_which_school", schools="、".join(matched[:8]))
    if not matched:
        if ADMIN in ctx.roles:
            raise UserError("join_admin_no_school", school=typed_school)
        return await _ask_for_approval(ctx, name, typed_school, "no_school", [])
    school = next(school for school in schools if school.name == matched[0])
    entries = await ctx.uow.members.in_school(school.id, name)
    if len(entries) == 1:
        entry = entries[0]
        if await ctx.uow.members.account_on(entry.id, ctx.message.platform) is None:
            await _link(ctx, entry)
            return ctx.reply("joined", name=entry.name, school=school.name)
        return await _ask_for_approval(ctx, name, school.name, "taken", [entry.id])
    if not entries and ADMIN in ctx.roles:
        entry = await ctx.uow.members.add(
            Member(name=name, school_id=school.id, created_at=ctx.now, updated_at=ctx.now)
        )
        await _link(ctx, entry)
        await ctx.audit("member.add", f"#{entry.id} {name}", after={"school": school.name})
        return ctx.reply("joined", name=name, school=school.name)
    reason = "ambiguous" if entries else "no_match"
    return await _ask_for_approval(ctx, name, school.name, reason, [entry.id for entry in entries])


def _parse(args: str) -> tuple[str, str]:
    if len(args) > 200:
        raise UserError("join_too_long")
    fields = [field for field in split_args(args) if field]
    if len(fields) < 2:
        raise UserError("usage_join")
    name, school = fields[0], " ".join(fields[1:])
    for problem in (name_problem(name), school_problem(school)):
        if problem:
            raise UserError(problem)
    return name, school


async def _link(ctx: Context, member: Member) -> None:
    sender = ctx.message.sender
    await ctx.uow.members.link_account(member, ctx.message.platform, sender.user_id, sender.display_name, ctx.now)
    request = await ctx.uow.join_requests.open_for(ctx.message.platform, sender.user_id)
    if request is not None:
        await ctx.uow.join_requests.decide(request, "matched", ctx.now)


async def _ask_for_approval(
    ctx: Context, name: str, school: str, reason: str, candidates: list[int]
) -> Reply:
    """Open (or refresh) the sender's one pending request and tell them what happens next."""
    sender, chat = ctx.message.sender, ctx.message.chat
    request = await ctx.uow.join_requests.open_for(ctx.message.platform, sender.user_id)
    if request is None:
        request = JoinRequest(platform=ctx.message.platform, user_id=sender.user_id, created_at=ctx.now)
    request.display_name, request.chat_id, request.chat_kind = sender.display_name[:200], chat.chat_id, chat.kind.value
    request.name, request.school_name, request.reason, request.candidates = name, school, reason, candidates
    await ctx.uow.join_requests.save(request)
    return ctx.reply(f"join_pending_{reason}", id=request.id, name=name, school=school)
