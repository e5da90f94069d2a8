"""Who may run which command, and where: the one permission table the dispatcher enforces.

Roles come from grants stored with the member and from `YANXIU_ADMINS`; a platform's group admins
get no program powers by themselves. Administrators may run everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.roles import ADMIN, COORDINATOR, HOST, LEADER, MENTOR, WORKSHOP_LEADER
from bot.kernel.messages import ChatKind

MEMBER = "member"
"""Implicit role of anyone linked to a roster entry."""


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str] = frozenset()
    """Any one of these roles suffices; empty means anyone, even before /join."""
    chats: frozenset[ChatKind] | None = None
    """The kinds of chat the command works in; None means any."""

    def allows(self, roles: frozenset[str]) -> bool:
        """Administrators pass every check except one for roster members alone: records need a person."""
        if not self.roles or self.roles & roles:
            return True
        return ADMIN in roles and self.roles != {MEMBER}

    @property
    def for_anyone(self) -> bool:
        return not self.roles


ANYONE = Rule()
MEMBERS = Rule(frozenset({MEMBER}))
COORDINATORS = Rule(frozenset({COORDINATOR}))
UNIT_LEADERS = Rule(frozenset({COORDINATOR, WORKSHOP_LEADER, LEADER}))
SESSION_RUNNERS = Rule(frozenset({COORDINATOR, HOST}))
VIEWERS = Rule(frozenset({MEMBER, COORDINATOR, HOST, LEADER, WORKSHOP_LEADER, MENTOR}))
"""Listings of what is planned: members, and whoever runs things without being on the roster."""
ADMINS = Rule(frozenset({ADMIN}))
PRIVATE = frozenset({ChatKind.PRIVATE})
GROUPS = frozenset({ChatKind.GROUP})

PERMISSIONS: dict[str, Rule] = {
    # anyone
    "start": ANYONE,
    "help": ANYONE,
    "join": ANYONE,
    "cancel": ANYONE,
    "confirm": ANYONE,
    "__unknown__": ANYONE,
    "program": ANYONE,
    # members: their own records
    "checkin": MEMBERS,
    "reflect": MEMBERS,
    "case": MEMBERS,
    "record": MEMBERS,
    "observe": MEMBERS,
    "mine": MEMBERS,
    "undo": MEMBERS,
    "delete": MEMBERS,
    "edit": MEMBERS,
    "me": MEMBERS,
    "forgetme": MEMBERS,
    "myfile": Rule(MEMBERS.roles, PRIVATE),
    "dialog:record": MEMBERS,
    "relay": ANYONE,
    "ask": ANYONE,
    "mention": ANYONE,
    "presence": ANYONE,
    "near_miss": ANYONE,
    "ime_command": ANYONE,
    "dialog:observe": MEMBERS,
    "files": ANYONE,
    "dialog:files": MEMBERS,
    "sessions": VIEWERS,
    "here": MEMBERS,
    "bye": MEMBERS,
    "summary": MEMBERS,
    "score": MEMBERS,
    "leave": MEMBERS,
    "objection": MEMBERS,
    # session runners: coordinators, and hosts for their own sessions
    "session": SESSION_RUNNERS,
    "dialog:session": SESSION_RUNNERS,
    "approve_summary": SESSION_RUNNERS,
    "return_summary": SESSION_RUNNERS,
    "compliance": SESSION_RUNNERS,
    # organisers
    "roster": UNIT_LEADERS,
    "school": COORDINATORS,
    "workshop": COORDINATORS,
    "group": COORDINATORS,
    "bind": Rule(COORDINATORS.roles, GROUPS),
    "unbind": Rule(COORDINATORS.roles, GROUPS),
    "pending": COORDINATORS,
    "approve": COORDINATORS,
    "reject": COORDINATORS,
    "invite": Rule(COORDINATORS.roles, PRIVATE),
    "grant": COORDINATORS,
    "revoke": COORDINATORS,
    "assign": COORDINATORS,
    "pair": COORDINATORS,
    "unpair": COORDINATORS,
    "scores": UNIT_LEADERS,
    "credit": COORDINATORS,
    "mark": COORDINATORS,
    "announce": COORDINATORS,
    "freeze": COORDINATORS,
    "adjust": COORDINATORS,
    "export": Rule(UNIT_LEADERS.roles, PRIVATE),
    "leaves": COORDINATORS,
    "objections": COORDINATORS,
    "history": Rule(COORDINATORS.roles, PRIVATE),
    "hours": Rule(COORDINATORS.roles, PRIVATE),
    "outstanding": COORDINATORS,
    "declared_record": MEMBERS,
    "review": Rule(frozenset({COORDINATOR, WORKSHOP_LEADER, LEADER, MENTOR})),
    "lessons": Rule(frozenset({COORDINATOR, WORKSHOP_LEADER, LEADER, MENTOR})),
    "audit": ADMINS,
    # the web dashboard: a private link, scoped to the units the asker leads
    "dashboard": Rule(frozenset({COORDINATOR, WORKSHOP_LEADER, LEADER, MENTOR}), PRIVATE),
    # activities the policy declares: coordinators, and the type's host roles for their own unit
    "activity": Rule(frozenset({COORDINATOR, LEADER, WORKSHOP_LEADER, MENTOR, HOST})),
    "activities": VIEWERS,
    "stages": VIEWERS,
}
"""Route name (command, plain-text shape or dialog) → who may run it and where."""


def is_organiser_roles(roles: frozenset[str]) -> bool:
    """Coordinators and administrators see and change the whole program."""
    return bool(roles & {COORDINATOR, ADMIN})


def rule_for(route_name: str) -> Rule:
    """The rule of a route; a route missing from the table is a programming error, caught at start."""
    return PERMISSIONS[route_name]


def resolve_roles(is_member: bool, granted: set[str], is_configured_admin: bool) -> frozenset[str]:
    roles = set(granted)
    if is_member:
        roles.add(MEMBER)
    if is_configured_admin:
        roles.add(ADMIN)
    return frozenset(roles)
