"""The one place every inbound message passes through.

Routing (slash commands, Chinese keywords, plain-text shapes), then named stages: turning any
failure into a polite reply and a logged traceback, one database unit of work per update,
idempotency on (platform, chat, message id), guided dialogs, who the sender is, the permission
table, quiet acknowledgements. Handlers only say what a message means.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.kernel.access import resolve_roles, rule_for
from bot.kernel.adapter import Capabilities
from bot.kernel.boundary import clean_message
from bot.kernel.clock import Clock
from bot.kernel.commands import ParsedCommand, parse_command
from bot.domain.text import clean_text, normalize
from bot.kernel.delivery import Delivery, Sendable, outgoing_from_json, outgoing_to_json, resolve_reply
from bot.i18n import Translator
from bot.kernel.messages import Acknowledgement, Attachment, Button, ChatKind, IncomingMessage, OutgoingMessage, Reply
from bot.kernel.metrics import record_update
from bot.domain.policy import Policy
from bot.kernel.receipts import DeliveredMarks, MessageKey
from bot.kernel.router import Route, Router
from bot.domain.dashboard import LinkIssuer
from storage.files import FileStore
from storage.models import AuditEntry, Dialog, Member
from storage.repositories import InboundFacts, Repositories

log = logging.getLogger("yanxiu.dispatch")

UNANSWERED_WINDOW = timedelta(hours=6)
"""Replies stored but never sent are still sent after a restart within this long; older ones are stale."""

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
    files: FileStore | None = None
    """Where attachments' bytes are kept (None: only the platform's reference is recorded)."""
    links: LinkIssuer | None = None
    """Signs web dashboard links (None: the dashboard is off)."""

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
class Turn:
    """One inbound message on its way through the stages: what each stage found out or decided."""

    message: IncomingMessage
    route: Route | None
    may_answer_dialog: bool
    now: datetime
    uow: Repositories | None = None
    facts: InboundFacts | None = None
    member: Member | None = None
    roles: frozenset[str] = frozenset()
    dialog: Dialog | None = None
    replies: list[Reply | OutgoingMessage | Acknowledgement] = field(default_factory=list)
    outgoing: list[Sendable] = field(default_factory=list)
    outcome: str = "ignored"
    discard_changes: bool = False
    """The handler refused (UserError): its changes are rolled back, the refusal is still recorded."""
    recorded: bool = False
    """An idempotency record exists for this message: mark it delivered once the replies went out."""
    before_commit: list[Callable[[Turn], Awaitable[None]]] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.message.platform, self.message.chat.chat_id, self.message.message_id)


Next = Callable[[Turn], Awaitable[None]]
Stage = Callable[[Turn, Next], Awaitable[None]]

ACKNOWLEDGED_ROUTES = frozenset({"checkin", "relay"})
"""Routes whose successful answer in a group may be a quiet acknowledgement (policy `checkins.acknowledge`)."""


@dataclass
class Dispatcher:
    """Every inbound message passes the same named stages, outermost first (see `stages`):

    errors → unit_of_work → idempotency → dialog → identity → permission → acknowledgement → handler

    Each is a small function `(turn, next)` that may stop the message or call the next one, the way
    aiogram's middlewares are. One transaction, one lookup query for the stages' facts, one
    idempotency insert; the replies are handed to delivery after the commit, never awaited here."""

    router: Router
    session_factory: async_sessionmaker[AsyncSession]
    delivery: Delivery
    policy: Policy
    zone: ZoneInfo
    clock: Clock
    translator: Translator
    admins: frozenset[tuple[str, str]] = frozenset()
    files: FileStore | None = None
    links: LinkIssuer | None = None

    def __post_init__(self) -> None:
        self.marks = DeliveredMarks(self.session_factory, self.clock)
        self.delivery.tallies.seconds = self.policy.checkins.tally_seconds
        self.delivery.tallies.text = self._tally_text
        self.stages: tuple[tuple[str, Stage], ...] = (
            ("errors", self.errors),
            ("unit_of_work", self.unit_of_work),
            ("idempotency", self.idempotency),
            ("dialog", self.dialog),
            ("identity", self.identity),
            ("permission", self.permission),
            ("acknowledgement", self.acknowledgement),
        )
        self._pipeline = _chain([stage for _, stage in self.stages], self.run_handler)

    async def handle(self, message: IncomingMessage) -> None:
        """Handle one inbound message: route, run the stages, hand the replies to delivery."""
        started = time.perf_counter()
        turn: Turn | None = None
        message = clean_message(message)
        try:
            if message.sender.is_bot:
                return
            if message.edited:
                if message.is_private:
                    await self.delivery.hand_over(self._resolve(message, [Reply(self.translator("edited_ignored"))]))
                turn = Turn(message, None, False, self.clock.now(), outcome="edited")
                return
            command = parse_command(message.text)
            turn = Turn(message, self._route(message, command), command is None, self.clock.now())
            await self._pipeline(turn)
            if turn.outcome == "chatter":
                hint = self._hint_for_unrouted(message)
                if hint:
                    turn.outgoing = self._resolve(message, [Reply(hint)])
            if turn.recorded:
                self.marks.unconfirmed.add(turn.key)
            sent = await self.delivery.hand_over(turn.outgoing, self._on_delivered(turn) if turn.recorded else None)
            if self.delivery.adapter.replies_before_confirming:
                await sent
        finally:
            elapsed = time.perf_counter() - started
            outcome = turn.outcome if turn else "ignored"
            route_name = turn.route.name if turn and turn.route else "-"
            log.info(
                "update platform=%s chat=%s msg=%s route=%s outcome=%s ms=%.1f",
                message.platform, message.chat.chat_id, message.message_id, route_name, outcome,
                elapsed * 1000,
            )
            record_update(message.platform, route_name, outcome, elapsed)

    async def answer_unanswered(self, within: timedelta = UNANSWERED_WINDOW) -> int:
        """On start: send again the stored replies of messages handled in the last `within` whose
        delivery was never marked — the process stopped after storing them, and the platform, told the
        message was handled, will not deliver it again. Returns how many messages were answered."""
        async with self.session_factory() as session:
            found = await Repositories(session).handled.unanswered(self.delivery.adapter.platform,
                                                                   self.clock.now() - within)
        answered = 0
        for key, replies in found:
            outgoing = [outgoing_from_json(item) for item in replies]
            if not outgoing:
                self.marks.add(key)
                continue
            self.marks.unconfirmed.add(key)  # a redelivery meanwhile is a duplicate, not a third answer
            await self.delivery.hand_over(outgoing, self._delivered_callback(key))
            answered += 1
        if answered:
            log.info("answering %d messages stored but not answered before the last stop", answered)
        return answered

    async def settle(self) -> None:
        """Wait until every handed-over reply is sent and marked (tests, graceful stops)."""
        await self.delivery.settle()
        await self.marks.settle()

    # ---- the stages, outermost first ------------------------------------------------------------
    async def errors(self, turn: Turn, next: Next) -> None:
        """Any failure becomes a polite reply with an error id, and a logged traceback; nothing half-stored."""
        try:
            await next(turn)
        except _ConcurrentDuplicate:
            turn.outcome, turn.outgoing, turn.recorded = "duplicate", [], False
        except Exception:
            error_id = uuid.uuid4().hex[:8]
            log.exception("handler failed error_id=%s route=%s", error_id, turn.route.name if turn.route else "-")
            turn.outcome, turn.recorded = "error", False
            turn.outgoing = self._resolve(turn.message, [Reply(self.translator("internal_error", error_id=error_id))])

    async def unit_of_work(self, turn: Turn, next: Next) -> None:
        """One transaction for the update, opened with one query for everything the stages need; the
        stages' before-commit steps (the idempotency record) run with the work, or alone after a refusal."""
        message = turn.message
        if turn.route is None and not turn.may_answer_dialog:
            turn.outcome = "chatter"
            return
        async with self.session_factory() as session:
            turn.uow = Repositories(session)
            async with session.begin():
                turn.facts = await turn.uow.inbound.lookup(
                    message.platform, message.chat.chat_id, message.sender.user_id, message.message_id
                )
                await next(turn)
                if not turn.discard_changes:
                    await self._before_commit(turn)
            if turn.discard_changes:
                async with session.begin():
                    await self._before_commit(turn)

    async def idempotency(self, turn: Turn, next: Next) -> None:
        """A message seen before is not handled again: dropped if answered, else answered as the first time."""
        prior = turn.facts.prior
        if prior is not None:
            if prior.delivered or turn.key in self.marks.unconfirmed:
                turn.outcome = "duplicate"
                return
            turn.outcome, turn.recorded = "resent", True
            turn.outgoing = [outgoing_from_json(item) for item in prior.replies]
            return
        await next(turn)
        if turn.route is None:
            return
        turn.outgoing = self._resolve(turn.message, turn.replies)
        turn.before_commit.append(self._record)

    async def dialog(self, turn: Turn, next: Next) -> None:
        """Plain text goes to the sender's open guided dialog first."""
        dialog = turn.facts.dialog
        if turn.may_answer_dialog and dialog is not None and dialog.expires_at > turn.now:
            turn.dialog = dialog
            text = clean_text(turn.message.text).strip()
            turn.route = self.router.for_dialog(dialog.kind, text, turn.message) or turn.route
        if turn.route is None:
            turn.outcome = "chatter"
            return
        await next(turn)

    async def identity(self, turn: Turn, next: Next) -> None:
        """Who is speaking: the roster member behind the account, and their roles."""
        facts, sender = turn.facts, turn.message.sender
        member, granted = facts.member, set(facts.roles)
        if member is None:  # an account the roster names links on its first message (audited)
            member = await turn.uow.members.link_from_roster(
                turn.message.platform, sender.user_id, sender.username, sender.display_name, turn.now)
            granted = await turn.uow.members.roles(member.id) if member is not None else set()
        turn.member = member
        is_admin = (turn.message.platform, sender.user_id) in self.admins
        turn.roles = resolve_roles(member is not None, granted, is_admin)
        await next(turn)

    async def permission(self, turn: Turn, next: Next) -> None:
        """The one permission table decides; a refusal is a reply, and is recorded like any other."""
        refusal = self._refusal(turn.route, turn.message, turn.roles)
        if refusal is not None:
            turn.replies = [Reply(refusal, buttons=self._continue_in_private(turn.route, turn.message))]
            turn.outcome = "refused"
            return
        await next(turn)

    async def acknowledgement(self, turn: Turn, next: Next) -> None:
        """A check-in in a group is confirmed quietly when the program's policy says so."""
        await next(turn)
        style = self.policy.checkins.acknowledge
        message = turn.message
        if (style == "reply" or turn.outcome != "ok" or message.is_private or not turn.replies
                or turn.route.name not in ACKNOWLEDGED_ROUTES or turn.member is None):
            return
        if not all(isinstance(r, Reply) and r.chat is None and r.private_to is None for r in turn.replies):
            return
        day = min(message.sent_at, turn.now).astimezone(self.zone).date()
        turn.replies = [Acknowledgement(message.chat, message.message_id, turn.member.name, day.isoformat(), style)]

    async def run_handler(self, turn: Turn) -> None:
        ctx = Context(
            message=turn.message, args=turn.route.args, uow=turn.uow, member=turn.member, roles=turn.roles,
            now=turn.now, sent_at=min(turn.message.sent_at, turn.now), zone=self.zone, policy=self.policy,
            t=self.translator, capabilities=self.delivery.capabilities, router=self.router, dialog=turn.dialog,
            download=self.delivery.adapter.download, files=self.files, links=self.links,
        )
        try:
            result = await turn.route.handler(ctx)
        except UserError as problem:
            turn.replies = [Reply(self.translator(problem.key, **problem.values))]
            turn.outcome, turn.discard_changes = "rejected", True
            return
        turn.replies, turn.outcome = _as_list(result), "ok"

    # ---- helpers --------------------------------------------------------------------------------
    async def _before_commit(self, turn: Turn) -> None:
        for step in turn.before_commit:
            await step(turn)

    async def _record(self, turn: Turn) -> None:
        stored = [outgoing_to_json(o) for o in turn.outgoing]
        if not await turn.uow.handled.claim(*turn.key, stored, turn.now):
            raise _ConcurrentDuplicate
        turn.recorded = True

    def _on_delivered(self, turn: Turn) -> Callable[[bool], None]:
        return self._delivered_callback(turn.key)

    def _delivered_callback(self, key: MessageKey) -> Callable[[bool], None]:
        def delivered(ok: bool) -> None:
            if ok:
                self.marks.add(key)
            else:
                self.marks.unconfirmed.discard(key)  # a redelivery (or the next start) tries again
                log.warning("undelivered platform=%s chat=%s msg=%s", *key)
        return delivered

    def _resolve(self, message: IncomingMessage, replies: list) -> list[Sendable]:
        return [
            reply if isinstance(reply, (OutgoingMessage, Acknowledgement))
            else resolve_reply(reply, message, self.delivery.capabilities)
            for reply in replies
        ]

    def _tally_text(self, day: str, names: list[str]) -> str:
        when = date.fromisoformat(day)
        return self.translator("checkin_tally", month=when.month, day=when.day, count=len(names),
                               names="、".join(names))

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

    def _continue_in_private(self, route: Route, message: IncomingMessage) -> tuple[Button, ...]:
        """A private-only command asked for in a group: a button that opens the private chat and
        continues there (`/start <command>`; Telegram shows it as a t.me deep link)."""
        if message.is_private or rule_for(route.name).chats != {ChatKind.PRIVATE}:
            return ()
        return (Button(self.translator("continue_in_private"), f"/start {route.name}"),)

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


def _chain(stages: list[Stage], last: Next) -> Next:
    """Compose the stages once: each gets the rest of the chain as its `next`."""
    call = last
    for stage in reversed(stages):
        call = _link(stage, call)
    return call


def _link(stage: Stage, rest: Next) -> Next:
    async def run(turn: Turn) -> None:
        await stage(turn, rest)
    return run


class _ConcurrentDuplicate(Exception):
    """Another worker recorded the same message first; this attempt is discarded."""


def _as_list(result: HandlerResult) -> list[Reply | OutgoingMessage]:
    if result is None:
        return []
    return [result] if isinstance(result, Reply) else list(result)


HandlerFn = Callable[[Context], Awaitable[HandlerResult]]
