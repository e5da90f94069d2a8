"""/outstanding · 推优: outstanding members per workshop or group (pooled units share places),
outstanding leaders and the bottom-share cut, as the policy's [awards] rules give them, with reasons."""

from __future__ import annotations

from bot.kernel.dispatcher import Context
from bot.kernel.messages import Reply
from bot.kernel.router import Router
from bot.services.awards import awards
from bot.services.scores import current_period

router = Router()


@router.command("outstanding", keywords=("推优",), summary_key="cmd_outstanding")
async def outstanding(ctx: Context) -> Reply:
    result = await awards(ctx.uow, ctx.policy, ctx.today)
    period = current_period(ctx.policy, ctx.today)
    lines = [ctx.t("outstanding_header", period=period.name, count=result.ranked,
                   state=ctx.t("outstanding_final" if period.final else "outstanding_interim"))]
    for award in result.members:
        if not award.picks:
            lines.append(ctx.t("outstanding_unit_none", unit=award.label, places=award.places))
            continue
        picks = "；".join(ctx.t("outstanding_pick", name=p.name, points=f"{p.points:g}", rank=p.rank)
                         + (ctx.t("outstanding_tied") if p.tied_at_edge else "") for p in award.picks)
        lines.append(ctx.t("outstanding_unit", unit=award.label, places=award.places, picks=picks))
    for leader in result.leaders:
        lines.append(ctx.t(f"outstanding_leader_{result.unit}", name=leader.name, unit=leader.unit,
                           mean=f"{leader.mean:g}", members=leader.members))
    if result.cut_share:
        names = "；".join(ctx.t("outstanding_pick_cut", name=p.name, points=f"{p.points:g}")
                         + (ctx.t("outstanding_tied") if p.tied_at_edge else "") for p in result.cut)
        lines.append(ctx.t("outstanding_cut", share=f"{result.cut_share * 100:g}", count=len(result.cut),
                           names=names or "—"))
    if result.group_places:
        picks = "；".join(ctx.t("outstanding_group_pick", name=g.unit, mean=f"{g.mean:g}", members=g.members,
                               rank=g.rank) + (ctx.t("outstanding_tied") if g.tied_at_edge else "") for g in result.groups)
        lines.append(ctx.t("outstanding_groups", places=result.group_places, picks=picks or "—"))
    lines.append(ctx.t("outstanding_rule"))
    return Reply("\n".join(lines))
