"""Who may run what. Roles come from grants and `YANXIU_ADMINS`, never from platform group admins."""

from __future__ import annotations

from dataclasses import dataclass

MEMBER = "member"
ADMIN = "admin"


@dataclass(frozen=True)
class Access:
    any_of: frozenset[str]
    label: str

    def allows(self, roles: frozenset[str]) -> bool:
        return not self.any_of or bool(self.any_of & roles) or ADMIN in roles


Access.ANYONE = Access(frozenset(), "anyone")
Access.MEMBER = Access(frozenset({MEMBER}), "member")
Access.COORDINATOR = Access(frozenset({"coordinator"}), "coordinator")
Access.ADMIN = Access(frozenset({ADMIN}), "admin")


def resolve_roles(is_member: bool, granted: set[str], is_configured_admin: bool) -> frozenset[str]:
    roles = set(granted)
    if is_member:
        roles |= {MEMBER, "teacher"}
    if is_configured_admin:
        roles.add(ADMIN)
    return frozenset(roles)
