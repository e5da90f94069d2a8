"""QQ through a OneBot v11 implementation (NapCat, LLOneBot, Lagrange.OneBot) over one WebSocket.

Forward mode connects to the implementation's universal endpoint and reconnects with backoff;
reverse mode serves `/onebot/v11/ws` and lets the implementation connect to us. Either way events
and API calls share the socket, and answers are matched to calls by their `echo`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hmac
import ipaddress
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web

from bot.kernel.adapter import Adapter, Capabilities, FileUnavailable, MessageCallback, PrivateChatUnavailable
from bot.kernel.lanes import ChatLanes
from bot.adapters.onebot_messages import PLATFORM, as_int, segment, to_incoming
from bot.kernel.messages import (
    Attachment,
    ChatKind,
    ChatRef,
    IncomingMessage,
    OutgoingFile,
    OutgoingMessage,
)

log = logging.getLogger("yanxiu.onebot")

REVERSE_PATH = "/onebot/v11/ws"
STRANGER_HINTS = ("friend", "stranger", "temp", "好友", "陌生人", "临时会话", "无法获取用户信息", "共同的群")
URL_PREFIXES = ("http://", "https://")
PING_SECONDS = 30  # WebSocket pings, besides OneBot heartbeats (which an implementation may switch off)
_CLOSED = {aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED,
           aiohttp.WSMsgType.ERROR}

Socket = aiohttp.ClientWebSocketResponse | web.WebSocketResponse


class OneBotError(Exception):
    """An API call did not succeed: no connection, no answer in time, or a failed answer."""


class OneBotDisconnected(OneBotError, ConnectionError):
    """There is no connection to the OneBot implementation, or it dropped before the answer came."""


class OneBotApiError(OneBotError):
    def __init__(self, action: str, retcode: Any, message: str) -> None:
        super().__init__(f"{action} failed retcode={retcode}: {message}")
        self.action, self.retcode, self.message = action, retcode, message


def _target(chat: ChatRef) -> tuple[str, int | str]:
    """("group" | "private", id) of a chat id written as `group:1`, `private:2`, or bare with its kind."""
    kind, colon, rest = chat.chat_id.partition(":")
    if not (colon and kind in ("group", "private")):
        kind, rest = ("private" if chat.kind is ChatKind.PRIVATE else "group"), chat.chat_id
    return kind, int(rest) if rest.lstrip("-").isdigit() else rest


def is_loopback(host: str) -> bool:
    """Only this machine can connect: 127.0.0.0/8, ::1 or `localhost` (0.0.0.0 and names are not)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[] ")).is_loopback
    except ValueError:
        return False


class OneBotAdapter(Adapter):
    platform = PLATFORM
    capabilities = Capabilities(
        max_text_length=4500, can_send_unprompted=True, can_send_private=True, can_send_files=True,
        can_send_images=True, can_mention=True, messages_per_second=1, messages_per_chat_per_minute=20,
        buttons=False,
    )

    def __init__(
        self, ws_url: str | None = None, *, access_token: str | None = None,
        reverse_listen: str = "127.0.0.1", reverse_port: int | None = None,
        api_timeout: float = 20, upload_timeout: float = 120, download_timeout: float = 60,
        backoff_initial: float = 0.5, backoff_max: float = 30,
    ) -> None:
        if ws_url is None and reverse_port is None:
            raise ValueError("a forward ws_url or a reverse_port is required")
        if reverse_port is not None and not access_token and not is_loopback(reverse_listen):
            raise ValueError("a reverse WebSocket on a non-loopback address needs an access token: "
                             "without one anyone who reaches the port could speak as QQ")
        self.ws_url, self.access_token = ws_url, access_token or None
        self.reverse_listen, self.reverse_port = reverse_listen, reverse_port
        self.reverse = reverse_port is not None
        self.api_timeout, self.upload_timeout = api_timeout, upload_timeout
        self.download_timeout = download_timeout
        self.backoff_initial, self.backoff_max = backoff_initial, backoff_max
        self.self_id: str | None = None
        self.heartbeat_interval: float | None = None  # seconds; three missed heartbeats drop the socket
        self.connected = asyncio.Event()
        self.bound_port: int | None = None  # where reverse mode listens (when asked for port 0)
        self._ws: Socket | None = None
        self._pending: dict[str, asyncio.Future] = {}
        self._lanes: ChatLanes[IncomingMessage] | None = None
        self._stopping = asyncio.Event()
        self._http: aiohttp.ClientSession | None = None
        self.friend_request_wanted: Callable[[str], Awaitable[bool]] | None = None
        """Decides a friend request by QQ number (set by the application; None: leave them all)."""
        self.member_joined: Callable[[ChatRef, str], Awaitable[None]] | None = None
        """Told when someone joins a group the bot is in."""
        self._social: set[asyncio.Task] = set()

    async def run(self, on_message: MessageCallback) -> None:
        self._lanes = ChatLanes(on_message)
        self._http = aiohttp.ClientSession()
        try:
            await (self._run_reverse() if self.reverse else self._run_forward())
        finally:
            await self._lanes.stop(timeout=5)
            await self._http.close()

    async def stop(self) -> None:
        self._stopping.set()
        if self._ws is not None:
            await self._ws.close()

    async def _run_forward(self) -> None:
        assert self.ws_url and self._http
        shown_url, delay = self.ws_url.split("?")[0], self.backoff_initial
        headers = {"Authorization": f"Bearer {self.access_token}"} if self.access_token else {}
        while not self._stopping.is_set():
            try:
                async with self._http.ws_connect(self.ws_url, headers=headers, heartbeat=PING_SECONDS) as ws:
                    delay = self.backoff_initial
                    log.info("onebot connected url=%s", shown_url)
                    await self._serve(ws)
            except aiohttp.WSServerHandshakeError as refused:  # its repr would show our token
                hint = " (check YANXIU_ONEBOT_ACCESS_TOKEN)" if refused.status in (401, 403) else ""
                log.error("onebot refused the connection url=%s status=%s%s", shown_url, refused.status, hint)
            except (aiohttp.ClientError, OSError, TimeoutError) as error:
                log.warning("onebot connection failed url=%s: %s", shown_url, error)
            if self._stopping.is_set():
                break
            log.info("onebot reconnecting in %.1fs", delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)
            delay = min(delay * 2, self.backoff_max)

    async def _run_reverse(self) -> None:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._accept)
        runner = web.AppRunner(app, shutdown_timeout=1)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.reverse_listen, self.reverse_port).start()
            self.bound_port = runner.addresses[0][1]
            log.info("onebot listening ws://%s:%s%s", self.reverse_listen, self.bound_port, REVERSE_PATH)
            await self._stopping.wait()
        finally:
            await runner.cleanup()

    async def _accept(self, request: web.Request) -> web.StreamResponse:
        if not request.path.rstrip("/").endswith("/ws"):
            raise web.HTTPNotFound()
        if not self._authorized(request):
            log.warning("onebot connection refused: bad access token from %s", request.remote)
            raise web.HTTPUnauthorized()
        role = request.headers.get("X-Client-Role", "Universal")
        if role.lower() != "universal":
            raise web.HTTPBadRequest(text=f"only Universal connections are served, not {role}")
        ws = web.WebSocketResponse(heartbeat=PING_SECONDS)
        await ws.prepare(request)
        if self._ws is not None:
            log.info("onebot replacing the previous connection")
            await self._ws.close()
        self.self_id = request.headers.get("X-Self-ID") or self.self_id
        log.info("onebot implementation connected self_id=%s", self.self_id)
        await self._serve(ws)
        return ws

    def _authorized(self, request: web.Request) -> bool:
        if not self.access_token:
            return True
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() not in ("bearer", "token"):
            given = request.query.get("access_token", "")
        return hmac.compare_digest(given.strip().encode(), self.access_token.encode())

    async def _serve(self, ws: Socket) -> None:
        """Read frames until the socket closes, answering calls and queueing message events."""
        self._fail_pending("the connection was replaced")
        self._ws = ws
        self.connected.set()
        try:
            while not self._stopping.is_set():
                timeout = self.heartbeat_interval * 3 if self.heartbeat_interval else None
                try:
                    frame = await ws.receive(timeout=timeout)
                except TimeoutError:
                    log.warning("onebot: no heartbeat for %.0fs, dropping the connection", timeout)
                    break
                if frame.type is aiohttp.WSMsgType.TEXT:
                    self._on_frame(frame.data)
                elif frame.type in _CLOSED:
                    break
        finally:
            if self._ws is ws:
                self._ws = None
                self.connected.clear()
                self._fail_pending("the connection to the OneBot implementation dropped")
            await ws.close()
            log.info("onebot disconnected")

    def _fail_pending(self, reason: str) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(OneBotDisconnected(reason))
        self._pending.clear()

    def _on_frame(self, raw: str) -> None:
        try:
            data = json.loads(raw)
        except ValueError:
            log.warning("onebot: a frame that is not JSON: %.200s", raw)
            return
        if isinstance(data, dict) and "post_type" in data:
            self._on_event(data)
        elif isinstance(data, dict) and "echo" in data:
            future = self._pending.get(str(data["echo"]))
            if future is not None and not future.done():
                future.set_result(data)

    def _on_event(self, event: dict) -> None:
        if event.get("self_id") is not None:
            self.self_id = str(event["self_id"])
        if event.get("post_type") == "meta_event":
            if event.get("meta_event_type") == "lifecycle":
                log.info("onebot lifecycle %s self_id=%s", event.get("sub_type"), self.self_id)
            elif event.get("meta_event_type") == "heartbeat" and as_int(event.get("interval")):
                self.heartbeat_interval = int(event["interval"]) / 1000
            return
        if event.get("post_type") in ("request", "notice"):
            task = asyncio.create_task(self._on_social(event))
            self._social.add(task)
            task.add_done_callback(self._social.discard)
            return
        incoming = to_incoming(event)
        if incoming is None:
            return
        assert self._lanes is not None
        self._lanes.submit(incoming.chat.chat_id, incoming)

    async def _on_social(self, event: dict) -> None:
        """A friend request (accepted when wanted) or a newcomer to a group (passed on)."""
        user_id = str(event.get("user_id", ""))
        try:
            if event.get("request_type") == "friend" and self.friend_request_wanted is not None:
                if await self.friend_request_wanted(user_id):
                    await self.call("set_friend_add_request", {"flag": event.get("flag", ""), "approve": True})
                    log.info("onebot friend request accepted user=%s", user_id)
            elif (event.get("notice_type") == "group_increase" and self.member_joined is not None
                  and user_id != str(event.get("self_id", ""))):
                await self.member_joined(ChatRef(PLATFORM, f"group:{event.get('group_id')}", ChatKind.GROUP), user_id)
        except Exception:  # noqa: BLE001 - a failed greeting must not touch the connection
            log.exception("onebot %s event failed user=%s", event.get("post_type"), user_id)

    async def call(self, action: str, params: dict, timeout: float | None = None) -> Any:
        """Call one API action and return its `data`; raises OneBotError when it did not succeed."""
        ws = self._ws
        if ws is None or ws.closed:
            raise OneBotDisconnected(f"{action}: not connected to the OneBot implementation")
        echo = uuid.uuid4().hex
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._pending[echo] = future
        timeout = timeout or self.api_timeout
        try:
            await ws.send_json({"action": action, "params": params, "echo": echo})
            answer = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise OneBotError(f"{action}: no answer within {timeout:.0f}s") from None
        except (ConnectionError, RuntimeError) as error:
            raise OneBotDisconnected(f"{action}: {error}") from error
        finally:
            self._pending.pop(echo, None)
        if answer.get("status") in ("ok", "async") or answer.get("retcode") in (0, 1):
            return answer.get("data")
        message = str(answer.get("wording") or answer.get("message") or answer.get("msg") or "")
        raise OneBotApiError(action, answer.get("retcode"), message)

    async def send(self, message: OutgoingMessage) -> None:
        kind, target = _target(message.chat)
        file = message.file
        is_image = file is not None and file.mime_type.startswith("image/")
        segments: list[dict] = []
        if message.mention_user_id and kind == "group":
            mentioned = _target(ChatRef(PLATFORM, message.mention_user_id, ChatKind.PRIVATE))[1]
            segments += [segment("at", qq=str(mentioned)), segment("text", text=" ")]
        if message.text:
            segments.append(segment("text", text=message.text))
        if file is not None and is_image:
            segments.append(segment("image", file=_inline(file) or file.file_ref or ""))
        if segments:
            if message.reply_to_message_id:
                segments.insert(0, segment("reply", id=message.reply_to_message_id))
            await self._send_segments(message.chat, kind, target, segments)
        if file is not None and not is_image:
            await self._send_file(message.chat, kind, target, file)

    async def _send_segments(self, chat: ChatRef, kind: str, target: int | str, segments: list[dict]) -> None:
        try:
            key = "group_id" if kind == "group" else "user_id"
            await self.call(f"send_{kind}_msg", {key: target, "message": segments})
        except OneBotApiError as error:
            refused = error.retcode == 100 or any(hint in error.message.lower() for hint in STRANGER_HINTS)
            if kind == "private" and refused:
                raise PrivateChatUnavailable(chat.chat_id) from error
            raise

    async def _send_file(self, chat: ChatRef, kind: str, target: int | str, file: OutgoingFile) -> None:
        """Files go through the NapCat/LLOneBot/Lagrange upload extensions; a refusal becomes a note."""
        key = "group_id" if kind == "group" else "user_id"
        try:
            source = _inline(file) or await self._resolve(file.file_ref or "")
            params = {key: target, "file": source, "name": file.file_name}
            await self.call(f"upload_{kind}_file", params, timeout=self.upload_timeout)
        except OneBotApiError as error:
            log.warning("onebot file upload refused chat=%s file=%s: %s", chat.chat_id, file.file_name, error)
            hint = "，QQ 私聊可能不支持发送文件" if kind == "private" else ""
            note = segment("text", text=f"（文件「{file.file_name}」未能发送{hint}。）")
            await self._send_segments(chat, kind, target, [note])

    async def _resolve(self, ref: str, max_bytes: int | None = None) -> str:
        """A file reference as something an upload or download can use: a URL or base64:// content."""
        if ref.startswith((*URL_PREFIXES, "base64://")):
            return ref
        data = await self.call("get_file", {"file_id": ref}) or {}
        size = as_int(data.get("file_size"))
        if max_bytes is not None and size is not None and size > max_bytes:
            raise FileUnavailable(f"file is {size} bytes, more than {max_bytes}")
        if data.get("base64"):
            return "base64://" + data["base64"]
        if str(data.get("url", "")).startswith(URL_PREFIXES):
            return data["url"]
        raise OneBotApiError("get_file", None, f"neither a URL nor base64 content for {ref!r}")

    async def download(self, attachment: Attachment, max_bytes: int) -> bytes:
        if attachment.size is not None and attachment.size > max_bytes:
            raise FileUnavailable(f"file is {attachment.size} bytes, more than {max_bytes}")
        try:
            source = await self._resolve(attachment.file_ref, max_bytes)
        except OneBotError as error:
            raise FileUnavailable(f"onebot could not hand over {attachment.file_ref}: {error}") from error
        if source.startswith("base64://"):
            try:
                decoded = base64.b64decode(source.removeprefix("base64://"))
            except ValueError as error:
                raise FileUnavailable(f"get_file gave broken base64 for {attachment.file_ref}") from error
            if len(decoded) > max_bytes:
                raise FileUnavailable(f"file is {len(decoded)} bytes, more than {max_bytes}")
            return decoded
        if self._http is None or self._http.closed:
            raise FileUnavailable("the OneBot adapter is not running")
        content = bytearray()
        try:
            timeout = aiohttp.ClientTimeout(total=self.download_timeout)
            async with self._http.get(source, timeout=timeout) as response:
                if response.status != 200:
                    raise FileUnavailable(f"download answered HTTP {response.status}")
                if response.content_length is not None and response.content_length > max_bytes:
                    raise FileUnavailable(f"file is {response.content_length} bytes, more than {max_bytes}")
                async for chunk in response.content.iter_chunked(64 * 1024):
                    content += chunk
                    if len(content) > max_bytes:
                        raise FileUnavailable(f"file is more than {max_bytes} bytes")
        except (aiohttp.ClientError, TimeoutError) as error:
            raise FileUnavailable(f"download failed: {error}") from error
        return bytes(content)


def _inline(file: OutgoingFile) -> str | None:
    return "base64://" + base64.b64encode(file.content).decode() if file.content is not None else None
