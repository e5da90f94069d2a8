"""What a platform reports besides messages — a friend request, a newcomer to a group — answered
with the roster and the policy. Wired onto adapters that report such events (OneBot today)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.policy import Policy
from bot.domain.roles import COORDINATOR
from bot.i18n import Translator
from bot.kernel.adapter import Adapter
from bot.kernel.delivery import Delivery
from bot.kernel.messages import ChatRef, OutgoingMessage
from storage.repositories import Repositories

log = logging.getLogger("yanxiu.platform_events")


class PlatformEvents:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], delivery: Delivery, policy: Policy,
                 translator: Translator, platform: str) -> None:
        self.session_factory, self.delivery, self.policy = session_factory, delivery, policy
        self.translator, self.platform = translator, platform

    async def friend_request_wanted(self, user_id: str) -> bool:
        """Accept when the switch is on and the account belongs to someone on the roster."""
        if not self.policy.platforms.qq_accept_roster_friends:
            return False
        async with self.session_factory() as session:
            member = await Repositories(session).members.by_account(self.platform, user_id)
        return member is not None and member.left_at is None

    async def member_joined(self, chat: ChatRef, user_id: str) -> None:
        """Tell a newcomer to a bound group how to register, unless she already has."""
        if not self.policy.platforms.greet_newcomers:
            return
        async with self.session_factory() as session:
            repos = Repositories(session)
            bound = await repos.bindings.get(chat.platform, chat.chat_id)
            known = await repos.members.by_account(chat.platform, user_id)
        if bound is None or known is not None:
            return
        greeting = OutgoingMessage(chat, self.translator("newcomer_greeting"), mention_user_id=user_id)
        await self.delivery.deliver([greeting])


def wire(adapter: Adapter, events: PlatformEvents) -> None:
    """Connect the adapter's event hooks, where it has them."""
    if hasattr(adapter, "friend_request_wanted"):
        adapter.friend_request_wanted = events.friend_request_wanted
    if hasattr(adapter, "member_joined"):
        adapter.member_joined = events.member_joined


def coordinator_chats(session_factory: async_sessionmaker[AsyncSession], platform: str,
                      admins: frozenset[tuple[str, str]]) -> Callable[[], Awaitable[list[str]]]:
    """The private chats (user ids) of coordinators and administrators on this platform."""
    async def find() -> list[str]:
        found = {user_id for admin_platform, user_id in admins if admin_platform == platform}
        async with session_factory() as session:
            members = Repositories(session).members
            for member in await members.with_role(COORDINATOR):
                account = await members.account_on(member.id, platform)
                if account is not None:
                    found.add(account.user_id)
        return sorted(found)

    return find
