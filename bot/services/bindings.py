"""Which school, workshop or whole program a chat belongs to: one use case for `/bind` in a group
and `yanxiu bind` at the command line (for robot chats that cannot send commands).

Both refuse archived units, write the same audit line and use the caller's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.kernel.dispatcher import UserError
from bot.services.audit import Actor, record
from bot.services.units import find
from storage.models import ChatBinding
from storage.repositories import Repositories

SCOPES = ("school", "workshop", "program")


@dataclass(frozen=True)
class BindingView:
    scope: str
    name: str
    """The school's or workshop's name; empty for the whole program."""

    def as_audit(self) -> dict:
        return {"scope": self.scope, "name": self.name}


async def current(uow: Repositories, platform: str, chat_id: str) -> BindingView | None:
    return await _view(uow, await uow.bindings.get(platform, chat_id))


async def _view(uow: Repositories, binding: ChatBinding | None) -> BindingView | None:
    if binding is None:
        return None
    if binding.scope == "program":
        return BindingView("program", "")
    unit = await uow.units(binding.scope).get(binding.school_id if binding.scope == "school" else binding.workshop_id)
    return BindingView(binding.scope, unit.name if unit else "?")


def _target(platform: str, chat_id: str, title: str) -> str:
    named = f" {title}" if title and title != chat_id else ""
    return f"{platform}:{chat_id}{named}"[:200]


async def bind(
    uow: Repositories, actor: Actor, now: datetime, *, platform: str, chat_id: str, title: str,
    scope: str, name: str = "",
) -> tuple[BindingView | None, BindingView]:
    """Bind the chat (replacing an earlier binding); returns the binding before and after."""
    if scope not in SCOPES or (scope != "program") != bool(name):
        raise UserError("usage_bind")
    unit_id = (await find(uow, scope, name, active=True)).id if scope != "program" else None
    before = await current(uow, platform, chat_id)
    await uow.bindings.bind(ChatBinding(
        platform=platform, chat_id=chat_id, scope=scope, title=title[:200], bound_at=now,
        school_id=unit_id if scope == "school" else None, workshop_id=unit_id if scope == "workshop" else None,
    ))
    after = BindingView(scope, name if scope != "program" else "")
    await record(uow, actor, now, "chat.bind", _target(platform, chat_id, title),
                 before=before.as_audit() if before else None, after=after.as_audit())
    return before, after


async def unbind(uow: Repositories, actor: Actor, now: datetime, *, platform: str, chat_id: str,
                 title: str) -> BindingView | None:
    """Remove the chat's binding; the binding it had, or None if there was none."""
    before = await current(uow, platform, chat_id)
    if before is None:
        return None
    await uow.bindings.unbind(platform, chat_id)
    await record(uow, actor, now, "chat.unbind", _target(platform, chat_id, title), before=before.as_audit())
    return before

