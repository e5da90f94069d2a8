"""DingTalk (钉钉) robots in Stream mode: no public address, the bot dials out to DingTalk.

Inbound follows the documented Stream protocol: POST /v1.0/gateway/connections/open with the app's
credentials returns an endpoint and a one-time ticket; a WebSocket to it carries CALLBACK frames
(robot messages), SYSTEM pings and a `disconnect` notice before DingTalk rotates the connection.
Every frame is acknowledged — an unacknowledged callback is delivered again — and the message goes
to the per-chat lanes. The official `dingtalk-stream` SDK is not used: its endpoint is fixed when the
module is imported, it makes blocking HTTP calls inside the event loop and handles frames in
unordered tasks, which would lose the per-chat order and could not be pointed at a test double.

Outbound: the message's sessionWebhook while it is fresh (it can @ a person), else the robot OpenAPI
(groupMessages/send, oToMessages/batchSend) with a cached access token; pictures and files are
uploaded to the old API (oapi) first and sent by media id.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable

import aiohttp

from bot.adapters.dingtalk_messages import (
    BOT_MESSAGE_TOPIC,
    PLATFORM,
    SessionWebhook,
    ack,
    parse_frame,
    robot_file,
    robot_image,
    robot_text,
    text_body,
    to_robot_message,
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

log = logging.getLogger("yanxiu.dingtalk")

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif"})
WEBHOOK_MARGIN_S = 60
"""A session webhook this close to its expiry is not trusted any more: the OpenAPI is used instead."""
RATE_LIMITED = frozenset({130101, 660026})
"""Session webhook answers meaning "too many messages": retrying through the OpenAPI would not help."""
TOKEN_ERRORS = frozenset({40014, 42001, 88})
"""Old-API (oapi) answers meaning the access token is invalid or expired."""
TOKEN_MARGIN_S, PING_SECONDS, DRAIN_TIMEOUT_S = 300, 30, 10
FLOOD_WAIT_S = 60
"""DingTalk names no retry time; its limits are per minute."""


class DingTalkApiError(Exception):
    def __init__(self, status: int, code: object, message: str = "") -> None:
        super().__init__(f"dingtalk HTTP {status} code={code} {message}")
        self.status, self.code, self.message = status, code, message


class DingTalkAdapter(Adapter):
    platform = PLATFORM
    capabilities = Capabilities(
        # A text may carry up to 15 000 bytes of msgParam; 4 000 Chinese characters stay well under it.
        max_text_length=4000,
        can_send_unprompted=True, can_send_private=True, can_send_files=True, can_send_images=True,
        can_mention=True, buttons=False,
        messages_per_second=10,  # the robot APIs allow 20 calls a second per app; leave room for uploads
        messages_per_chat_per_minute=20,  # DingTalk's limit per group robot: 20 messages a minute
    )

    def __init__(
        self, client_id: str, client_secret: str, *, robot_code: str | None = None,
        api_base: str = "https://api.dingtalk.com", oapi_base: str = "https://oapi.dingtalk.com",
        backoff_initial: float = 1, backoff_max: float = 60,
        clock: Callable[[], float] = time.monotonic, wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.robot_code = robot_code or client_id  # an internal app's robot code is its client id
        self.api_base, self.oapi_base = api_base.rstrip("/"), oapi_base.rstrip("/")
        self.backoff_initial, self.backoff_max = backoff_initial, backoff_max
        self.clock, self.wall_clock, self.sleep = clock, wall_clock, sleep
        self.connected = asyncio.Event()
        self.connections = 0
        self._stopping = asyncio.Event()
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._session: aiohttp.ClientSession | None = None
        self._webhooks: dict[str, SessionWebhook] = {}
        self._names: dict[str, str] = {}
        self._token_value: str | None = None
        self._token_expires, self._token_lock = 0.0, asyncio.Lock()

    # --- receiving -----------------------------------------------------------------------------
    async def run(self, on_message: MessageCallback) -> None:
        lanes: ChatLanes[IncomingMessage] = ChatLanes(on_message)
        backoff = self.backoff_initial
        try:
            while not self._stopping.is_set():
                try:
                    await self._connect_once(lanes)
                    backoff = self.backoff_initial
                    continue
                except (aiohttp.ClientError, DingTalkApiError, OSError, TimeoutError, ValueError) as error:
                    log.warning("dingtalk stream connection failed: %s; retrying in %.1fs", error, backoff)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), backoff)
                backoff = min(backoff * 2, self.backoff_max)
        finally:
            if not await lanes.drain(DRAIN_TIMEOUT_S):
                await lanes.cancel()
            await self.close()

    async def stop(self) -> None:
        self._stopping.set()
        if self._ws is not None:
            await self._ws.close()

    async def close(self) -> None:
        """Close the HTTP client (sending works again afterwards: a new one is opened on demand)."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _open_connection(self) -> tuple[str, str]:
        body = {
            "clientId": self.client_id, "clientSecret": self.client_secret,
            "subscriptions": [{"type": "CALLBACK", "topic": BOT_MESSAGE_TOPIC}],
            "ua": "yanxiu-dingtalk/1", "localIp": "",
        }
        status, answer = await self._request("POST", self.api_base + "/v1.0/gateway/connections/open", json_body=body)
        if status != 200 or not answer.get("endpoint") or not answer.get("ticket"):
            raise DingTalkApiError(status, answer.get("code"), answer.get("message", "no endpoint"))
        return answer["endpoint"], answer["ticket"]

    async def _connect_once(self, lanes: ChatLanes[IncomingMessage]) -> None:
        """One connection, from opening it to its end (a drop, a disconnect notice, or a stop)."""
        endpoint, ticket = await self._open_connection()
        async with self._http().ws_connect(endpoint, params={"ticket": ticket}, heartbeat=PING_SECONDS) as ws:
            self._ws = ws
            self.connections += 1
            self.connected.set()
            log.info("dingtalk stream connected connections=%d", self.connections)
            try:
                async for message in ws:
                    if message.type is not aiohttp.WSMsgType.TEXT:
                        break
                    frame = parse_frame(message.data)
                    if frame is not None and not await self._on_frame(ws, frame, lanes):
                        break
            finally:
                self.connected.clear()
                self._ws = None

    async def _on_frame(self, ws: aiohttp.ClientWebSocketResponse, frame: dict,
                        lanes: ChatLanes[IncomingMessage]) -> bool:
        """Handle and acknowledge one frame; False when the connection should be given up."""
        kind, topic = frame.get("type"), (frame.get("headers") or {}).get("topic")
        if kind == "SYSTEM":
            if topic == "disconnect":
                log.info("dingtalk asked to reconnect")
                return False
            await ws.send_str(ack(frame, frame.get("data") or "{}"))
            return True
        if kind == "CALLBACK" and topic == BOT_MESSAGE_TOPIC:
            try:
                data = json.loads(frame.get("data") or "{}")
            except ValueError:
                data = {}
            robot = to_robot_message(data) if isinstance(data, dict) else None
            if robot is not None:
                self._remember(robot.incoming, robot.webhook, robot.robot_code)
                lanes.submit(robot.incoming.chat.chat_id, robot.incoming)
            await ws.send_str(ack(frame, {"response": None}))
            return True
        await ws.send_str(ack(frame, {"response": None}, code=200 if kind == "EVENT" else 404))
        return True

    def _remember(self, incoming: IncomingMessage, webhook: SessionWebhook | None, robot_code: str | None) -> None:
        if webhook is not None:
            self._webhooks[incoming.chat.chat_id] = webhook
        if incoming.sender.display_name:
            self._names[incoming.sender.user_id] = incoming.sender.display_name
        if robot_code:
            self.robot_code = robot_code

    # --- sending ---------------------------------------------------------------------------------
    async def send(self, message: OutgoingMessage) -> None:
        """Words, then the file; a flood refusal raises RateLimited (no message id is kept)."""
        if message.text.strip():
            await self._send_text(message.chat, message.text, message.mention_user_id)
        if message.file is not None:
            key, param = await self._file_message(message.file)
            await self._robot_send(message.chat, key, param)

    async def _send_text(self, chat: ChatRef, text: str, mention: str | None) -> None:
        webhook = self._webhooks.get(chat.chat_id)
        if webhook is not None and webhook.expires_at - WEBHOOK_MARGIN_S > self.wall_clock():
            # In a session webhook text, "@<userId>" with the id in atUserIds shows as an @ of her name.
            status, answer = await self._request(
                "POST", webhook.url, json_body=text_body(f"@{mention} {text}" if mention else text, mention))
            errcode = answer.get("errcode", 0 if status == 200 else -status)
            if not errcode:
                return
            if errcode in RATE_LIMITED:  # this group's minute is used up: the pacer waits it out
                raise RateLimited(FLOOD_WAIT_S, whole_bot=False)
            log.info("dingtalk session webhook refused errcode=%s; using the robot OpenAPI", errcode)
            self._webhooks.pop(chat.chat_id, None)
        if mention:  # the OpenAPI cannot @ anyone: the name at least tells who is meant
            text = f"@{self._names.get(mention, mention)} {text}"
        await self._robot_send(chat, *robot_text(text))

    async def _robot_send(self, chat: ChatRef, msg_key: str, msg_param: str) -> None:
        body = {"robotCode": self.robot_code, "msgKey": msg_key, "msgParam": msg_param}
        if chat.kind is not ChatKind.PRIVATE:
            await self._openapi("/v1.0/robot/groupMessages/send", {**body, "openConversationId": chat.chat_id})
            return
        try:
            answer = await self._openapi("/v1.0/robot/oToMessages/batchSend", {**body, "userIds": [chat.chat_id]})
        except DingTalkApiError as error:
            if error.status in (400, 404) and "staff" in str(error.code).lower():
                raise PrivateChatUnavailable(chat.chat_id) from error
            raise
        if chat.chat_id in (answer.get("invalidStaffIdList") or []):
            raise PrivateChatUnavailable(chat.chat_id)

    async def _file_message(self, file: OutgoingFile) -> tuple[str, str]:
        if file.content is None:
            raise FileUnavailable("dingtalk cannot send a file by reference; its bytes are needed")
        if file.mime_type in IMAGE_TYPES:
            return robot_image(await self._upload(file, "image"))
        return robot_file(await self._upload(file, "file"), file.file_name)

    async def _upload(self, file: OutgoingFile, kind: str) -> str:
        for attempt in range(2):
            token = await self._token()
            form = aiohttp.FormData(quote_fields=False)
            name = "".join("_" if ch in '"\\\r\n' else ch for ch in file.file_name) or "file"
            form.add_field("media", file.content or b"", filename=name, content_type=file.mime_type)
            status, answer = await self._request(
                "POST", self.oapi_base + "/media/upload", params={"access_token": token, "type": kind}, data=form)
            errcode = answer.get("errcode", 0 if status == 200 else -status)
            if errcode in TOKEN_ERRORS and attempt == 0:
                self._forget_token(token)
                continue
            if errcode or not answer.get("media_id"):
                raise DingTalkApiError(status, errcode, answer.get("errmsg", "upload failed"))
            return answer["media_id"]
        raise AssertionError("unreachable")

    async def download(self, attachment: Attachment, max_bytes: int) -> bytes:
        if attachment.size is not None and attachment.size > max_bytes:
            raise FileUnavailable(f"file is {attachment.size} bytes, more than {max_bytes}")
        try:
            answer = await self._openapi("/v1.0/robot/messageFiles/download",
                                         {"downloadCode": attachment.file_ref, "robotCode": self.robot_code})
            url = answer.get("downloadUrl")
            if not url:
                raise FileUnavailable("dingtalk gave no download url")
            async with self._http().get(url) as response:
                if response.status != 200:
                    raise FileUnavailable(f"dingtalk file download HTTP {response.status}")
                if response.content_length is not None and response.content_length > max_bytes:
                    raise FileUnavailable(f"file is {response.content_length} bytes, more than {max_bytes}")
                content = await response.content.read(max_bytes + 1)
        except (aiohttp.ClientError, DingTalkApiError) as error:
            raise FileUnavailable(f"dingtalk could not hand over the file: {error}") from error
        if len(content) > max_bytes:
            raise FileUnavailable(f"file is more than {max_bytes} bytes")
        return content

    # --- HTTP and the access token ------------------------------------------------------------------
    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._session

    async def _request(self, method: str, url: str, *, json_body: dict | None = None, params: dict | None = None,
                       data: aiohttp.FormData | None = None, headers: dict | None = None) -> tuple[int, dict]:
        async with self._http().request(method, url, json=json_body, params=params, data=data,
                                        headers=headers) as response:
            raw = await response.read()
        try:
            answer = json.loads(raw) if raw else {}
        except ValueError:
            answer = {}
        return response.status, answer if isinstance(answer, dict) else {}

    async def _openapi(self, path: str, body: dict) -> dict:
        """Call the new API with the cached token, fetched again once if DingTalk calls it invalid."""
        for attempt in range(2):
            token = await self._token()
            status, answer = await self._request("POST", self.api_base + path, json_body=body,
                                                 headers={"x-acs-dingtalk-access-token": token})
            if status == 401 and attempt == 0:
                log.info("dingtalk access token refused, fetching a new one")
                self._forget_token(token)
                continue
            if status in (403, 429) and "limit" in str(answer.get("code", "")).lower():
                raise RateLimited(FLOOD_WAIT_S)
            if status != 200:
                raise DingTalkApiError(status, answer.get("code"), answer.get("message", ""))
            return answer
        raise AssertionError("unreachable")

    def _forget_token(self, token: str) -> None:
        if self._token_value == token:
            self._token_value = None

    async def _token(self) -> str:
        async with self._token_lock:
            if self._token_value is not None and self.clock() < self._token_expires:
                return self._token_value
            status, answer = await self._request(
                "POST", self.api_base + "/v1.0/oauth2/accessToken",
                json_body={"appKey": self.client_id, "appSecret": self.client_secret})
            if status != 200 or not answer.get("accessToken"):
                raise DingTalkApiError(status, answer.get("code"), answer.get("message", "no accessToken"))
            expires_in = float(answer.get("expireIn", 7200))
            self._token_value = answer["accessToken"]
            self._token_expires = self.clock() + max(expires_in - TOKEN_MARGIN_S, expires_in / 2)
            return self._token_value
