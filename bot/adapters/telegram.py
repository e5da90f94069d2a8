"""Telegram through python-telegram-bot, used only as the transport.

Updates become `IncomingMessage`s; our own dispatcher, database and scheduler do the rest (no PTB
persistence, ConversationHandler or JobQueue), so the bot behaves the same on every platform.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import html
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from aiohttp import web
from telegram import (
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyParameters,
    Update,
)
from telegram.error import Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.adapters.telegram_polling import HandledPolling
from bot.kernel.adapter import (
    Adapter,
    Capabilities,
    FileUnavailable,
    MessageCallback,
    PrivateChatUnavailable,
    RateLimited,
)
from bot.kernel.lanes import ChatLanes
from bot.kernel.messages import (
    Attachment,
    AttachmentKind,
    Button,
    ChatKind,
    ChatRef,
    IncomingMessage,
    OutgoingMessage,
    Sender,
)
from bot.kernel.metrics import FLOOD_WAITS

log = logging.getLogger("yanxiu.telegram")

PLATFORM = "telegram"
DRAIN_TIMEOUT_S = 10
MAX_CALLBACK_DATA_BYTES = 64
CALLBACK_MESSAGE_PREFIX = "cb:"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
PHOTO_TYPES = frozenset({"image/png", "image/jpeg"})
DEEP_LINK_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    secret: str
    listen: str
    port: int

    @property
    def path(self) -> str:
        return urlsplit(self.url).path.lstrip("/")


class TelegramAdapter(Adapter):
    platform = PLATFORM
    capabilities = Capabilities(
        max_text_length=4096, can_send_unprompted=True, can_send_private=True, messages_per_second=30,
        messages_per_chat_per_minute=20,
        buttons=True, reactions=True, edits=True,
    )

    def __init__(
        self,
        token: str,
        base_url: str = "https://api.telegram.org/bot",
        base_file_url: str = "https://api.telegram.org/file/bot",
        webhook: WebhookConfig | None = None,
        poll_timeout: int = 10,
        proxy: str | None = None,
    ) -> None:
        self.webhook = webhook
        self.replies_before_confirming = webhook is not None
        """A webhook answers 200 only after the update's replies went out, so behind a balancer a worker
        that dies mid-reply leaves the update to another worker. Long polling (one process by Telegram's
        rule) confirms an update once it is stored, not once its paced replies went out — that would hold
        a chat's lane, and a morning burst's storing, behind the pacer; a reply stored but not sent when
        the process died is sent on the next start (`on_started`)."""
        self.poll_timeout = poll_timeout
        builder = ApplicationBuilder().token(token).base_url(base_url).base_file_url(base_file_url)
        if proxy:  # both connections: the one that sends and the one that polls for updates
            builder = builder.proxy(proxy).get_updates_proxy(proxy)
        self.application: Application = builder.build()
        self._stop = asyncio.Event()
        self._username = ""
        self.command_menus: dict[str, tuple[tuple[str, str], ...]] = {}
        """Menus by audience ("group", "private", "coordinator"), published with BotCommandScope."""
        self.coordinator_chats: Callable[[], Awaitable[list[str]]] | None = None
        self._names: dict[str, str] = {}
        """Display names of people who wrote, so a mention reads as "@王芳"."""

    async def run(self, on_message: MessageCallback) -> None:
        lanes: ChatLanes[IncomingMessage] = ChatLanes(on_message)

        async def on_update(update: Update, _context: ContextTypes.DEFAULT_TYPE | None) -> asyncio.Future | None:
            """Hand the update to its chat's lane and return at once: PTB fetches the next update
            while this chat's earlier ones, and other chats', are still being handled."""
            incoming = to_incoming(update, self._username)
            if incoming is not None and incoming.sender.display_name:
                self._names[incoming.sender.user_id] = incoming.sender.display_name
            if update.callback_query is not None:
                await self._settle_press(update.callback_query)
            if incoming is None:
                return None
            await lanes.room()
            return lanes.submit(incoming.chat.chat_id, incoming)

        app = self.application
        app.add_handler(TypeHandler(Update, on_update))
        async with app:
            self._username = app.bot.username or ""
            self._note_privacy_mode(bool(app.bot.can_read_all_group_messages))
            await self._publish_command_menu()
            await app.start()
            if self.on_started is not None:
                await self.on_started()
            updates = list(ALLOWED_UPDATES)
            server = None
            if self.webhook:
                server = await self._serve_webhook(on_update)
                await app.bot.set_webhook(self.webhook.url, secret_token=self.webhook.secret,
                                          allowed_updates=updates)
            else:
                async def handled(update: Update) -> None:
                    """Until the update is stored (its replies handed to delivery): then Telegram may forget it."""
                    work = await on_update(update, None)
                    if work is not None:
                        await work

                poller = HandledPolling(app.bot, handled, timeout=self.poll_timeout, allowed_updates=updates)
                polling = asyncio.create_task(poller.run(self._stop))
            log.info("telegram connected bot=%s mode=%s", self._username, "webhook" if self.webhook else "polling")
            try:
                if server is None:
                    await polling  # returns once stopped, after the batch in hand is handled
                else:
                    await self._stop.wait()
            finally:
                if server is not None:
                    await server.cleanup()
                elif not polling.done():  # cancelled: unconfirmed updates come back after a restart
                    polling.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await polling
                await lanes.stop(timeout=DRAIN_TIMEOUT_S)
                await app.stop()

    async def _serve_webhook(self, on_update) -> web.AppRunner:
        """Receive updates and answer Telegram only after each is handled, so an update a worker
        did not finish (it crashed, was killed) is retried by Telegram, on this worker or another."""
        webhook, bot = self.webhook, self.application.bot

        async def receive(request: web.Request) -> web.Response:
            given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            if not hmac.compare_digest(given.encode(), webhook.secret.encode()):
                return web.Response(status=403)
            try:
                data = await request.json()
                if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                    return web.Response(status=400)  # a list, a number, a string: no update at all
                update = Update.de_json(data, bot)
            except (ValueError, TypeError, KeyError, AttributeError):
                return web.Response(status=400)
            handled = await on_update(update, None)
            if handled is not None:
                await handled
            return web.Response(text="ok")

        server = web.Application(client_max_size=1024 * 1024)
        server.router.add_post("/" + webhook.path, receive)
        runner = web.AppRunner(server, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, webhook.listen, webhook.port).start()
        return runner

    async def stop(self) -> None:
        self._stop.set()

    def _note_privacy_mode(self, reads_all: bool) -> None:
        """getMe's can_read_all_group_messages: false means privacy mode, and plain 签到 in a group
        never arrives unless the bot is that group's admin. Said loudly, and declared, so /bind can
        tell the coordinator in the group how to fix it."""
        self.capabilities = replace(self.capabilities, reads_group_chatter=reads_all)
        if not reads_all:
            log.warning(
                "telegram privacy mode is on for @%s: groups deliver only commands, replies and mentions; "
                "turn it off in @BotFather (/setprivacy → Disable, then re-add the bot to each group) "
                "or make the bot an admin of each group", self._username,
            )

    async def _settle_press(self, query: CallbackQuery) -> None:
        """Stop the button's spinner and take the keyboard away, so the same choice cannot be made twice.

        Both may fail harmlessly (a redelivered press is too old to answer, its keyboard already gone).
        """
        bot = self.application.bot
        try:
            await bot.answer_callback_query(query.id)
        except TelegramError as error:
            log.info("could not answer callback query id=%s: %s", query.id, error)
        message = query.message
        if message is None:
            return
        try:
            await bot.edit_message_reply_markup(chat_id=message.chat.id, message_id=message.message_id)
        except TelegramError as error:
            log.info("could not remove the keyboard chat=%s message=%s: %s", message.chat.id, message.message_id, error)

    async def download(self, attachment: Attachment, max_bytes: int) -> bytes:
        if attachment.size is not None and attachment.size > max_bytes:
            raise FileUnavailable(f"file is {attachment.size} bytes, more than {max_bytes}")
        bot = self.application.bot
        try:
            file = await bot.get_file(attachment.file_ref)
            if file.file_size is not None and file.file_size > max_bytes:
                raise FileUnavailable(f"file is {file.file_size} bytes, more than {max_bytes}")
            # PTB reads file_path from the local disk when it names an existing file there; we
            # never run a local Bot API server, so only a download URL is acceptable.
            if not (file.file_path or "").startswith(bot.base_file_url + "/"):
                raise FileUnavailable(f"no download URL for {attachment.file_ref}")
            content = await file.download_as_bytearray()
        except TelegramError as error:
            raise FileUnavailable(f"telegram could not hand over {attachment.file_ref}: {error}") from error
        if len(content) > max_bytes:
            raise FileUnavailable(f"file is {len(content)} bytes, more than {max_bytes}")
        return bytes(content)

    async def _publish_command_menu(self) -> None:
        """The default menu, then one per scope: groups (short), private chats, coordinators' chats."""
        bot = self.application.bot
        menus = self.command_menus
        scoped: list[tuple[object, tuple[tuple[str, str], ...]]] = [(None, self.command_menu)]
        if menus:
            scoped += [(BotCommandScopeAllGroupChats(), menus.get("group", ())),
                       (BotCommandScopeAllPrivateChats(), menus.get("private", ()))]
            chats = await self.coordinator_chats() if self.coordinator_chats is not None else []
            scoped += [(BotCommandScopeChat(_chat_id(chat)), menus.get("coordinator", ())) for chat in chats]
        for scope, menu in scoped:
            if not menu:
                continue
            try:
                await bot.set_my_commands(list(menu), scope=scope)
            except TelegramError:
                log.warning("could not publish the command menu scope=%s", scope, exc_info=True)

    async def send(self, message: OutgoingMessage) -> str | None:
        """Send once; flood control is raised as RateLimited for the delivery's pacer to sleep on."""
        try:
            sent = await self._send_once(message)
        except RetryAfter as flood:
            FLOOD_WAITS.inc(platform=self.platform)
            raise RateLimited(_seconds(flood.retry_after)) from flood
        except Forbidden as refused:
            if message.chat.kind is ChatKind.PRIVATE:
                raise PrivateChatUnavailable(message.chat.chat_id) from refused
            raise
        return str(sent.message_id)

    async def react(self, chat: ChatRef, message_id: str, emoji: str) -> None:
        try:
            await self.application.bot.set_message_reaction(_chat_id(chat.chat_id), int(message_id), emoji)
        except RetryAfter as flood:
            FLOOD_WAITS.inc(platform=self.platform)
            raise RateLimited(_seconds(flood.retry_after)) from flood

    async def edit(self, chat: ChatRef, message_id: str, text: str) -> None:
        try:
            await self.application.bot.edit_message_text(text, _chat_id(chat.chat_id), int(message_id))
        except RetryAfter as flood:
            FLOOD_WAITS.inc(platform=self.platform)
            raise RateLimited(_seconds(flood.retry_after)) from flood

    async def _send_once(self, message: OutgoingMessage) -> Message:
        bot = self.application.bot
        chat_id = _chat_id(message.chat.chat_id)
        reply = (
            ReplyParameters(int(message.reply_to_message_id), allow_sending_without_reply=True)
            if message.reply_to_message_id and message.reply_to_message_id.isdigit()
            else None
        )
        keyboard = _keyboard(message.buttons, self._username)
        if message.file is not None:
            document = (
                InputFile(message.file.content, filename=message.file.file_name)
                if message.file.content is not None
                else message.file.file_ref
            )
            if message.file.content is not None and message.file.mime_type in PHOTO_TYPES:
                return await bot.send_photo(  # a chart shows in the chat, not as a file to download
                    chat_id, document, caption=message.text[:1024] or None, reply_parameters=reply,
                    reply_markup=keyboard,
                )
            return await bot.send_document(
                chat_id, document, caption=message.text[:1024] or None, reply_parameters=reply,
                reply_markup=keyboard,
            )
        if message.mention_user_id and message.mention_user_id.isdigit():
            name = self._names.get(message.mention_user_id) or message.mention_user_id
            mention = f'<a href="tg://user?id={message.mention_user_id}">@{html.escape(name)}</a> '
            return await bot.send_message(
                chat_id, mention + html.escape(message.text), parse_mode="HTML", reply_parameters=reply,
                reply_markup=keyboard,
            )
        return await bot.send_message(chat_id, message.text, reply_parameters=reply, reply_markup=keyboard)


def _keyboard(buttons: tuple[Button, ...], bot_username: str = "") -> InlineKeyboardMarkup | None:
    """One row of inline buttons, each sending its command back as callback data; a `/start <payload>`
    button is a deep link (t.me/<bot>?start=<payload>) that opens the private chat and continues there."""
    if not buttons:
        return None
    links = [_deep_link(b.command, bot_username) for b in buttons]
    if all(links):
        return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, url=link) for b, link in zip(buttons, links)]])
    too_long = [b.command for b in buttons if len(b.command.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES]
    if too_long:
        log.warning(
            "buttons left off: callback data over %d bytes commands=%r", MAX_CALLBACK_DATA_BYTES, too_long
        )
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.command) for b in buttons]])


def _deep_link(command: str, bot_username: str) -> str | None:
    name, _, payload = command.partition(" ")
    if name != "/start" or not bot_username or not DEEP_LINK_PAYLOAD.fullmatch(payload):
        return None
    return f"https://t.me/{bot_username}?start={payload}"


def to_incoming(update: Update, bot_username: str) -> IncomingMessage | None:
    """The platform-neutral view of an update; None for updates that are not for us."""
    if update.callback_query is not None:
        return _press_to_incoming(update.callback_query)
    message: Message | None = update.message or update.edited_message
    if message is None or message.from_user is None:
        return None
    text = message.text or message.caption or ""
    text, addressed_elsewhere = _strip_bot_suffix(text, bot_username)
    if addressed_elsewhere:
        return None
    chat = message.chat
    kind = ChatKind.PRIVATE if chat.type == "private" else ChatKind.GROUP
    sent_at = message.date if message.date.tzinfo else message.date.replace(tzinfo=UTC)
    return IncomingMessage(
        chat=ChatRef(PLATFORM, str(chat.id), kind, chat.title or chat.full_name or ""),
        sender=Sender(str(message.from_user.id), message.from_user.full_name, message.from_user.is_bot,
                      message.from_user.username or ""),
        message_id=str(message.message_id),
        text=text,
        sent_at=sent_at,
        attachments=_attachments(message),
        edited=update.edited_message is not None,
        mentions_bot=bool(bot_username) and f"@{bot_username}".lower() in text.lower(),
    )


def _press_to_incoming(query: CallbackQuery) -> IncomingMessage | None:
    """A pressed button as if its command had been typed by whoever pressed it, where the button was.

    The id is derived from the callback query, so a redelivered press is recognised as the same message.
    """
    message = query.message
    if message is None or not query.data:
        return None
    chat = message.chat
    kind = ChatKind.PRIVATE if chat.type == "private" else ChatKind.GROUP
    return IncomingMessage(
        chat=ChatRef(PLATFORM, str(chat.id), kind, chat.title or chat.full_name or ""),
        sender=Sender(str(query.from_user.id), query.from_user.full_name, query.from_user.is_bot),
        message_id=CALLBACK_MESSAGE_PREFIX + query.id,
        text=query.data,
        sent_at=datetime.now(UTC),
    )


def _strip_bot_suffix(text: str, bot_username: str) -> tuple[str, bool]:
    """`/join@our_bot …` → `/join …`; a command addressed to another bot is not for us."""
    if not text.startswith("/"):
        return text, False
    head, space, rest = text.partition(" ")
    command, at, target = head.partition("@")
    if not at:
        return text, False
    if bot_username and target.lower() != bot_username.lower():
        return text, True
    return command + space + rest, False


def _attachments(message: Message) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    if message.photo:
        largest = message.photo[-1]
        found.append(Attachment(AttachmentKind.PHOTO, largest.file_id, None, "image/jpeg", largest.file_size))
    if message.document:
        doc = message.document
        found.append(Attachment(AttachmentKind.DOCUMENT, doc.file_id, doc.file_name, doc.mime_type, doc.file_size))
    if message.sticker:
        found.append(Attachment(AttachmentKind.STICKER, message.sticker.file_id))
    if message.voice:
        found.append(Attachment(AttachmentKind.VOICE, message.voice.file_id, None, message.voice.mime_type))
    if message.video:
        found.append(Attachment(AttachmentKind.VIDEO, message.video.file_id, message.video.file_name))
    return tuple(found)


def _chat_id(value: str) -> int | str:
    try:
        return int(value)
    except ValueError:
        return value


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
