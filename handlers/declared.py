"""Posts of the record kinds the program's policy declares ([[records.kinds]]: 教学设计, 个人研修计划,
微课例 …): a post whose head names one is kept and counted. Built per policy, after every other shape,
so the built-in reflections, cases, observations, check-ins and questions are read first."""

from __future__ import annotations

from bot.domain.policy import Policy
from bot.domain.record_kinds import DeclaredReader, ref
from bot.kernel.dispatcher import Context
from bot.kernel.messages import AttachmentKind, IncomingMessage, Reply
from bot.kernel.router import Router
from bot.services.declared import Poster, keep
from handlers.lookup import is_organiser

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
        poster = Poster(ctx.member.id, frozenset(ctx.roles), is_organiser(ctx))
        kept = await keep(ctx.uow, ctx.policy, poster, post, ctx.message, files, ctx.today, ctx.now)
        if kept.record_id is None:
            return None
        values = {"name": post.kind.name, "title": f"《{post.title}》" if post.title else "",
                  "period": kept.period, "count": kept.count, "id": ref(kept.record_id)}
        if kept.owner:
            return ctx.reply("declared_saved_for", teacher=kept.owner, **values)
        if kept.about:
            return ctx.reply("declared_saved_about", about=kept.about, **values)
        return ctx.reply("declared_saved", **values)

    return router
