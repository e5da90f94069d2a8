"""WeCom (企业微信) through a self-built application, plus group robots as send-only chats.

Inbound: WeCom POSTs encrypted XML to our callback URL; we check the signature, decrypt, answer
"success" at once (WeCom retries a callback unanswered after 5 s) and hand the message on in the
background, one at a time per chat. Outbound: the application's message API (private chats and
application group chats "appchat:<chatid>"), or a group robot's webhook for chat ids bound to one.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import web

from bot.adapters import wecom_crypto
from bot.domain.text import try_number
from bot.kernel.adapter import Adapter, Capabilities, FileUnavailable, MessageCallback, PrivateChatUnavailable
from bot.kernel.lanes import ChatLanes
from bot.adapters.wecom_messages import APPCHAT_PREFIX, PLATFORM, parse_xml, split_bytes, to_incoming
from bot.kernel.messages import (
    Attachment,
    ChatKind,
    ChatRef,
    IncomingMessage,
    OutgoingFile,
    OutgoingMessage,
)

log = logging.getLogger("yanxiu.wecom")

CALLBACK_PATH = "/wecom/callback"
TEXT_BYTES = 2048
"""Text messages (application and robot alike) carry at most 2048 bytes of UTF-8."""
TOKEN_ERRORS = frozenset({40014, 42001})
"""Invalid / expired access_token: fetch a new one and retry once."""
UNREACHABLE_USER_ERRORS = frozenset({60111, 81013, 82001})
"""No such user / recipients all invalid or outside the application's visible range."""
IMAGE_TYPES, IMAGE_BYTES = frozenset({"image/png", "image/jpeg"}), 2 * 1024 * 1024
"""Sent as pictures (robots take at most 2 MB); anything else, or larger, goes as a file."""
MAX_CALLBACK_BYTES, TOKEN_MARGIN_S, DRAIN_TIMEOUT_S = 256 * 1024, 300, 10


UNTRUSTED_IP = 60020
"""The server's address is not in the application's 企业可信IP (applications created since mid-2022)."""


class WeComApiError(Exception):
    def __init__(self, errcode: int, errmsg: str = "") -> None:
        hint = " — add this server's public IP to the application's 企业可信IP" if errcode == UNTRUSTED_IP else ""
        super().__init__(f"wecom errcode={errcode} {errmsg}{hint}")
        self.errcode, self.errmsg = errcode, errmsg


class WeComAdapter(Adapter):
    platform = PLATFORM
    capabilities = Capabilities(
        # 2048 bytes of UTF-8 per text; Chinese characters take 3 bytes each, so 680 characters keep
        # typical Chinese text under the limit (send() still cuts by bytes, for emoji and the like).
        max_text_length=680,
        can_send_unprompted=True, can_send_private=True, can_send_files=True, can_send_images=True,
        can_mention=False,  # application messages cannot @ someone; the user id is written as "@id" text
        buttons=False,
        messages_per_second=5,  # conservative: WeCom's own limits are per application per minute/day
        messages_per_chat_per_minute=20,  # a group robot's hard limit; also polite for everyone else
    )

    def __init__(
        self, corp_id: str, agent_id: str, secret: str, token: str, encoding_aes_key: str, *,
        listen: str = "127.0.0.1", port: int = 8080, api_base: str = "https://qyapi.weixin.qq.com",
        robot_webhooks: dict[str, str] | None = None, robot_per_minute: int | None = 20,
        max_clock_skew_s: float | None = 300,
        clock: Callable[[], float] = time.monotonic, wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.corp_id, self.agent_id, self.secret, self.token = corp_id, agent_id, secret, token
        self.aes_key = wecom_crypto.decode_key(encoding_aes_key)
        self.listen, self.port, self.api_base = listen, port, api_base.rstrip("/")
        self.robots = dict(robot_webhooks or {})
        self.robot_per_minute, self.max_clock_skew_s = robot_per_minute, max_clock_skew_s
        self.clock, self.wall_clock, self.sleep = clock, wall_clock, sleep
        self.ready, self._stop = asyncio.Event(), asyncio.Event()
        self._lanes: ChatLanes[IncomingMessage] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._access_token: str | None = None
        self._token_expires, self._token_lock = 0.0, asyncio.Lock()
        self._robot_sent: dict[str, deque[float]] = defaultdict(deque)
        self._robot_lock = asyncio.Lock()
        self.route_hooks: list[Callable[[web.Application], None]] = []
        """Other WeCom callbacks served on the same listener (the 智能机器人's /wecom/bot)."""

    @property
    def callback_url(self) -> str:
        return f"http://{self.listen}:{self.port}{CALLBACK_PATH}"

    async def run(self, on_message: MessageCallback) -> None:
        self._lanes = ChatLanes(on_message)
        app = web.Application(client_max_size=MAX_CALLBACK_BYTES)
        app.router.add_get(CALLBACK_PATH, self._verify_url)
        app.router.add_post(CALLBACK_PATH, self._callback)
        for add_routes in self.route_hooks:
            add_routes(app)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.listen, self.port).start()
            self.port = runner.addresses[0][1]
            self.ready.set()
            log.info("wecom callback listening url=%s robots=%d", self.callback_url, len(self.robots))
            await self._stop.wait()
        finally:
            await runner.cleanup()
            await self._lanes.stop(timeout=DRAIN_TIMEOUT_S)  # messages already accepted finish, within reason
            await self.close()

    async def stop(self) -> None:
        self._stop.set()

    async def close(self) -> None:
        """Close the HTTP client (sending works again afterwards: a new one is opened on demand)."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _signed(self, request: web.Request, encrypted: str) -> bool:
        """A valid msg_signature over the ciphertext, and (unless disabled) a timestamp within the skew."""
        given, timestamp, nonce = (request.query.get(name, "") for name in ("msg_signature", "timestamp", "nonce"))
        seconds = try_number(timestamp, max_digits=11) if timestamp.isascii() else None
        if not (given and seconds is not None and nonce and encrypted):
            return False
        if self.max_clock_skew_s is not None and abs(self.wall_clock() - seconds) > self.max_clock_skew_s:
            return False
        return wecom_crypto.signature_matches(given, self.token, timestamp, nonce, encrypted)

    async def _verify_url(self, request: web.Request) -> web.Response:
        """The URL verification handshake: answer the decrypted echostr."""
        # Base64 never contains spaces: a space is a "+" that arrived without URL encoding.
        echostr = request.query.get("echostr", "").replace(" ", "+")
        if not self._signed(request, echostr):
            log.warning("wecom url verification with a bad signature refused")
            return web.Response(status=403, text="forbidden")
        try:
            plain = wecom_crypto.decrypt(self.aes_key, echostr, self.corp_id)
        except wecom_crypto.CryptoError as error:
            log.warning("wecom url verification could not be decrypted: %s", error)
            return web.Response(status=400, text="bad request")
        return web.Response(text=plain.decode("utf-8", "replace"))

    async def _callback(self, request: web.Request) -> web.Response:
        body = await request.read()
        outer = parse_xml(body)
        if outer is None:
            return web.Response(status=400, text="bad request")
        encrypted = outer.get("Encrypt", "")
        if not self._signed(request, encrypted):
            log.warning("wecom callback with a bad signature refused")
            return web.Response(status=403, text="forbidden")
        try:
            inner = parse_xml(wecom_crypto.decrypt(self.aes_key, encrypted, self.corp_id))
        except wecom_crypto.CryptoError as error:
            log.warning("wecom callback could not be decrypted: %s", error)
            return web.Response(status=403, text="forbidden")
        if inner is None:
            return web.Response(status=400, text="bad request")
        incoming = to_incoming(inner)
        if incoming is not None:
            self._enqueue(incoming)
        return web.Response(text="success")

    def _enqueue(self, incoming: IncomingMessage) -> None:
        """Hand on in the background, in order per chat (a retried callback keeps its MsgId: the
        dispatcher's idempotency drops it)."""
        assert self._lanes is not None
        self._lanes.submit(incoming.chat.chat_id, incoming)

    async def send(self, message: OutgoingMessage) -> None:
        key = self.robots.get(message.chat.chat_id)
        if key is not None:
            await self._send_robot(key, message)
            return
        text = f"@{message.mention_user_id} {message.text}" if message.mention_user_id else message.text
        if text.strip():
            for piece in split_bytes(text, TEXT_BYTES):
                await self._send_app(message.chat, "text", {"content": piece})
        if message.file is not None:
            media_type, media_id = await self._app_media(message.file)
            await self._send_app(message.chat, media_type, {"media_id": media_id})

    async def _send_app(self, chat: ChatRef, msgtype: str, content: dict) -> None:
        if chat.chat_id.startswith(APPCHAT_PREFIX):
            body = {"chatid": chat.chat_id[len(APPCHAT_PREFIX):], "msgtype": msgtype, msgtype: content}
            await self._api("POST", "/cgi-bin/appchat/send", json_body=body)
            return
        if chat.kind is not ChatKind.PRIVATE:
            raise ValueError(f"wecom chat {chat.chat_id!r} is neither a user, an appchat nor a bound robot")
        agent = int(self.agent_id) if self.agent_id.isdigit() else self.agent_id
        body = {"touser": chat.chat_id, "msgtype": msgtype, "agentid": agent, msgtype: content}
        try:
            answer = await self._api("POST", "/cgi-bin/message/send", json_body=body)
        except WeComApiError as error:
            if error.errcode in UNREACHABLE_USER_ERRORS:
                raise PrivateChatUnavailable(chat.chat_id) from error
            raise
        if answer.get("invaliduser"):
            raise PrivateChatUnavailable(chat.chat_id)

    async def _app_media(self, file: OutgoingFile) -> tuple[str, str]:
        """(msgtype, media_id): a reference WeCom already holds, or our bytes uploaded as image or file."""
        if file.content is None:
            if not file.file_ref:
                raise ValueError("an outgoing file needs content or a file_ref")
            return "file", file.file_ref
        kind = "image" if file.mime_type in IMAGE_TYPES and len(file.content) <= IMAGE_BYTES else "file"
        answer = await self._api("POST", "/cgi-bin/media/upload", params={"type": kind}, form=lambda: _form(file))
        return kind, answer["media_id"]

    async def _send_robot(self, key: str, message: OutgoingMessage) -> None:
        mentioned = [message.mention_user_id] if message.mention_user_id else []
        if message.text.strip():
            for piece in split_bytes(message.text, TEXT_BYTES):
                text: dict = {"content": piece}
                if mentioned:
                    text["mentioned_list"], mentioned = mentioned, []
                await self._robot("/cgi-bin/webhook/send", key, json_body={"msgtype": "text", "text": text})
        file = message.file
        if file is None:
            return
        if file.content is None:
            raise FileUnavailable("a group robot cannot send a file by reference")
        if file.mime_type in IMAGE_TYPES and len(file.content) <= IMAGE_BYTES:
            image = {"base64": base64.b64encode(file.content).decode(), "md5": hashlib.md5(file.content).hexdigest()}
            await self._robot("/cgi-bin/webhook/send", key, json_body={"msgtype": "image", "image": image})
            return
        uploaded = await self._robot(
            "/cgi-bin/webhook/upload_media", key, params={"type": "file"}, form=lambda: _form(file), paced=False
        )
        body = {"msgtype": "file", "file": {"media_id": uploaded["media_id"]}}
        await self._robot("/cgi-bin/webhook/send", key, json_body=body)

    async def _robot(self, path: str, key: str, *, params: dict | None = None, json_body: dict | None = None,
                     form: Callable[[], aiohttp.FormData] | None = None, paced: bool = True) -> dict:
        if paced:
            await self._robot_slot(key)
        answer = await self._request("POST", path, {**(params or {}), "key": key}, json_body, form)
        if answer.get("errcode"):
            raise WeComApiError(answer["errcode"], answer.get("errmsg", ""))
        return answer

    async def _robot_slot(self, key: str) -> None:
        """Wait until the robot may send again: at most `robot_per_minute` messages in any 60 s."""
        if not self.robot_per_minute:
            return
        async with self._robot_lock:
            sent = self._robot_sent[key]
            while True:
                now = self.clock()
                while sent and sent[0] <= now - 60:
                    sent.popleft()
                if len(sent) < self.robot_per_minute:
                    break
                await self.sleep(sent[0] + 60 - now)
            sent.append(now)

    async def download(self, attachment: Attachment, max_bytes: int) -> bytes:
        if attachment.size is not None and attachment.size > max_bytes:
            raise FileUnavailable(f"file is {attachment.size} bytes, more than {max_bytes}")
        if not attachment.file_ref:
            raise FileUnavailable("no media id")
        try:
            for attempt in range(2):
                token = await self._token()
                params = {"access_token": token, "media_id": attachment.file_ref}
                async with self._http().get(self.api_base + "/cgi-bin/media/get", params=params) as response:
                    if response.content_length is not None and response.content_length > max_bytes:
                        raise FileUnavailable(f"file is {response.content_length} bytes, more than {max_bytes}")
                    content = await _read_at_most(response.content, max_bytes + 1)
                # Errors come back as a JSON object with an errcode instead of the file.
                answer = _json(content) if response.content_type == "application/json" else {}
                errcode = answer.get("errcode") or (0 if response.status == 200 else -response.status)
                if errcode in TOKEN_ERRORS and attempt == 0:
                    self._forget_token(token)
                    continue
                if errcode:
                    raise FileUnavailable(f"wecom media/get errcode={errcode} {answer.get('errmsg', '')}")
                if len(content) > max_bytes:
                    raise FileUnavailable(f"file is more than {max_bytes} bytes")
                return content
        except (aiohttp.ClientError, WeComApiError) as error:
            raise FileUnavailable(f"wecom could not hand over {attachment.file_ref}: {error}") from error
        raise FileUnavailable("access token refused twice")

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._session

    async def _request(self, method: str, path: str, params: dict, json_body: dict | None,
                       form: Callable[[], aiohttp.FormData] | None) -> dict:
        data = form() if form is not None else None
        async with self._http().request(method, self.api_base + path, params=params, json=json_body,
                                        data=data) as response:
            raw = await response.read()
        answer = _json(raw)
        if not answer or (response.status != 200 and not answer.get("errcode")):
            raise WeComApiError(-response.status, f"HTTP {response.status}, no JSON answer")
        return answer

    async def _api(self, method: str, path: str, *, params: dict | None = None, json_body: dict | None = None,
                   form: Callable[[], aiohttp.FormData] | None = None) -> dict:
        """Call the application API with a cached access_token, renewed once if WeCom calls it stale."""
        for attempt in range(2):
            token = await self._token()
            answer = await self._request(method, path, {**(params or {}), "access_token": token}, json_body, form)
            errcode = answer.get("errcode", 0)
            if errcode in TOKEN_ERRORS and attempt == 0:
                log.info("wecom access token refused errcode=%s, fetching a new one", errcode)
                self._forget_token(token)
                continue
            if errcode:
                raise WeComApiError(errcode, answer.get("errmsg", ""))
            return answer
        raise AssertionError("unreachable")

    def _forget_token(self, token: str) -> None:
        if self._access_token == token:
            self._access_token = None

    async def _token(self) -> str:
        async with self._token_lock:
            if self._access_token is not None and self.clock() < self._token_expires:
                return self._access_token
            params = {"corpid": self.corp_id, "corpsecret": self.secret}
            answer = await self._request("GET", "/cgi-bin/gettoken", params, None, None)
            if answer.get("errcode") or not answer.get("access_token"):
                raise WeComApiError(answer.get("errcode", -1), answer.get("errmsg", "no access_token"))
            expires_in = float(answer.get("expires_in", 7200))
            self._access_token = answer["access_token"]
            self._token_expires = self.clock() + max(expires_in - TOKEN_MARGIN_S, expires_in / 2)
            return self._access_token


def _json(raw: bytes) -> dict:
    try:
        answer = json.loads(raw)
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


async def _read_at_most(stream: aiohttp.StreamReader, limit: int) -> bytes:
    content = b""
    while len(content) < limit:
        chunk = await stream.read(limit - len(content))
        if not chunk:
            break
        content += chunk
    return content


def _form(file: OutgoingFile) -> aiohttp.FormData:
    """A multipart body with the file as field "media" (UTF-8 file name, as WeCom expects)."""
    form = aiohttp.FormData(quote_fields=False)
    name = "".join("_" if ch in '"\\\r\n' else ch for ch in file.file_name) or "file"
    form.add_field("media", file.content or b"", filename=name, content_type=file.mime_type)
    return form
