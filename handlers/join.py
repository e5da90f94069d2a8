"""/join: link the chat account to the teacher's roster entry — with a one-time code, or by asking a
coordinator to approve it (the rules are in bot.services.joining). A bare /join from a linked
teacher lists the accounts linked to her, so she can spot one that is not hers."""

from __future__ import annotations

from bot.domain.identity import platform_name
from bot.domain.text import split_args
from bot.kernel.dispatcher import Context, UserError
from bot.kernel.messages import Reply
from bot.kernel.router import Router
from bot.services import joining
from handlers.lookup import actor

router = Router()



def requester(ctx: Context) -> joining.Requester:
    sender, chat = ctx.message.sender, ctx.message.chat
    return joining.Requester(ctx.message.platform, sender.user_id, sender.display_name, chat.chat_id, chat.kind.value)


async def _accounts(ctx: Context) -> str:
    lines = [ctx.t("join_accounts_header")]
    for account in await joining.linked_accounts(ctx.uow, ctx.member):
        lines.append(ctx.t(
            "join_account_line", platform=platform_name(account.platform),
            user_id=account.user_id, name=account.display_name or "-",
            day=f"{ctx.local(account.linked_at):%Y-%m-%d}", via=ctx.t(f"join_via_{account.via or 'join'}"),
        ))
    lines.append(ctx.t("join_accounts_footer"))
    return "\n".join(lines)


@router.command("join", aliases=("register",), summary_key="cmd_join", usage_key="usage_join")
async def join(ctx: Context) -> Reply:
    if len(ctx.args) > 200:
        raise UserError("join_too_long")
    fields = [field for field in split_args(ctx.args) if field]
    if not fields and ctx.member is not None:
        school = ctx.member.school.name
        return Reply(ctx.t("join_unchanged", name=ctx.member.name, school=school) + "\n" + await _accounts(ctx))
    name, school, code = joining.parse_join(fields)
    outcome = await joining.join(ctx.uow, ctx.now, requester(ctx), ctx.member, name, school, actor(ctx), code,
                                 ctx.policy.joining)
    if outcome.status == "pending":
        return ctx.reply(f"join_pending_{outcome.reason}", id=outcome.request_id, name=outcome.name,
                         school=outcome.school)
    if outcome.status == "joined":
        return ctx.reply("joined", name=outcome.name, school=outcome.school)
    return Reply(ctx.t("join_unchanged", name=outcome.name, school=outcome.school) + "\n" + await _accounts(ctx))
