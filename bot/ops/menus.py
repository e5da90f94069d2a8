"""Command menus per audience, for platforms that show one (Telegram's BotCommandScope): a short
one in groups, the teacher's commands in private chats, and the coordinators' own commands added
in coordinators' private chats — so nobody is shown a command that would not work where they are."""

from __future__ import annotations

from bot.domain.roles import COORDINATOR, HOST, LEADER, WORKSHOP_LEADER
from bot.i18n import Translator
from bot.kernel.access import MEMBER, rule_for
from bot.kernel.messages import ChatKind
from bot.kernel.router import Router

Menu = tuple[tuple[str, str], ...]

GROUP_MENU = ("checkin", "reflect", "case", "observe", "here", "bye", "sessions", "me", "join", "help")
"""What a teacher does in her school group; the rest is one /help away."""
ORGANISER_ROLES = frozenset({COORDINATOR, HOST, LEADER, WORKSHOP_LEADER})


def command_menus(router: Router, translator: Translator) -> dict[str, Menu]:
    """{"group": …, "private": …, "coordinator": …} as (command, description) pairs."""
    def works_in(name: str, kind: ChatKind) -> bool:
        chats = rule_for(name).chats
        return chats is None or kind in chats

    specs = [spec for spec in router.visible_commands() if spec.summary_key]
    for_members = [spec for spec in specs if rule_for(spec.name).roles <= {MEMBER}]
    by_name = {spec.name: spec for spec in for_members}
    group = [by_name[name] for name in GROUP_MENU if name in by_name and works_in(name, ChatKind.GROUP)]
    private = [spec for spec in for_members if works_in(spec.name, ChatKind.PRIVATE)]
    organiser = [spec for spec in specs if rule_for(spec.name).roles & ORGANISER_ROLES
                 and works_in(spec.name, ChatKind.PRIVATE)]

    def menu(chosen: list) -> Menu:
        return tuple((spec.name, translator(spec.summary_key)) for spec in chosen)

    return {"group": menu(group), "private": menu(private), "coordinator": menu(private + organiser)}
