"""Telegram through python-telegram-bot, used only as the transport.

Updates become `IncomingMessage`s; our own dispatcher, database and scheduler do the rest (no PTB
persistence, ConversationHandler or JobQueue), so the bot behaves the same on every platform.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from aiohttp import web
from telegram import (
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

from bot.kernel.adapter import (
    Adapter,
    Capabilities,
    FileUnavailable,
    MessageCallback,
    PrivateChatUnavailable,
)
from bot.ops.config import Settings
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
MAX_RETRY_WAITS = 5
MAX_CALLBACK_DATA_BYTES = 64
CALLBACK_MESSAGE_PREFIX = "cb:"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


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
        buttons=True,
    )

    def __init__(
        self,
        token: str,
        base_url: str = "https://api.telegram.org/bot",
        base_file_url: str = "https://api.telegram.org/file/bot",
        webhook: WebhookConfig | None = None,
        poll_timeout: int = 10,
    ) -> None:
        self.webhook = webhook
        self.poll_timeout = poll_timeout
        self.application: Application = (
            ApplicationBuilder()
            .token(token)
            .base_url(base_url)
            .base_file_url(base_file_url)
            .build()
        )
        self._stop = asyncio.Event()
        self._username = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> TelegramAdapter:
        webhook = None
        if settings.telegram_webhook_url:
            webhook = WebhookConfig(
                settings.telegram_webhook_url, settings.telegram_webhook_secret or "",
                settings.telegram_webhook_listen, settings.telegram_webhook_port,
            )
        return cls(settings.telegram_token or "", settings.telegram_base_url, settings.file_base_url, webhook)

    async def run(self, on_message: MessageCallback) -> None:
        async def on_update(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
            incoming = to_incoming(update, self._username)
            if update.callback_query is not None:
                await self._settle_press(update.callback_query)
            if incoming is not None:
                await on_message(incoming)

        app = self.application
        app.add_handler(TypeHandler(Update, on_update))
        async with app:
            self._username = app.bot.username or ""
            await self._publish_command_menu()
            await app.start()
            updates = list(ALLOWED_UPDATES)
            server = None
            if self.webhook:
                server = await self._serve_webhook(on_update)
                await app.bot.set_webhook(self.webhook.url, secret_token=self.webhook.secret,
                                          allowed_updates=updates)
            else:
                await app.updater.start_polling(
                    poll_interval=0, timeout=self.poll_timeout, allowed_updates=updates
                )
            log.info("telegram connected bot=%s mode=%s", self._username, "webhook" if self.webhook else "polling")
            try:
                await self._stop.wait()
            finally:
                if server is not None:
                    await server.cleanup()
                else:
                    await app.updater.stop()
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
                update = Update.de_json(await request.json(), bot)
            except (ValueError, TypeError, KeyError):
                return web.Response(status=400)
            await on_update(update, None)
            return web.Response(text="ok")

        server = web.Application(client_max_size=1024 * 1024)
        server.router.add_post("/" + webhook.path, receive)
        runner = web.AppRunner(server, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, webhook.listen, webhook.port).start()
        return runner

    async def stop(self) -> None:
        self._stop.set()

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
        if not self.command_menu:
            return
        try:
            await self.application.bot.set_my_commands(list(self.command_menu))
        except TelegramError:
            log.warning("could not publish the command menu", exc_info=True)

    async def send(self, message: OutgoingMessage) -> None:
        for _attempt in range(MAX_RETRY_WAITS + 1):
            try:
                await self._send_once(message)
                return
            except RetryAfter as flood:
                wait = _seconds(flood.retry_after)
                log.warning("telegram flood control chat=%s wait_s=%.1f", message.chat.chat_id, wait)
                FLOOD_WAITS.inc(platform=self.platform)
                await asyncio.sleep(wait)
            except Forbidden as refused:
                if message.chat.kind is ChatKind.PRIVATE:
                    raise PrivateChatUnavailable(message.chat.chat_id) from refused
                raise
        raise RuntimeError(f"gave up after {MAX_RETRY_WAITS} flood-control waits")

    async def _send_once(self, message: OutgoingMessage) -> None:
        bot = self.application.bot
        chat_id = _chat_id(message.chat.chat_id)
        reply = (
            ReplyParameters(int(message.reply_to_message_id), allow_sending_without_reply=True)
            if message.reply_to_message_id and message.reply_to_message_id.isdigit()
            else None
        )
        keyboard = _keyboard(message.buttons)
        if message.file is not None:
            document = (
                InputFile(message.file.content, filename=message.file.file_name)
                if message.file.content is not None
                else message.file.file_ref
            )
            await bot.send_document(
                chat_id, document, caption=message.text[:1024] or None, reply_parameters=reply,
                reply_markup=keyboard,
            )
            return
        if message.mention_user_id and message.mention_user_id.isdigit():
            mention = f'<a href="tg://user?id={message.mention_user_id}">@</a> '
            await bot.send_message(
                chat_id, mention + html.escape(message.text), parse_mode="HTML", reply_parameters=reply,
                reply_markup=keyboard,
            )
            return
        await bot.send_message(chat_id, message.text, reply_parameters=reply, reply_markup=keyboard)


def _keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """One row of inline buttons, each sending its command back as callback data."""
    if not buttons:
        return None
    too_long = [b.command for b in buttons if len(b.command.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES]
    if too_long:
        log.warning(
            "buttons left off: callback data over %d bytes commands=%r", MAX_CALLBACK_DATA_BYTES, too_long
        )
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.command) for b in buttons]])


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
