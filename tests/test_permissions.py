"""The permission matrix: every command × every role × group and private chat, through the dispatcher.

The expectation below is written out independently of bot/access.py, as the spec a program office
would read; a refused command must answer politely and change nothing.
"""

from __future__ import annotations

import itertools

from sqlalchemy import func, select

from bot.i18n import Translator
from bot.kernel.access import PERMISSIONS
from storage.models import Base

EVERYONE = {"start", "help", "join", "cancel", "confirm", "program"}
MEMBERS = {
    "checkin", "reflect", "case", "observe", "mine", "undo", "delete", "edit", "me", "myfile",
    "here", "bye", "summary", "score", "leave", "objection", "forgetme",
}
LISTINGS = {"sessions", "activities", "stages"}
"""What is planned: members see it, and so does an administrator who never joined the roster."""
SESSION_RUNNERS = {"session", "approve_summary", "return_summary", "compliance"}
UNIT_LEADERS = {"roster", "scores", "export"}
REVIEWERS = {"review", "lessons"}
COORDINATORS = {
    "school", "workshop", "group", "pending", "approve", "reject", "invite", "grant", "revoke", "assign",
    "pair", "unpair", "bind", "unbind", "credit", "mark", "announce", "freeze", "adjust", "leaves",
    "objections", "history", "hours", "outstanding",
}
ADMINS = {"audit"}
LEADERS_OF_UNITS = {"dashboard"}
ACTIVITY_RUNNERS = {"activity"}
PRIVATE_ONLY, GROUP_ONLY = {"myfile", "export", "history", "dashboard", "invite", "hours"}, {"bind", "unbind"}

ROLES = {
    # user id: roles granted on the roster (None: not on the roster at all)
    "nobody": None,
    "teacher": ("teacher",),
    "leader": ("teacher", "leader"),
    "workshop_leader": ("teacher", "workshop_leader"),
    "mentor": ("teacher", "mentor"),
    "host": ("teacher", "host"),
    "coordinator": ("coordinator",),
    "granted_admin": ("admin",),
    "admin": None,  # YANXIU_ADMINS, never joined
}


def expected(command: str, user: str, private: bool) -> bool:
    if (command in PRIVATE_ONLY and not private) or (command in GROUP_ONLY and private):
        return False
    if command in EVERYONE:
        return True
    on_roster = ROLES[user] is not None
    if command in MEMBERS:
        return on_roster
    if command in LISTINGS:
        return on_roster or user == "admin"
    if user in ("admin", "granted_admin"):
        return True
    if command in SESSION_RUNNERS:
        return user in ("coordinator", "host")
    if command in UNIT_LEADERS:
        return user in ("coordinator", "workshop_leader", "leader")
    if command in REVIEWERS or command in LEADERS_OF_UNITS:
        return user in ("coordinator", "workshop_leader", "leader", "mentor")
    if command in COORDINATORS:
        return user == "coordinator"
    if command in ACTIVITY_RUNNERS:
        return user in ("coordinator", "workshop_leader", "leader", "mentor", "host")
    return False


def test_every_command_and_route_has_exactly_one_rule(chat):
    commands = {spec.name for spec in chat.app.dispatcher.router.visible_commands()}
    assert commands == EVERYONE | MEMBERS | LISTINGS | SESSION_RUNNERS | UNIT_LEADERS | REVIEWERS | COORDINATORS | ADMINS | LEADERS_OF_UNITS | ACTIVITY_RUNNERS
    assert chat.app.dispatcher.router.route_names() == set(PERMISSIONS)


async def row_counts(chat) -> dict[str, int]:
    async with chat.app.session_factory() as session:
        return {
            table.name: await session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
            if table.name != "handled_messages"
        }


async def test_permission_matrix(chat):
    for number, (user, roles) in enumerate(ROLES.items()):
        if roles is not None:
            await chat.join(user, f"成员{number}", roles=roles)
    t = Translator()
    mismatches = []
    commands = sorted(EVERYONE | MEMBERS | SESSION_RUNNERS | UNIT_LEADERS | REVIEWERS | COORDINATORS | ADMINS
                      | LEADERS_OF_UNITS | ACTIVITY_RUNNERS)
    for command, user, private in itertools.product(commands, ROLES, (False, True)):
        refusals = {
            t("join_first"), t("not_allowed", command=command),
            t("private_only", command=command), t("group_only", command=command),
        }
        before = await row_counts(chat)
        replies = await chat.say(f"/{command}", user=user, private=private)
        refused = any(reply in refusals for reply in replies)
        if refused == expected(command, user, private):
            mismatches.append((command, user, "private" if private else "group", replies))
        if refused:
            assert len(replies) == 1 and await row_counts(chat) == before, (command, user)
        assert not any("出了点问题" in reply for reply in replies), (command, user, replies)
    assert mismatches == []


async def test_roster_listings_and_identity_commands_are_scoped_to_units_and_powers(chat):
    """Beyond roles: a 坊主 or 组长 sees only the roster of the unit they lead; a coordinator cannot
    give, take or unlock coordinator powers by /invite, /approve or /roster leave."""
    await chat.join("coord", "教研室", roles=("coordinator",))
    await chat.one("/workshop add 语文工作坊", user="coord")
    await chat.one("/workshop add 数学工作坊", user="coord")
    await chat.one("/group add 语文一组", user="coord")
    await chat.one("/group add 数学一组", user="coord")
    await chat.join("wl", "坊主甲", roles=("teacher", "workshop_leader"))
    await chat.join("gl", "组长乙", roles=("teacher", "leader"))
    await chat.one("/assign 坊主甲 工作坊 语文工作坊", user="coord")
    await chat.one("/assign 组长乙 小组 语文一组", user="coord")
    mine, others = "语文工作坊", "数学工作坊"
    assert "名单" in await chat.one(f"/roster workshop {mine}", user="wl")
    assert "只能查看自己负责" in await chat.one(f"/roster workshop {others}", user="wl")
    assert "只能查看自己负责" in await chat.one("/roster group 语文一组", user="wl")
    assert "名单" in await chat.one("/roster group 语文一组", user="gl")
    assert "只能查看自己负责" in await chat.one("/roster group 数学一组", user="gl")
    assert "只能查看自己负责" in await chat.one(f"/roster workshop {mine}", user="gl")
    assert "名单" in await chat.one(f"/roster workshop {others}", user="coord")
    await chat.join("coord2", "李主任", roles=("coordinator",))
    before = await row_counts(chat)
    for command in ("/invite 李主任", "/roster leave 李主任", "/grant 坊主甲 协调员", "/revoke 李主任 协调员"):
        assert "只有管理员" in await chat.one(command, user="coord", private=True), command
    after = await row_counts(chat)
    assert {k: v for k, v in after.items() if k != "dialogs"} == {k: v for k, v in before.items() if k != "dialogs"}
