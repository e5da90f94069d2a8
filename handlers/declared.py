"""Posts of the record kinds the program's policy declares ([[records.kinds]]: 教学设计, 个人研修计划,
微课例 …): a post whose head names one is kept and counted. Built per policy, after every other shape,
so the built-in reflections, cases, observations, check-ins and questions are read first."""

from __future__ import annotations

from bot.domain.policy import Policy
from bot.domain.record_kinds import DeclaredReader
from bot.kernel.dispatcher import Context
from bot.kernel.messages import AttachmentKind, IncomingMessage, Reply
from bot.kernel.router import Router
from bot.services.declared import keep

ROUTE = "declared_record"
FILE_KINDS = {AttachmentKind.PHOTO, AttachmentKind.DOCUMENT}


def router_for(policy: Policy | None) -> Router:
    router = Router()
    reader = DeclaredReader(policy.records.kinds if policy is not None else ())

    def shape(text: str, _message: IncomingMessage) -> str | None:
        return text if reader.read(text) is not None else None

    @router.text(ROUTE, shape)
    async def declared_record(ctx: Context) -> Reply | None:
        post = reader.read(ctx.message.text)
        if post is None:
            return None
        files = [a for a in ctx.message.attachments if a.kind in FILE_KINDS]
        kept = await keep(ctx.uow, ctx.policy, ctx.member.id, post, ctx.message, files, ctx.today, ctx.now)
        if kept.record_id is None:
            return None
        return ctx.reply("declared_saved", name=post.kind.name, title=f"《{post.title}》" if post.title else "",
                         period=kept.period, count=kept.count)

    return router
