"""WeCom 智能机器人 (API mode): the way members reach the bot from an ordinary WeCom group.

A self-built application only hears private messages, and group robots only send; a 智能机器人 is
@-ed in groups and talked to alone, and its callbacks (`/wecom/bot`) carry those messages. It cannot
send on its own, so each answer rides on the message that asked:

* the callback waits up to `passive_window` seconds for the message to be handled and answers with
  everything the bot said meanwhile (a finished stream message, pictures included);
* what comes later goes once through the callback's `response_url` (one use, within an hour);
* anything else for a group goes through the group robot webhook bound to the same group
  (YANXIU_WECOM_ROBOT_WEBHOOKS with the `aibot:` chat id), or is refused.

`WeComBotAdapter` runs it alone; `WeComPairAdapter` runs it on the self-built app's listener, the
app sending what the 智能机器人 cannot (private messages to anyone in the company).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import logging
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import aiohttp
from aiohttp import web

from bot.adapters import wecom_crypto
from bot.adapters.wecom_bot_messages import (
    GROUP_PREFIX,
    PLATFORM,
    RECEIVE_ID,
    decrypt_file,
    parse_json,
    stream_reply,
    to_incoming,
)
from bot.kernel.adapter import (
    Adapter,
    Capabilities,
    FileUnavailable,
    MessageCallback,
    PrivateChatUnavailable,
    RateLimited,
)
from bot.kernel.lanes import ChatLanes
from bot.kernel.messages import Attachment, ChatKind, ChatRef, IncomingMessage, OutgoingFile, OutgoingMessage

log = logging.getLogger("yanxiu.wecom_bot")

BOT_PATH = "/wecom/bot"
STREAM_BYTES = 20480
"""A stream message's content may hold 20 480 bytes of UTF-8."""
RESPONSE_URL_SECONDS = 3600
IMAGE_TYPES, IMAGE_BYTES = frozenset({"image/png", "image/jpeg"}), 2 * 1024 * 1024
MAX_CALLBACK_BYTES, DRAIN_TIMEOUT_S = 256 * 1024, 10
ROBOT_FLOODED = 45009
"""A group robot's "api freq out of limit"."""
SEPARATOR = "\n\n──────────\n\n"
"""Between answers that share one reply bubble, so each still reads as its own message."""


class WeComBotCannotSend(Exception):
    """Nothing left to answer through: no message waiting for a reply and no group robot bound."""


@dataclass
class Turn:
    """One member's message and the ways still open to answer it."""

    chat_id: str
    response_url: str | None
    expires_at: float
    texts: list[str] = field(default_factory=list)
    images: list[OutgoingFile] = field(default_factory=list)
    files: list[tuple[str, OutgoingMessage]] = field(default_factory=list)
    """Documents for the group robot (a reply carries pictures only), with its key."""
    done: asyncio.Event = field(default_factory=asyncio.Event)
    late: bool = False
    url_used: bool = False


class WeComBot:
    """The 智能机器人's callbacks and replies, to be mounted on an aiohttp application."""

    def __init__(
        self, token: str, encoding_aes_key: str, *, api_base: str = "https://qyapi.weixin.qq.com",
        robot_webhooks: dict[str, str] | None = None, passive_window: float = 3.0,
        max_clock_skew_s: float | None = 300,
        clock: Callable[[], float] = time.monotonic, wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.token, self.aes_key = token, wecom_crypto.decode_key(encoding_aes_key)
        self.api_base = api_base.rstrip("/")
        self.robots = dict(robot_webhooks or {})
        self.passive_window, self.max_clock_skew_s = passive_window, max_clock_skew_s
        self.clock, self.wall_clock = clock, wall_clock
        self._lanes: ChatLanes[tuple[IncomingMessage, Turn]] | None = None
        self._on_message: MessageCallback | None = None
        self._current: dict[str, Turn] = {}
        self._recent: dict[str, deque[Turn]] = defaultdict(lambda: deque(maxlen=20))
        self._session: aiohttp.ClientSession | None = None

    # --- callbacks ---------------------------------------------------------------------------------
    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(BOT_PATH, self._verify_url)
        app.router.add_post(BOT_PATH, self._callback)

    def start(self, on_message: MessageCallback) -> None:
        self._on_message = on_message
        self._lanes = ChatLanes(self._work)

    async def close(self) -> None:
        if self._lanes is not None and not await self._lanes.drain(DRAIN_TIMEOUT_S):
            await self._lanes.cancel()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _signed(self, request: web.Request, encrypted: str) -> bool:
        given, timestamp, nonce = (request.query.get(name, "") for name in ("msg_signature", "timestamp", "nonce"))
        if not (given and timestamp.isdigit() and nonce and encrypted):
            return False
        if self.max_clock_skew_s is not None and abs(self.wall_clock() - int(timestamp)) > self.max_clock_skew_s:
            return False
        return wecom_crypto.signature_matches(given, self.token, timestamp, nonce, encrypted)

    async def _verify_url(self, request: web.Request) -> web.Response:
        echostr = request.query.get("echostr", "").replace(" ", "+")
        if not self._signed(request, echostr):
            log.warning("wecom bot url verification with a bad signature refused")
            return web.Response(status=403, text="forbidden")
        try:
            plain = wecom_crypto.decrypt(self.aes_key, echostr, RECEIVE_ID)
        except wecom_crypto.CryptoError as error:
            log.warning("wecom bot url verification could not be decrypted: %s", error)
            return web.Response(status=400, text="bad request")
        return web.Response(text=plain.decode("utf-8", "replace"))

    async def _callback(self, request: web.Request) -> web.Response:
        outer = parse_json(await request.read())
        encrypted = str((outer or {}).get("encrypt") or "")
        if not self._signed(request, encrypted):
            log.warning("wecom bot callback with a bad signature refused")
            return web.Response(status=403, text="forbidden")
        try:
            fields = parse_json(wecom_crypto.decrypt(self.aes_key, encrypted, RECEIVE_ID))
        except wecom_crypto.CryptoError as error:
            log.warning("wecom bot callback could not be decrypted: %s", error)
            return web.Response(status=403, text="forbidden")
        parsed = to_incoming(fields) if fields is not None else None
        if parsed is None or self._lanes is None:
            return web.Response(text="")  # events and stream refreshes: nothing to say
        incoming, response_url = parsed
        if incoming.chat.kind is ChatKind.GROUP and incoming.chat.chat_id not in self._recent:
            log.info("wecom bot heard group %s (for reminders, bind a group robot of that group to it: "
                     "YANXIU_WECOM_ROBOT_WEBHOOKS=%s=<webhook key>)", incoming.chat.chat_id, incoming.chat.chat_id)
        turn = Turn(incoming.chat.chat_id, response_url, self.clock() + RESPONSE_URL_SECONDS)
        self._recent[turn.chat_id].append(turn)
        self._lanes.submit(turn.chat_id, (incoming, turn))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(turn.done.wait(), self.passive_window)
        if not turn.done.is_set():
            turn.late = True  # answered later through response_url (no await since the check above)
            return web.Response(text="")
        return self._passive(turn, incoming.message_id)

    def _passive(self, turn: Turn, message_id: str) -> web.Response:
        """The encrypted stream reply with what fits; the rest waits for the response_url."""
        content, rest = _fit(turn.texts, STREAM_BYTES)
        images = [_image(file) for file in turn.images]
        turn.texts, turn.images = rest, []
        if rest:
            asyncio.get_running_loop().create_task(self._flush(turn))
        if not content and not images:
            return web.Response(text="")
        plain = json.dumps(stream_reply(f"reply-{message_id}", content, images), ensure_ascii=False)
        encrypted = wecom_crypto.encrypt(self.aes_key, plain.encode(), RECEIVE_ID)
        timestamp, nonce = str(int(self.wall_clock())), secrets.token_hex(8)
        return web.json_response({"encrypt": encrypted, "timestamp": timestamp, "nonce": nonce,
                                  "msgsignature": wecom_crypto.signature(self.token, timestamp, nonce, encrypted)})

    async def _work(self, item: tuple[IncomingMessage, Turn]) -> None:
        incoming, turn = item
        assert self._on_message is not None
        self._current[turn.chat_id] = turn
        try:
            await self._on_message(incoming)
        finally:
            self._current.pop(turn.chat_id, None)
            turn.done.set()
            if turn.late:
                await self._flush(turn)
            files, turn.files = turn.files, []
            for key, message in files:
                try:
                    await self._send_robot(key, message)
                except Exception:  # noqa: BLE001 - logged; the words already went
                    log.exception("wecom bot could not send a file through the group robot chat=%s", turn.chat_id)

    # --- sending ---------------------------------------------------------------------------------------
    def handles(self, chat: ChatRef) -> bool:
        """Whether this chat is the 智能机器人's: one of its groups, or a member writing to it right now."""
        return chat.chat_id.startswith(GROUP_PREFIX) or chat.chat_id in self._current

    async def send(self, message: OutgoingMessage) -> None:
        text = f"@{message.mention_user_id} {message.text}" if message.mention_user_id else message.text
        turn = self._current.get(message.chat.chat_id)
        if turn is not None:  # the member's message is being handled: the answer rides on it
            if text.strip():
                turn.texts.append(text)
            if message.file is not None:
                self._attach(turn, message)
            return
        turn = self._open_turn(message.chat.chat_id)
        if turn is not None and message.file is None:
            turn.texts.append(text)
            await self._flush(turn)
            return
        key = self.robots.get(message.chat.chat_id)
        if key is None:
            if message.chat.kind is ChatKind.PRIVATE:
                raise PrivateChatUnavailable(message.chat.chat_id)
            raise WeComBotCannotSend(f"no reply pending and no group robot bound for {message.chat.chat_id}")
        await self._send_robot(key, message)

    def _attach(self, turn: Turn, message: OutgoingMessage) -> None:
        file = message.file
        assert file is not None
        if file.content is not None and file.mime_type in IMAGE_TYPES and len(file.content) <= IMAGE_BYTES:
            turn.images.append(file)
            return
        key = self.robots.get(message.chat.chat_id)
        if key is None:
            raise FileUnavailable("a 智能机器人 reply carries pictures only; bind a group robot for files")
        turn.files.append((key, replace(message, text="")))  # sent once the answer has gone

    def _open_turn(self, chat_id: str) -> Turn | None:
        """The latest answered message whose response_url was never used and has not expired."""
        for turn in reversed(self._recent.get(chat_id, ())):
            if turn.done.is_set() and turn.response_url and not turn.url_used and turn.expires_at > self.clock():
                return turn
        return None

    async def _flush(self, turn: Turn) -> None:
        """What the passive reply did not carry: once through response_url, else the group robot."""
        texts, images, turn.texts, turn.images = turn.texts, turn.images, [], []
        if not texts and not images:
            return
        chat = ChatRef(PLATFORM, turn.chat_id, ChatKind.GROUP if turn.chat_id.startswith(GROUP_PREFIX)
                       else ChatKind.PRIVATE)
        if texts and turn.response_url and not turn.url_used and turn.expires_at > self.clock():
            turn.url_used = True
            content, _rest = _fit(texts, STREAM_BYTES)
            answer = await self._post(turn.response_url, {"msgtype": "markdown", "markdown": {"content": content}})
            if not answer.get("errcode"):
                texts = []
            else:
                log.warning("wecom bot response_url refused errcode=%s", answer.get("errcode"))
        key = self.robots.get(turn.chat_id)
        if key is None:
            if texts or images:
                log.error("wecom bot could not deliver %d texts, %d pictures to %s", len(texts), len(images),
                          turn.chat_id)
            return
        for text in texts:
            await self._send_robot(key, OutgoingMessage(chat, text))
        for image in images:
            await self._send_robot(key, OutgoingMessage(chat, "", file=image))

    async def _send_robot(self, key: str, message: OutgoingMessage) -> None:
        """The group robot bound to this group (at most 20 messages a minute, paced by Delivery)."""
        url = f"{self.api_base}/cgi-bin/webhook/send"
        if message.text.strip():
            text: dict = {"content": message.text}
            if message.mention_user_id:
                text["mentioned_list"] = [message.mention_user_id]
            await self._checked(url, key, {"msgtype": "text", "text": text})
        file = message.file
        if file is None:
            return
        if file.content is None:
            raise FileUnavailable("a group robot cannot send a file by reference")
        if file.mime_type in IMAGE_TYPES and len(file.content) <= IMAGE_BYTES:
            await self._checked(url, key, {"msgtype": "image", "image": _image(file)})
            return
        form = aiohttp.FormData(quote_fields=False)
        form.add_field("media", file.content, filename=file.file_name or "file", content_type=file.mime_type)
        async with self._http().post(f"{self.api_base}/cgi-bin/webhook/upload_media",
                                     params={"key": key, "type": "file"}, data=form) as response:
            uploaded = await response.json(content_type=None)
        if uploaded.get("errcode") or not uploaded.get("media_id"):
            raise WeComBotCannotSend(f"group robot upload errcode={uploaded.get('errcode')}")
        await self._checked(url, key, {"msgtype": "file", "file": {"media_id": uploaded["media_id"]}})

    async def _checked(self, url: str, key: str, body: dict) -> None:
        async with self._http().post(url, params={"key": key}, json=body) as response:
            answer = await response.json(content_type=None)
        if answer.get("errcode") == ROBOT_FLOODED:  # 20 a minute per robot: the pacer waits the minute out
            raise RateLimited(60, whole_bot=False)
        if answer.get("errcode"):
            raise WeComBotCannotSend(f"group robot errcode={answer['errcode']} {answer.get('errmsg', '')}")

    async def _post(self, url: str, body: dict) -> dict:
        try:
            async with self._http().post(url, json=body) as response:
                answer = await response.json(content_type=None)
        except (aiohttp.ClientError, ValueError) as error:
            return {"errcode": -1, "errmsg": str(error)}
        return answer if isinstance(answer, dict) else {"errcode": -1}

    async def download(self, attachment: Attachment, max_bytes: int) -> bytes:
        """A picture a member sent: fetched from its URL and decrypted with the robot's key."""
        try:
            async with self._http().get(attachment.file_ref) as response:
                if response.status != 200:
                    raise FileUnavailable(f"wecom bot picture HTTP {response.status}")
                raw = await response.content.read(max_bytes + 33)
        except aiohttp.ClientError as error:
            raise FileUnavailable(f"wecom bot picture: {error}") from error
        try:
            content = decrypt_file(self.aes_key, raw)
        except ValueError as error:
            raise FileUnavailable(f"wecom bot picture could not be decrypted: {error}") from error
        if len(content) > max_bytes:
            raise FileUnavailable(f"file is more than {max_bytes} bytes")
        return content

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._session


def _fit(texts: list[str], limit: int) -> tuple[str, list[str]]:
    """As many whole texts as fit in `limit` bytes, joined by SEPARATOR, and the ones left over."""
    taken: list[str] = []
    used = 0
    for index, text in enumerate(texts):
        size = len(text.encode()) + (len(SEPARATOR.encode()) if taken else 0)
        if taken and used + size > limit:
            return SEPARATOR.join(taken), texts[index:]
        taken.append(text if len(text.encode()) <= limit else text.encode()[:limit].decode("utf-8", "ignore"))
        used += size
    return SEPARATOR.join(taken), []


def _image(file: OutgoingFile) -> dict:
    content = file.content or b""
    return {"base64": base64.b64encode(content).decode(), "md5": hashlib.md5(content).hexdigest()}


BOT_CAPABILITIES = Capabilities(
    max_text_length=2000,  # a reply is a stream message (20 480 bytes) or a group-robot text (2 048 bytes)
    can_send_unprompted=False, can_send_private=False, can_send_files=True, can_send_images=True,
    can_mention=True, buttons=False, messages_per_second=5, messages_per_chat_per_minute=20,
)


class WeComBotAdapter(Adapter):
    """The 智能机器人 alone (no self-built app): its own listener with `/wecom/bot`."""

    platform = PLATFORM
    capabilities = BOT_CAPABILITIES
    replies_before_confirming = True
    """Answers ride on the callback that asked (the passive reply), so they must be sent before the
    handling of the message returns."""

    def __init__(self, bot: WeComBot, *, listen: str = "127.0.0.1", port: int = 8080) -> None:
        self.bot, self.listen, self.port = bot, listen, port
        self.ready, self._stop = asyncio.Event(), asyncio.Event()
        if bot.robots:
            self.capabilities = replace(BOT_CAPABILITIES, can_send_unprompted=True)

    @property
    def callback_url(self) -> str:
        return f"http://{self.listen}:{self.port}{BOT_PATH}"

    async def run(self, on_message: MessageCallback) -> None:
        app = web.Application(client_max_size=MAX_CALLBACK_BYTES)
        self.bot.add_routes(app)
        self.bot.start(on_message)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.listen, self.port).start()
            self.port = runner.addresses[0][1]
            self.ready.set()
            log.info("wecom bot callback listening url=%s", self.callback_url)
            await self._stop.wait()
        finally:
            await runner.cleanup()
            await self.bot.close()

    async def stop(self) -> None:
        self._stop.set()

    async def send(self, message: OutgoingMessage) -> None:
        await self.bot.send(message)

    async def download(self, attachment: Attachment, max_bytes: int) -> bytes:
        return await self.bot.download(attachment, max_bytes)


class WeComPairAdapter(Adapter):
    """The self-built app and the 智能机器人 on one listener: groups through the robot, private
    messages and application chats through the app."""

    platform = PLATFORM
    replies_before_confirming = True  # the 智能机器人's passive replies (the app's callbacks don't mind)

    def __init__(self, app_adapter: Adapter, bot: WeComBot) -> None:
        self.app_adapter, self.bot = app_adapter, bot
        self.capabilities = replace(app_adapter.capabilities, max_text_length=min(
            app_adapter.capabilities.max_text_length, BOT_CAPABILITIES.max_text_length))
        app_adapter.route_hooks.append(bot.add_routes)  # type: ignore[attr-defined]

    @property
    def ready(self) -> asyncio.Event:
        return self.app_adapter.ready  # type: ignore[attr-defined]

    async def run(self, on_message: MessageCallback) -> None:
        self.bot.start(on_message)
        try:
            await self.app_adapter.run(on_message)
        finally:
            await self.bot.close()

    async def stop(self) -> None:
        await self.app_adapter.stop()

    async def send(self, message: OutgoingMessage) -> None:
        if self.bot.handles(message.chat):
            await self.bot.send(message)
        else:
            await self.app_adapter.send(message)

    async def download(self, attachment: Attachment, max_bytes: int) -> bytes:
        if attachment.file_ref.startswith(("http://", "https://")):
            return await self.bot.download(attachment, max_bytes)
        return await self.app_adapter.download(attachment, max_bytes)
