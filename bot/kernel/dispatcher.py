"""The one place every inbound message passes through.

Routing (slash commands, Chinese keywords, plain-text shapes), role checks, one database unit of
work per update, idempotency on (platform, chat, message id), and turning any failure into a
polite reply and a logged traceback all live here, so handlers only say what a message means.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.kernel.access import resolve_roles, rule_for
from bot.kernel.adapter import Capabilities
from bot.kernel.clock import Clock
from bot.kernel.commands import ParsedCommand, parse_command
from bot.domain.text import clean_text, normalize
from bot.kernel.delivery import Delivery, outgoing_from_json, outgoing_to_json, resolve_reply
from bot.i18n import Translator
from bot.kernel.messages import Attachment, ChatKind, IncomingMessage, OutgoingMessage, Reply
from bot.kernel.metrics import record_update
from bot.domain.policy import Policy
from bot.kernel.router import Route, Router
from storage.models import AuditEntry, Dialog, Member
from storage.repositories import Repositories

log = logging.getLogger("yanxiu.dispatch")

HandlerResult = Reply | list[Reply | OutgoingMessage] | None
"""What a handler answers: replies relative to the message, or messages already addressed elsewhere
(a session result for every participating school's group)."""


class UserError(Exception):
    """A request the user can fix: answered with the translated text, nothing is stored."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass
class Context:
    """What a handler may use: the message, its arguments, storage, the sender, time and rules."""

    message: IncomingMessage
    args: str
    uow: Repositories
    """The unit of work of this update: every repository over one transaction."""
    member: Member | None
    roles: frozenset[str]
    now: datetime
    sent_at: datetime
    zone: ZoneInfo
    policy: Policy
    t: Translator
    capabilities: Capabilities
    router: Router
    download: Callable[[Attachment, int], Awaitable[bytes]]
    """The bytes of a received attachment, at most the given size (raises FileUnavailable)."""
    dialog: Dialog | None = None

    @property
    def dialog_key(self) -> tuple[str, str, str]:
        return (self.message.platform, self.message.chat.chat_id, self.message.sender.user_id)

    async def start_dialog(self, kind: str, step: str, data: dict | None = None) -> None:
        """Open (or restart) a guided dialog; the sender's next plain messages come to its handler."""
        platform, chat_id, user_id = self.dialog_key
        self.dialog = Dialog(
            platform=platform, chat_id=chat_id, user_id=user_id,
            chat_kind=self.message.chat.kind.value, kind=kind, step=step, data=data or {},
            updated_at=self.now,
            expires_at=self.now + timedelta(minutes=self.policy.records.dialog_timeout_minutes),
        )
        await self.uow.dialogs.save(self.dialog)

    async def advance_dialog(self, step: str, **data: object) -> None:
        if self.dialog is None:
            raise RuntimeError("no dialog to advance")
        await self.start_dialog(self.dialog.kind, step, {**self.dialog.data, **data})

    async def end_dialog(self) -> bool:
        self.dialog = None
        return await self.uow.dialogs.end(*self.dialog_key)

    @property
    def today(self) -> date:
        """The program day the message was written on (a late delivery still counts for that day)."""
        return self.sent_at.astimezone(self.zone).date()

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def reply(self, key: str, **values: object) -> Reply:
        return Reply(self.t(key, **values))

    @property
    def actor(self) -> str:
        """Who is acting, as the audit log names them: platform account, and roster name if known."""
        account = f"{self.message.platform}:{self.message.sender.user_id}"
        name = self.member.name if self.member else self.message.sender.display_name
        return f"{name} ({account})" if name else account

    async def audit(
        self, action: str, target: str, before: dict | None = None, after: dict | None = None
    ) -> None:
        """Record a coordinator's change in the audit log, in the same unit of work as the change."""
        await self.uow.audit.add(
            AuditEntry(
                at=self.now, actor=self.actor[:120], actor_member_id=self.member.id if self.member else None,
                action=action, target=target[:200], before=before, after=after,
            )
        )


@dataclass
class Dispatcher:
    router: Router
    session_factory: async_sessionmaker[AsyncSession]
    delivery: Delivery
    policy: Policy
    zone: ZoneInfo
    clock: Clock
    translator: Translator
    admins: frozenset[tuple[str, str]] = frozenset()

    async def handle(self, message: IncomingMessage) -> None:
        """Handle one inbound message completely: route, run, store, reply, remember."""
        started = time.perf_counter()
        outcome, route_name = "ignored", "-"
        try:
            if message.sender.is_bot:
                return
            if message.edited:
                outcome = "edited"
                if message.is_private:
                    await self._send_now(message, [Reply(self.translator("edited_ignored"))])
                return
            command = parse_command(message.text)
            route = self._route(message, command)
            route_name = route.name if route else "-"
            outcome = await self._handle_routed(message, route, may_answer_dialog=command is None)
            if outcome == "chatter":
                hint = self._hint_for_unrouted(message)
                if hint:
                    await self._send_now(message, [Reply(hint)])
        finally:
            elapsed = time.perf_counter() - started
            log.info(
                "update platform=%s chat=%s msg=%s route=%s outcome=%s ms=%.1f",
                message.platform, message.chat.chat_id, message.message_id, route_name, outcome,
                elapsed * 1000,
            )
            record_update(message.platform, route_name, outcome, elapsed)

    def _route(self, message: IncomingMessage, command: ParsedCommand | None) -> Route | None:
        if command is not None:
            return self.router.for_command(command.name, command.args)
        text = normalize(clean_text(message.text))
        return self.router.for_text(text, message)

    def _hint_for_unrouted(self, message: IncomingMessage) -> str | None:
        if not message.is_private:
            return None
        if message.text.strip():
            return self.translator("unknown_private")
        if message.attachments:
            return self.translator("attachment_without_text")
        return None

    async def _handle_routed(
        self, message: IncomingMessage, route: Route | None, may_answer_dialog: bool
    ) -> str:
        """Run the route in one unit of work; plain text goes to the sender's open dialog first."""
        key = (message.platform, message.chat.chat_id, message.message_id)
        now = self.clock.now()
        try:
            async with self.session_factory() as session, session.begin():
                repos = Repositories(session)
                dialog = None
                if may_answer_dialog:
                    dialog = await repos.dialogs.get(message.platform, message.chat.chat_id, message.sender.user_id)
                    if dialog is not None and dialog.expires_at > now:
                        route = self.router.for_dialog(dialog.kind, clean_text(message.text).strip(), message) or route
                    else:
                        dialog = None
                if route is None:
                    return "chatter"
                prior = await repos.handled.find(*key)
                if prior is not None:
                    if prior.delivered:
                        return "duplicate"
                    outgoing = [outgoing_from_json(item) for item in prior.replies]
                    outcome = "resent"
                else:
                    replies, outcome = await self._run_route(message, route, repos, now, dialog)
                    outgoing = [
                        reply if isinstance(reply, OutgoingMessage)
                        else resolve_reply(reply, message, self.delivery.capabilities)
                        for reply in replies
                    ]
                    try:
                        await repos.handled.record(*key, [outgoing_to_json(o) for o in outgoing], now)
                    except IntegrityError:
                        raise _ConcurrentDuplicate from None
        except _ConcurrentDuplicate:
            return "duplicate"
        except Exception:
            error_id = uuid.uuid4().hex[:8]
            log.exception("handler failed error_id=%s route=%s", error_id, route.name if route else "-")
            await self._send_now(message, [Reply(self.translator("internal_error", error_id=error_id))])
            return "error"
        if not await self.delivery.deliver(outgoing):
            return "undelivered"
        async with self.session_factory() as session, session.begin():
            await Repositories(session).handled.mark_delivered(*key, self.clock.now())
        return outcome

    async def _run_route(
        self, message: IncomingMessage, route: Route, repos: Repositories, now: datetime,
        dialog: Dialog | None,
    ) -> tuple[list[Reply | OutgoingMessage], str]:
        sender = message.sender
        member = await repos.members.by_account(message.platform, sender.user_id)
        if member is None:  # identity: an account the roster names links on its first message
            member = await repos.members.link_from_roster(
                message.platform, sender.user_id, sender.username, sender.display_name, now)
        member_roles = await repos.members.roles(member.id) if member else set()
        roles = resolve_roles(member is not None, member_roles, (message.platform, message.sender.user_id) in self.admins)
        refusal = self._refusal(route, message, roles)
        if refusal is not None:
            return [Reply(refusal)], "refused"
        ctx = Context(
            message=message, args=route.args, uow=repos, member=member, roles=roles,
            now=now, sent_at=min(message.sent_at, now), zone=self.zone, policy=self.policy, t=self.translator,
            capabilities=self.delivery.capabilities, router=self.router, dialog=dialog,
            download=self.delivery.adapter.download,
        )
        try:
            async with repos.db.begin_nested():
                result = await route.handler(ctx)
        except UserError as problem:
            return [Reply(self.translator(problem.key, **problem.values))], "rejected"
        return _as_list(result), "ok"

    def _refusal(self, route: Route, message: IncomingMessage, roles: frozenset[str]) -> str | None:
        rule = rule_for(route.name)
        if rule.chats is not None and message.chat.kind not in rule.chats:
            key = "private_only" if rule.chats == {ChatKind.PRIVATE} else "group_only"
            return self.translator(key, command=route.name)
        if rule.allows(roles):
            return None
        if "member" not in roles:
            return self.translator("join_first")
        return self.translator("not_allowed", command=route.name)

    async def _send_now(self, message: IncomingMessage, replies: list[Reply]) -> None:
        await self.delivery.deliver(
            [resolve_reply(reply, message, self.delivery.capabilities) for reply in replies]
        )


class _ConcurrentDuplicate(Exception):
    """Another worker recorded the same message first; this attempt is discarded."""


def _as_list(result: HandlerResult) -> list[Reply | OutgoingMessage]:
    if result is None:
        return []
    return [result] if isinstance(result, Reply) else list(result)


HandlerFn = Callable[[Context], Awaitable[HandlerResult]]
