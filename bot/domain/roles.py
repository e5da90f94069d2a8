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
    TEACHER: ("学员", "教师", "老师"),
    LEADER: ("组长",),
    WORKSHOP_LEADER: ("坊主",),
    MENTOR: ("导师",),
    HOST: ("主持人",),
    COORDINATOR: ("协调员",),
    ADMIN: ("管理员",),
}
"""Each role with the Chinese words accepted for it; the first word is the one shown."""

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
