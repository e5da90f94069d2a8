"""A chat in a test: messages in through the real dispatcher, replies out of a memory adapter."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select

from bot.adapters.memory import MemoryAdapter
from bot.ops.app import Yanxiu
from bot.kernel.clock import FixedClock
from bot.kernel.messages import Attachment, ChatKind, ChatRef, IncomingMessage, Sender
from tests.support.roster import enrol, invitation

GROUP = "group-1"


@dataclass
class ChatHarness:
    app: Yanxiu
    adapter: MemoryAdapter
    clock: FixedClock
    names: dict[str, str] = field(default_factory=dict)

    def message(
        self,
        text: str,
        *,
        user: str = "u1",
        chat: str = GROUP,
        private: bool = False,
        message_id: str | None = None,
        attachments: tuple[Attachment, ...] = (),
        edited: bool = False,
    ) -> IncomingMessage:
        kind = ChatKind.PRIVATE if private else ChatKind.GROUP
        chat_ref = ChatRef(self.adapter.platform, user if private else chat, kind, "" if private else "校本研修群")
        return IncomingMessage(
            chat=chat_ref,
            sender=Sender(user, self.names.get(user, user)),
            message_id=message_id or uuid.uuid4().hex[:12],
            text=text,
            sent_at=self.clock.now(),
            attachments=attachments,
            edited=edited,
        )

    async def send(self, message: IncomingMessage) -> list[str]:
        before = len(self.adapter.sent)
        await self.app.dispatcher.handle(message)
        await self.app.dispatcher.settle()
        return [sent.text for sent in self.adapter.sent[before:]]

    async def say(self, text: str, **options) -> list[str]:
        """Send `text` and return the texts the bot answered with."""
        return await self.send(self.message(text, **options))

    async def one(self, text: str, **options) -> str:
        replies = await self.say(text, **options)
        assert len(replies) == 1, replies
        return replies[0]

    async def enrol(self, name: str, school: str = "紫阳县第二小学", roles: tuple[str, ...] = ("teacher",),
                    account: str | None = None) -> int:
        """Put a person on the roster, as a roster import would; returns the member id. `account`
        is the user id the roster names for them here: it links on its first message."""
        named = (self.adapter.platform, account) if account else None
        return await enrol(self.app.session_factory, name, school, self.clock.now(), roles, reuse=False, account=named)

    async def invitation(self, member_id: int) -> str:
        """A one-time code for the member, as /invite would hand out."""
        return await invitation(self.app.session_factory, member_id, self.clock.now())

    async def join(self, user: str, name: str, school: str = "紫阳县第二小学", roles: tuple[str, ...] = ("teacher",)) -> int:
        """Enrol `name` on the roster and link `user` to it through /join with an invitation code."""
        member_id = await self.enrol(name, school, roles)
        code = await self.invitation(member_id)
        reply = await self.one(f"/join {name} {school} {code}", user=user)
        assert name in reply and "登记成功" in reply, reply
        return member_id

    async def rows(self, model) -> list:
        """Every stored row of a table, for asserting what a conversation left behind."""
        async with self.app.session_factory() as session:
            return list(await session.scalars(select(model)))
