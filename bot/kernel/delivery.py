"""From handler replies to adapter sends: destinations, platform limits, and a storable form.

Replies are resolved to concrete `OutgoingMessage`s before the unit of work commits, and stored with
the idempotency record, so a message whose replies were lost in a crash can be answered again
exactly as the first time.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import math
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.kernel.adapter import Adapter, Capabilities, PrivateChatUnavailable, RateLimited, split_text
from bot.kernel.lanes import ChatLanes
from bot.kernel.messages import (
    Acknowledgement,
    Button,
    ChatKind,
    ChatRef,
    IncomingMessage,
    OutgoingFile,
    OutgoingMessage,
    Reply,
)
from bot.kernel.metrics import SEND_ERRORS

log = logging.getLogger("yanxiu.delivery")


def resolve_reply(reply: Reply, origin: IncomingMessage, capabilities: Capabilities) -> OutgoingMessage:
    """Decide where a reply goes; a private reply the platform cannot send becomes a mention.

    Buttons travel whatever the platform: adapters without real buttons may still show them as a
    hint, and the reply's text already names what to type instead.
    """
    if reply.private_to is not None:
        if capabilities.can_send_private:
            chat = ChatRef(origin.platform, reply.private_to, ChatKind.PRIVATE)
            fallback = None if origin.is_private else origin.chat
            return OutgoingMessage(
                chat=chat, text=reply.text, file=reply.file, fallback_chat=fallback, buttons=reply.buttons
            )
        return OutgoingMessage(
            chat=origin.chat, text=reply.text, file=reply.file, mention_user_id=reply.private_to,
            buttons=reply.buttons,
        )
    chat = reply.chat or origin.chat
    same_chat = chat == origin.chat
    reply_to = origin.message_id if reply.reply_to_message and same_chat and not origin.is_private else None
    return OutgoingMessage(
        chat=chat, text=reply.text, reply_to_message_id=reply_to, file=reply.file, buttons=reply.buttons
    )


class Pacer:
    """Keeps sends under the platform's flood limits — overall per second and per chat per minute —
    by waiting, so a large fan-out (an announcement to a thousand groups) is slowed, never dropped.

    The overall pace keeps `margin` below the limit (network jitter bunches sends up on arrival).
    A send first waits for its own chat's minute, without holding a slot of the overall pace, then
    takes the next overall slot. Sends count for their chat when they actually went out (`sent`),
    and a refusal for flooding (`limited`) sleeps that chat alone unless the limit was the bot's."""

    def __init__(self, per_second: float | None, per_chat_per_minute: int | None, margin: float = 0.8,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.interval = 1 / (per_second * margin) if per_second else 0.0
        self.per_second_cap = max(1, int(per_second * margin)) if per_second else None
        self.started: deque[float] = deque()
        self.per_chat = per_chat_per_minute
        self.clock, self.sleep = clock, sleep
        self.last = -math.inf
        self.recent: dict[str, deque[float]] = defaultdict(deque)
        self.in_flight: dict[str, int] = defaultdict(int)
        self.chat_paused: dict[str, float] = {}
        self.paused_until = -math.inf

    async def wait(self, chat_id: str, counts_for_chat: bool = True) -> None:
        """Return when a send to `chat_id` may go; the caller sends, then calls `sent`.

        `counts_for_chat=False` for what the platform does not count against a chat's minute
        (reactions on Telegram)."""
        while True:
            now = self.clock()
            free = max(self._chat_free(chat_id, now) if counts_for_chat else now,
                       self.chat_paused.get(chat_id, -math.inf))
            if free <= now:
                break
            await self.sleep(free - now)
        slot = max(now, self.last + self.interval, self.paused_until)
        self.last = slot
        if counts_for_chat:
            self.in_flight[chat_id] += 1
        if slot > now:
            await self.sleep(slot - now)
        await self._within_the_second()

    async def _within_the_second(self) -> None:
        """Sends that woke late (a busy event loop) must not go out together: at most the capped
        number started in any second, counted from when they really started."""
        if self.per_second_cap is None:
            return
        while True:
            now = self.clock()
            while self.started and self.started[0] <= now - 1:
                self.started.popleft()
            if len(self.started) < self.per_second_cap:
                self.started.append(now)
                return
            await self.sleep(self.started[0] + 1 - now)

    def sent(self, chat_id: str, counts_for_chat: bool = True) -> None:
        """The send `wait` allowed has gone out (or failed): count it from now on."""
        if not counts_for_chat:
            return
        self.in_flight[chat_id] -= 1
        if self.in_flight[chat_id] <= 0:
            del self.in_flight[chat_id]
        if self.per_chat:
            self.recent[chat_id].append(self.clock())

    def limited(self, chat_id: str, retry_after: float, whole_bot: bool | None = None) -> None:
        """The platform refused a send for flooding: pause the chat, or everything if the limit was
        the bot's overall one (assumed when this chat had not used up its own minute)."""
        if whole_bot is None:
            whole_bot = not self.per_chat or len(self._recent(chat_id, self.clock())) < self.per_chat
        until = self.clock() + retry_after
        if whole_bot:
            self.paused_until = max(self.paused_until, until)
        else:
            self.chat_paused[chat_id] = max(self.chat_paused.get(chat_id, -math.inf), until)

    def _recent(self, chat_id: str, now: float) -> deque[float]:
        sent = self.recent[chat_id]
        while sent and sent[0] <= now - 60:
            sent.popleft()
        if not sent:
            del self.recent[chat_id]
        return sent

    def _chat_free(self, chat_id: str, now: float) -> float:
        """When this chat may take one more send within its per-minute limit."""
        if not self.per_chat:
            return now
        room = self.per_chat - self.in_flight.get(chat_id, 0)
        if room <= 0:
            return now + 0.05  # sends in flight: look again once one of them is counted
        sent = self._recent(chat_id, now)
        if len(sent) < room:
            return now
        return sent[-room] + 60 + CHAT_WINDOW_SAFETY_S


CHAT_WINDOW_SAFETY_S = 0.25
"""Added to a chat's minute: our clock and the platform's never agree to the millisecond."""
MAX_FLOOD_RETRIES = 5
REACTION_EMOJI = "👍"

Sendable = OutgoingMessage | Acknowledgement
DoneCallback = Callable[[bool], None]


def default_tally_text(day: str, names: list[str]) -> str:
    return f"{day} ✓ {len(names)}: " + "、".join(names)


class Delivery:
    """Sends through one adapter: texts cut to the platform's limit, paced to its flood limits, and
    quiet acknowledgements (reactions, a running tally per group).

    `deliver` sends and waits (the outbox needs the outcome). `hand_over` is the dispatcher's: on a
    platform with flood limits it queues the messages on their chats' lanes and returns at once, so
    storing the next update never waits for this one's paced reply."""

    def __init__(self, adapter: Adapter, *, background: bool | None = None, tally_seconds: float = 10,
                 tally_text: Callable[[str, list[str]], str] = default_tally_text,
                 start_button: Button | None = None) -> None:
        self.adapter = adapter
        self.start_button = start_button
        """Offered with a private message that had to go to the group instead: pressing it opens the
        private chat (on Telegram, where bots may not write first), so the next one arrives there."""
        caps = adapter.capabilities
        self.pacer = Pacer(caps.messages_per_second, caps.messages_per_chat_per_minute)
        self.background = (
            bool(caps.messages_per_second or caps.messages_per_chat_per_minute) if background is None else background
        )
        self.tallies = Tallies(self, tally_seconds, tally_text)
        self._lanes: ChatLanes[tuple[list[Sendable], _Tracker]] = ChatLanes(self._send_job, limit=None)

    @property
    def capabilities(self) -> Capabilities:
        return self.adapter.capabilities

    async def deliver(self, messages: list[Sendable]) -> bool:
        """Send everything now; False if any piece failed (it is logged, and may be retried later)."""
        tracker = _Tracker(1, None)
        await self._send_job((list(messages), tracker))
        if any(isinstance(m, Acknowledgement) for m in messages):
            await self.tallies.settle()
        return tracker.ok

    async def hand_over(self, messages: list[Sendable], on_done: DoneCallback | None = None) -> asyncio.Future[bool]:
        """Send in the background on each destination chat's lane (in order within a chat); `on_done`
        hears whether everything went out, and so does the returned future. Without flood limits it
        simply sends now."""
        finished: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        def done(ok: bool) -> None:
            if on_done is not None:
                on_done(ok)
            if not finished.done():
                finished.set_result(ok)

        if not messages:
            done(True)
            return finished
        by_chat: dict[str, list[Sendable]] = {}
        for message in messages:
            by_chat.setdefault(message.chat.chat_id, []).append(message)
        tracker = _Tracker(len(by_chat), done)
        if not self.background:
            for part in by_chat.values():
                await self._send_job((part, tracker))
            return finished
        for chat_id, part in by_chat.items():
            self._lanes.submit(chat_id, (part, tracker))
        return finished

    async def settle(self, timeout: float | None = None) -> bool:
        """Wait until everything handed over has been sent (tallies included)."""
        if not await self._lanes.drain(timeout):
            return False
        return await self.tallies.settle(timeout)

    @property
    def backlog(self) -> int:
        return self._lanes.backlog

    async def _send_job(self, job: tuple[list[Sendable], _Tracker]) -> None:
        messages, tracker = job
        ok = True
        for message in messages:
            if isinstance(message, Acknowledgement):
                if message.style == "reaction" and self.capabilities.reactions:
                    ok &= await self._attempt(message.chat.chat_id, self._react, message, counts_for_chat=False)
                else:
                    tracker.expect()
                    self.tallies.add(message, tracker)
                continue
            for piece in self.pieces(message):
                ok &= await self._attempt(piece.chat.chat_id, self._send, piece)
        tracker.done(ok)

    async def _attempt(self, chat_id: str, send: Callable[..., Awaitable[object]], item, *,
                       counts_for_chat: bool = True) -> bool:
        """One send through the pacer, waiting out flood refusals; False (logged) if it failed."""
        for _ in range(MAX_FLOOD_RETRIES + 1):
            await self.pacer.wait(chat_id, counts_for_chat)
            try:
                await send(item)
                return True
            except RateLimited as flood:
                self.pacer.limited(chat_id, flood.retry_after, flood.whole_bot)
                log.warning("flood control chat=%s wait_s=%.1f", chat_id, flood.retry_after)
            except Exception:
                SEND_ERRORS.inc(platform=self.adapter.platform)
                log.exception("send failed platform=%s chat=%s", self.adapter.platform, chat_id)
                return False
            finally:
                self.pacer.sent(chat_id, counts_for_chat)
        SEND_ERRORS.inc(platform=self.adapter.platform)
        log.error("send gave up after %d flood waits chat=%s", MAX_FLOOD_RETRIES, chat_id)
        return False

    async def _react(self, ack: Acknowledgement) -> None:
        await self.adapter.react(ack.chat, ack.message_id, REACTION_EMOJI)

    async def _send(self, piece: OutgoingMessage) -> str | None:
        """Send one piece; a refused private message becomes a mention in the chat it came from."""
        try:
            return await self.adapter.send(piece)
        except PrivateChatUnavailable:
            if piece.fallback_chat is None:
                raise
            log.info("private message refused, mentioning in group chat=%s", piece.fallback_chat.chat_id)
            buttons = piece.buttons or ((self.start_button,) if self.start_button else ())
            return await self.adapter.send(replace(
                piece, chat=piece.fallback_chat, mention_user_id=piece.chat.chat_id, fallback_chat=None,
                buttons=buttons,
            ))

    def pieces(self, message: OutgoingMessage) -> list[OutgoingMessage]:
        """The message cut to the text limit: the file and reply go with the first piece, buttons with the last."""
        chunks = split_text(message.text, self.capabilities.max_text_length) if message.text else [""]
        if len(chunks) == 1:
            return [replace(message, text=chunks[0])]
        first, *rest = chunks
        pieces = [replace(message, text=first, buttons=())] + [
            replace(message, text=chunk, file=None, reply_to_message_id=None, buttons=()) for chunk in rest
        ]
        pieces[-1] = replace(pieces[-1], buttons=message.buttons)
        return pieces


class _Tracker:
    """Tells `on_done` once every unit of one hand-over has gone out: each chat's part, and each
    acknowledgement waiting for its group's tally."""

    def __init__(self, units: int, on_done: DoneCallback | None) -> None:
        self.units, self.on_done, self.ok = units, on_done, True

    def expect(self) -> None:
        self.units += 1

    def done(self, ok: bool) -> None:
        self.ok &= ok
        self.units -= 1
        if self.units == 0 and self.on_done is not None:
            self.on_done(self.ok)


class _Tally:
    def __init__(self, day: str) -> None:
        self.day = day
        self.names: list[str] = []
        self.message_id: str | None = None
        self.last_shown = -math.inf
        self.waiting: list[_Tracker] = []
        self.task: asyncio.Task[None] | None = None


class Tallies:
    """One running list per group of who checked in today: sent once, then edited (or, where the
    platform cannot edit, re-sent) at most every `seconds`, however many check-ins arrive."""

    def __init__(self, delivery: Delivery, seconds: float,
                 text: Callable[[str, list[str]], str]) -> None:
        self.delivery, self.seconds, self.text = delivery, seconds, text
        self._by_chat: dict[str, _Tally] = {}
        self._chats: dict[str, ChatRef] = {}

    def add(self, ack: Acknowledgement, tracker: _Tracker) -> None:
        chat_id = ack.chat.chat_id
        tally = self._by_chat.get(chat_id)
        if tally is None or tally.day != ack.day:
            if tally is not None and tally.task is not None and not tally.task.done():
                tally = self._successor(tally, ack.day)
            else:
                tally = _Tally(ack.day)
            self._by_chat[chat_id] = tally
        self._chats[chat_id] = ack.chat
        if ack.name in tally.names and tally.message_id is not None:
            tracker.done(True)  # already on the list that is showing: nothing new to show
            return
        if ack.name not in tally.names:
            tally.names.append(ack.name)
        tally.waiting.append(tracker)
        if tally.task is None or tally.task.done():
            tally.task = asyncio.get_running_loop().create_task(self._show(chat_id, tally))

    def _successor(self, tally: _Tally, day: str) -> _Tally:
        fresh = _Tally(day)
        fresh.last_shown = tally.last_shown
        return fresh

    async def _show(self, chat_id: str, tally: _Tally) -> None:
        while tally.waiting:
            delay = tally.last_shown + self.seconds - self.delivery.pacer.clock()
            if delay > 0:
                await self.delivery.pacer.sleep(delay)
            waiting, tally.waiting = tally.waiting, []
            ok = await self._send(chat_id, tally)
            tally.last_shown = self.delivery.pacer.clock()
            for tracker in waiting:
                tracker.done(ok)

    async def _send(self, chat_id: str, tally: _Tally) -> bool:
        delivery, chat = self.delivery, self._chats[chat_id]
        text = self.text(tally.day, list(tally.names))
        text = split_text(text, delivery.capabilities.max_text_length)[0]
        if tally.message_id is not None and delivery.capabilities.edits:
            async def edit(_: object) -> None:
                await delivery.adapter.edit(chat, tally.message_id, text)
            if await delivery._attempt(chat_id, edit, None):
                return True
            tally.message_id = None  # too old or deleted: show it anew

        async def send(_: object) -> None:
            tally.message_id = await delivery.adapter.send(OutgoingMessage(chat=chat, text=text))
        return await delivery._attempt(chat_id, send, None)

    async def settle(self, timeout: float | None = None) -> bool:
        tasks = [t.task for t in self._by_chat.values() if t.task is not None and not t.task.done()]
        if not tasks:
            return True
        done, pending = await asyncio.wait(tasks, timeout=timeout)
        return not pending


def _chat_to_json(chat: ChatRef | None) -> dict | None:
    if chat is None:
        return None
    return {"platform": chat.platform, "chat_id": chat.chat_id, "kind": chat.kind.value, "title": chat.title}


def _chat_from_json(data: dict | None) -> ChatRef | None:
    if data is None:
        return None
    return ChatRef(data["platform"], data["chat_id"], ChatKind(data["kind"]), data.get("title", ""))


def outgoing_to_json(message: Sendable) -> dict:
    if isinstance(message, Acknowledgement):
        return {"ack": {"chat": _chat_to_json(message.chat), "message_id": message.message_id,
                        "name": message.name, "day": message.day, "style": message.style}}
    data = {
        "chat": _chat_to_json(message.chat),
        "text": message.text,
        "reply_to_message_id": message.reply_to_message_id,
        "mention_user_id": message.mention_user_id,
        "fallback_chat": _chat_to_json(message.fallback_chat),
    }
    if message.file is not None:
        data["file"] = {
            "file_name": message.file.file_name,
            "file_ref": message.file.file_ref,
            "mime_type": message.file.mime_type,
            "content": base64.b64encode(message.file.content).decode() if message.file.content else None,
        }
    if message.buttons:
        data["buttons"] = [{"label": button.label, "command": button.command} for button in message.buttons]
    return data


def outgoing_from_json(data: dict) -> Sendable:
    if "ack" in data:
        ack = data["ack"]
        return Acknowledgement(_chat_from_json(ack["chat"]), ack["message_id"], ack["name"], ack["day"], ack["style"])
    file_data = data.get("file")
    file = None
    if file_data:
        content = file_data.get("content")
        file = OutgoingFile(
            file_name=file_data["file_name"],
            file_ref=file_data.get("file_ref"),
            mime_type=file_data.get("mime_type") or "application/octet-stream",
            content=base64.b64decode(content) if content else None,
        )
    return OutgoingMessage(
        chat=_chat_from_json(data["chat"]),
        text=data["text"],
        reply_to_message_id=data.get("reply_to_message_id"),
        mention_user_id=data.get("mention_user_id"),
        fallback_chat=_chat_from_json(data.get("fallback_chat")),
        file=file,
        buttons=tuple(Button(item["label"], item["command"]) for item in data.get("buttons") or ()),
    )
