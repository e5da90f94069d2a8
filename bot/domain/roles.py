"""Program roles and school roles, by their English or Chinese names (conventions.md)."""

from __future__ import annotations

import unicodedata

TEACHER = "teacher"
LEADER = "leader"
WORKSHOP_LEADER = "workshop_leader"
MENTOR = "mentor"
HOST = "host"
COORDINATOR = "coordinator"
ADMIN = "admin"

PERSON_ROLES: dict[str, tuple[str, ...]] = {
    TEACHER: ("学员", "教师", "老师", "组员", "成员", "参训教师", "参训学员", "研修学员", "培育对象", "学科教师"),
    LEADER: ("组长", "小组长", "教研组长", "备课组长", "学科组长"),
    WORKSHOP_LEADER: ("坊主", "工作坊坊主", "坊长", "工作坊主持人"),
    MENTOR: ("导师", "指导教师", "指导老师", "带教导师"),
    HOST: ("主持人", "骨干教师", "骨干", "主讲人", "主讲教师"),
    COORDINATOR: ("协调员", "项目办", "项目办公室", "联络员", "项目负责人", "培育站站长", "站长"),
    ADMIN: ("管理员", "系统管理员"),
}
"""Each role with the words schools write for it in rosters and commands; the first word is the one shown."""

NOT_ASSESSED_BY_DEFAULT = frozenset({COORDINATOR, ADMIN})
"""Roles whose holders are staff, not trainees, when they hold no other role."""

PRIVILEGED_ROLES = frozenset({COORDINATOR, ADMIN})
"""Roles only an administrator may grant or revoke: they carry program powers."""

SCHOOL_ROLES: dict[str, tuple[str, ...]] = {
    "base": ("基地校",),
    "lead": ("引领校",),
    "supported": ("帮扶校",),
}


def _lookup(table: dict[str, tuple[str, ...]], text: str) -> str | None:
    word = unicodedata.normalize("NFKC", text).strip().lower().replace("-", "_")
    for role, chinese in table.items():
        if word == role or word in chinese:
            return role
    return None


def person_role(text: str) -> str | None:
    """The canonical role named by `text` (English or Chinese), or None."""
    return _lookup(PERSON_ROLES, text)


def school_role(text: str) -> str | None:
    return _lookup(SCHOOL_ROLES, text)


def person_role_label(role: str) -> str:
    return PERSON_ROLES.get(role, (role,))[0]


def school_role_label(role: str | None) -> str:
    return SCHOOL_ROLES.get(role, ("",))[0] if role else ""


def is_assessed(roles: set[str] | frozenset[str], excluded: frozenset[str] = NOT_ASSESSED_BY_DEFAULT) -> bool:
    """Everyone on the roster is assessed, whatever else they do (a 坊主 or host included), unless every
    role they hold is one the program excludes (office staff). No roles at all still means a trainee.
    """
    return not roles or bool(set(roles) - excluded)
