"""/start, /help and the answer to a command nobody registered."""

from __future__ import annotations

from dataclasses import replace

from bot.kernel.access import MEMBER, rule_for
from bot.kernel.dispatcher import Context, HandlerResult
from bot.kernel.messages import Reply
from bot.kernel.router import Router

router = Router()


@router.command("start", summary_key="cmd_start")
async def start(ctx: Context) -> HandlerResult:
    continued = await _continue(ctx)
    if continued is not None:
        return continued
    greeting = ctx.t("welcome_member", name=ctx.member.name) if ctx.member else ctx.t("welcome")
    return Reply(greeting + "\n\n" + _overview(ctx))


async def _continue(ctx: Context) -> HandlerResult | None:
    """`/start <command>` from a deep link (t.me/<bot>?start=…): run what the button promised."""
    wanted = ctx.args.strip().lower()
    spec = ctx.router.commands.get(wanted) if wanted else None
    if spec is None or spec.name in ("start", "__unknown__"):
        return None
    rule = rule_for(spec.name)
    if not rule.allows(ctx.roles) or (rule.chats is not None and ctx.message.chat.kind not in rule.chats):
        return None
    return await spec.handler(replace(ctx, args=""))


@router.command("help", keywords=("帮助",), summary_key="cmd_help")
async def help_(ctx: Context) -> Reply:
    wanted = ctx.args.strip().lstrip("/／").lower()
    if not wanted:
        return Reply(ctx.t("help_header") + "\n" + _overview(ctx))
    spec = ctx.router.commands.get(wanted)
    if spec is None or spec.name.startswith("__"):
        return ctx.reply("help_unknown", command=wanted)
    lines = [f"/{spec.name} — {ctx.t(spec.summary_key)}" if spec.summary_key else f"/{spec.name}"]
    if spec.usage_key:
        lines.append(ctx.t(spec.usage_key))
    if spec.keywords:
        lines.append(ctx.t("help_keywords", keywords="、".join(spec.keywords)))
    return Reply("\n".join(lines))


@router.command("__unknown__")
async def unknown(ctx: Context) -> Reply:
    return ctx.reply("unknown_command", command=ctx.args)


def _overview(ctx: Context) -> str:
    lines = [
        f"/{spec.name} — {ctx.t(spec.summary_key)}"
        for spec in ctx.router.visible_commands()
        if spec.summary_key and rule_for(spec.name).allows(ctx.roles | {MEMBER})
    ]
    return "\n".join(lines) + "\n\n" + ctx.t("help_footer")
