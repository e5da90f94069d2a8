"""A fake OneBot v11 implementation (like NapCat) on 127.0.0.1, speaking the universal WebSocket protocol.

Forward mode: ``await fake.start()`` serves ``fake.ws_url``; the adapter connects with its token.
Reverse mode: ``await fake.connect(adapter_url)`` connects to the adapter as NapCat would.
Either way the test pushes events (``push_group_message``, ``push_private_message``, ``push_event``)
and reads the API calls the adapter made from ``calls``.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import time
from typing import Any, Self

import aiohttp
from aiohttp import web

NOT_FRIEND = {"status": "failed", "retcode": 100, "data": None, "message": "SEND_MSG_API_ERROR",
              "wording": "发送失败，请先添加对方为好友"}


class FakeOneBot:
    def __init__(self, *, self_id: int = 10001, access_token: str | None = "s3cret",
                 heartbeat_interval: float = 30.0) -> None:
        self.self_id, self.access_token, self.heartbeat_interval = self_id, access_token, heartbeat_interval
        self.calls: list[tuple[str, dict, Any]] = []
        """(action, params, echo) of every API call received, in order."""
        self.non_friends: set[int] = set()
        self.held: set[str] = set()
        """Actions left unanswered until `release_held` (to test timeouts, drops and out-of-order answers)."""
        self._held_requests: list[tuple[Any, dict]] = []
        self.files: dict[str, tuple[str, bytes]] = {}
        self.get_file_base64 = False
        """get_file answers with the content as base64 instead of a URL."""
        self.mute_heartbeats = False
        self.rejected = 0
        self.connections = 0
        self.port: int | None = None
        self._message_ids = itertools.count(900001)
        self._ws: web.WebSocketResponse | aiohttp.ClientWebSocketResponse | None = None
        self._connected = asyncio.Event()
        self._changed = asyncio.Event()
        self._tasks: set[asyncio.Task] = set()
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None

    # ---- lifecycle ----

    async def start(self) -> Self:
        app = web.Application()
        app.router.add_get("/files/{file_id:.+}", self._serve_file)
        app.router.add_get("/{tail:.*}", self._accept)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        await self.drop()
        for task in list(self._tasks):
            task.cancel()
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    def file_url(self, file_id: str) -> str:
        return f"http://127.0.0.1:{self.port}/files/{file_id}"

    async def connect(self, url: str, token: str | None = None, **headers: str) -> None:
        """Reverse mode: connect to the adapter as the implementation; raises on a refused handshake."""
        self._client = self._client or aiohttp.ClientSession()
        sent = {"X-Self-ID": str(self.self_id), "X-Client-Role": "Universal", "User-Agent": "OneBot/11",
                **headers}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        ws = await self._client.ws_connect(url, headers=sent)
        self._spawn(self._session(ws))
        await self.wait_connected()

    async def drop(self) -> None:
        """Close the current connection, as a restarting implementation would."""
        if self._ws is not None:
            await self._ws.close()

    async def wait_connected(self, timeout: float = 5) -> None:
        async with asyncio.timeout(timeout):
            await self._connected.wait()

    async def wait_for_connections(self, count: int, timeout: float = 5) -> None:
        await self._wait(lambda: self.connections >= count and self._connected.is_set(), timeout)

    # ---- pushing events ----

    async def push_event(self, event: dict) -> dict:
        event = {"time": int(time.time()), "self_id": self.self_id, **event}
        await self.wait_connected()
        assert self._ws is not None
        await self._ws.send_json(event)
        return event

    async def push_group_message(self, group_id: int, user_id: int, message: list | str, *,
                                 message_id: int | None = None, nickname: str = "王芳", card: str = "",
                                 role: str = "member") -> dict:
        return await self.push_event({
            "post_type": "message", "message_type": "group", "sub_type": "normal",
            "message_id": message_id if message_id is not None else next(self._message_ids),
            "group_id": group_id, "user_id": user_id, "message": message, "raw_message": _raw(message),
            "font": 0, "sender": {"user_id": user_id, "nickname": nickname, "card": card, "role": role},
        })

    async def push_private_message(self, user_id: int, message: list | str, *, message_id: int | None = None,
                                   nickname: str = "王芳") -> dict:
        return await self.push_event({
            "post_type": "message", "message_type": "private", "sub_type": "friend",
            "message_id": message_id if message_id is not None else next(self._message_ids),
            "user_id": user_id, "message": message, "raw_message": _raw(message), "font": 0,
            "sender": {"user_id": user_id, "nickname": nickname},
        })

    async def push_friend_request(self, user_id: int, comment: str = "我是王芳") -> dict:
        return await self.push_event({"post_type": "request", "request_type": "friend", "user_id": user_id,
                                      "comment": comment, "flag": f"flag-{user_id}"})

    async def push_group_increase(self, group_id: int, user_id: int) -> dict:
        return await self.push_event({"post_type": "notice", "notice_type": "group_increase",
                                      "sub_type": "approve", "group_id": group_id, "user_id": user_id,
                                      "operator_id": 0})

    def add_file(self, file_id: str, content: bytes, name: str = "file.bin") -> str:
        """Register a file for get_file and its download URL; returns the URL."""
        self.files[file_id] = (name, content)
        return self.file_url(file_id)

    # ---- reading what the adapter did ----

    def calls_of(self, action: str) -> list[dict]:
        return [params for name, params, _echo in self.calls if name == action]

    async def wait_for_calls(self, action: str, count: int = 1, timeout: float = 5) -> list[dict]:
        await self._wait(lambda: len(self.calls_of(action)) >= count, timeout)
        return self.calls_of(action)

    # ---- protocol ----

    async def _accept(self, request: web.Request) -> web.StreamResponse:
        if self.access_token:
            given = request.headers.get("Authorization", "").removeprefix("Bearer ")
            if given != self.access_token and request.query.get("access_token") != self.access_token:
                self.rejected += 1
                self._notify()
                return web.json_response({"status": "failed", "retcode": 1403}, status=401)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await self._session(ws)
        return ws

    async def _session(self, ws: web.WebSocketResponse | aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self.connections += 1
        self._connected.set()
        self._notify()
        await ws.send_json(self._meta("lifecycle", sub_type="connect"))
        beat = self._spawn(self._heartbeats(ws))
        try:
            async for frame in ws:
                if frame.type is aiohttp.WSMsgType.TEXT:
                    self._spawn(self._answer(ws, frame.json()))
        finally:
            beat.cancel()
            if self._ws is ws:
                self._ws = None
                self._connected.clear()
            self._notify()

    async def _answer(self, ws: Any, request: dict) -> None:
        action, params, echo = request.get("action"), request.get("params") or {}, request.get("echo")
        self.calls.append((action, params, echo))
        self._notify()
        if action in self.held:
            self._held_requests.append((ws, request))
            return
        await self._reply(ws, request)

    async def release_held(self) -> None:
        """Answer the calls that were held back, now."""
        held, self._held_requests = self._held_requests, []
        for ws, request in held:
            await self._reply(ws, request)

    async def _reply(self, ws: Any, request: dict) -> None:
        answer = self._result(request.get("action"), request.get("params") or {})
        if not ws.closed:
            await ws.send_json({**answer, "echo": request.get("echo")})

    def _result(self, action: str, params: dict) -> dict:
        if action == "send_private_msg" and int(params["user_id"]) in self.non_friends:
            return dict(NOT_FRIEND)
        if action in ("send_group_msg", "send_private_msg", "send_msg"):
            return _ok({"message_id": next(self._message_ids)})
        if action in ("upload_group_file", "upload_private_file"):
            return _ok(None)
        if action == "set_friend_add_request":
            return _ok(None)
        if action == "get_login_info":
            return _ok({"user_id": self.self_id, "nickname": "研修助手"})
        if action == "get_file" and params.get("file_id") in self.files:
            name, content = self.files[params["file_id"]]
            found = {"file": f"/napcat/temp/{name}", "file_size": str(len(content)), "file_name": name}
            if self.get_file_base64:
                return _ok({**found, "base64": base64.b64encode(content).decode()})
            return _ok({**found, "url": self.file_url(params["file_id"])})
        if action == "get_file":
            return _failed(1200, "file not found")
        return _failed(1404, "API not found")

    async def _serve_file(self, request: web.Request) -> web.Response:
        found = self.files.get(request.match_info["file_id"])
        if found is None:
            raise web.HTTPNotFound()
        return web.Response(body=found[1], content_type="application/octet-stream")

    async def _heartbeats(self, ws: Any) -> None:
        while not ws.closed:
            await asyncio.sleep(self.heartbeat_interval)
            if not ws.closed and not self.mute_heartbeats:
                await ws.send_json(self._meta("heartbeat", interval=int(self.heartbeat_interval * 1000),
                                              status={"online": True, "good": True}))

    def _meta(self, kind: str, **fields: Any) -> dict:
        return {"time": int(time.time()), "self_id": self.self_id, "post_type": "meta_event",
                "meta_event_type": kind, **fields}

    def _spawn(self, coroutine: Any) -> asyncio.Task:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait(self, done: Any, timeout: float) -> None:
        async with asyncio.timeout(timeout):
            while not done():
                await self._changed.wait()


def _ok(data: Any) -> dict:
    return {"status": "ok", "retcode": 0, "data": data, "message": "", "wording": ""}


def _failed(retcode: int, message: str) -> dict:
    return {"status": "failed", "retcode": retcode, "data": None, "message": message, "wording": ""}


def _raw(message: list | str) -> str:
    """The CQ-code string form of a message, as implementations fill `raw_message`."""
    if isinstance(message, str):
        return message

    def escape(value: Any, comma: bool = False) -> str:
        value = str(value).replace("&", "&amp;").replace("[", "&#91;").replace("]", "&#93;")
        return value.replace(",", "&#44;") if comma else value

    return "".join(
        escape(s["data"]["text"]) if s["type"] == "text"
        else f"[CQ:{s['type']}" + "".join(f",{k}={escape(v, True)}" for k, v in s["data"].items()) + "]"
        for s in message
    )
