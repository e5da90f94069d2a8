"""A fake DingTalk (钉钉) on 127.0.0.1: the Stream gateway, the robot OpenAPI, the old API's media
upload, and session webhooks, with the constraints that shape a robot's life:

* a CALLBACK frame not acknowledged within `ack_timeout` is delivered again (same messageId);
* a session webhook stops working at its expiry time;
* access tokens expire (`expire_tokens`) and are then refused with HTTP 401;
* at most `per_minute` messages a minute reach one conversation (webhook errcode 130101, OpenAPI 403);
* only the app's own credentials open a connection, and each ticket opens one WebSocket once.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any, Self

from aiohttp import WSMsgType, web

CLIENT_ID, CLIENT_SECRET = "dingexampleclientid", "example-client-secret"
BOT_TOPIC = "/v1.0/im/bot/messages/get"


class FakeDingTalk:
    def __init__(self, *, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET,
                 ack_timeout: float = 1.0, per_minute: int | None = 20, webhook_lifetime: float = 5400,
                 token_lifetime: int = 7200, staff: tuple[str, ...] = (),
                 clock: Callable[[], float] = time.time) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.ack_timeout, self.per_minute, self.webhook_lifetime = ack_timeout, per_minute, webhook_lifetime
        self.token_lifetime, self.clock = token_lifetime, clock
        self.staff = set(staff)
        """Staff ids that can get private messages; empty means everyone."""
        self.sent: list[dict] = []
        """Every message that reached a chat: {"chat", "via", "msgtype", "text", "at", "media"}."""
        self.refused: list[dict] = []
        self.token_calls = self.opens = 0
        self.valid_tokens: set[str] = set()
        self.acked: list[str] = []
        self.deliveries: dict[str, int] = defaultdict(int)
        self.uploads: dict[str, tuple[bytes, str, str]] = {}
        self.files: dict[str, bytes] = {}
        self._tickets: set[str] = set()
        self._sessions: dict[str, tuple[dict, float]] = {}  # session -> (conversation, expires at)
        self._times: dict[str, deque[float]] = defaultdict(deque)
        self._pending: dict[str, tuple[dict, asyncio.TimerHandle | None]] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._ids = itertools.count(1)
        self._connected = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def __aenter__(self) -> Self:
        app = web.Application(client_max_size=30 * 1024 * 1024)
        app.router.add_post("/v1.0/gateway/connections/open", self._open)
        app.router.add_get("/stream", self._stream)
        app.router.add_post("/v1.0/oauth2/accessToken", self._access_token)
        app.router.add_post("/v1.0/robot/groupMessages/send", self._group_send)
        app.router.add_post("/v1.0/robot/oToMessages/batchSend", self._private_send)
        app.router.add_post("/v1.0/robot/messageFiles/download", self._download_url)
        app.router.add_get("/files/{code}", self._file)
        app.router.add_post("/media/upload", self._upload)
        app.router.add_post("/robot/sendBySession", self._session_send)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for _frame, timer in self._pending.values():
            if timer is not None:
                timer.cancel()
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def connections(self) -> int:
        return len(self._sockets)

    # --- the Stream gateway -------------------------------------------------------------------------
    async def _open(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("clientId") != self.client_id or body.get("clientSecret") != self.client_secret:
            return web.json_response({"code": "InvalidAuthentication", "message": "bad credentials"}, status=401)
        topics = {item.get("topic") for item in body.get("subscriptions") or []}
        if BOT_TOPIC not in topics:
            return web.json_response({"code": "InvalidParameter", "message": "no subscriptions"}, status=400)
        self.opens += 1
        ticket = f"ticket-{next(self._ids)}"
        self._tickets.add(ticket)
        return web.json_response({"endpoint": f"ws://127.0.0.1:{self.port}/stream", "ticket": ticket})

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            return web.Response(status=403, text="invalid ticket")
        self._tickets.discard(ticket)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        async with self._connected:
            self._connected.notify_all()
        for frame, _timer in list(self._pending.values()):  # unacknowledged callbacks come again
            await self._deliver(frame)
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    self._on_client_frame(json.loads(message.data))
        finally:
            if ws in self._sockets:
                self._sockets.remove(ws)
        return ws

    def _on_client_frame(self, answer: dict) -> None:
        message_id = (answer.get("headers") or {}).get("messageId", "")
        if answer.get("code") == 200 and message_id:
            self.acked.append(message_id)
            _frame, timer = self._pending.pop(message_id, (None, None))
            if timer is not None:
                timer.cancel()

    async def wait_for_connections(self, count: int, timeout: float = 10) -> None:
        async with asyncio.timeout(timeout):
            async with self._connected:
                await self._connected.wait_for(lambda: len(self._sockets) >= count)

    async def _deliver(self, frame: dict) -> None:
        message_id = frame["headers"]["messageId"]
        self.deliveries[message_id] += 1
        old = self._pending.get(message_id, (None, None))[1]
        if old is not None:
            old.cancel()
        loop = asyncio.get_running_loop()
        timer = loop.call_later(self.ack_timeout, lambda: loop.create_task(self._redeliver(message_id)))
        self._pending[message_id] = (frame, timer)
        if self._sockets:
            await self._sockets[-1].send_str(json.dumps(frame, ensure_ascii=False))

    async def _redeliver(self, message_id: str) -> None:
        if message_id in self._pending:
            await self._deliver(self._pending[message_id][0])

    async def push(self, data: dict, topic: str = BOT_TOPIC, kind: str = "CALLBACK") -> str:
        """Send one frame to the connected robot; returns its messageId (the ACK must name it)."""
        message_id = f"frame-{next(self._ids)}"
        frame = {"specVersion": "1.0", "type": kind, "data": json.dumps(data, ensure_ascii=False), "headers": {
            "appId": "app-1", "connectionId": "conn-1", "contentType": "application/json",
            "messageId": message_id, "time": str(int(self.clock() * 1000)), "topic": topic}}
        await self._deliver(frame)
        return message_id

    async def ping(self) -> str:
        """A SYSTEM ping; the robot must echo it back as an ACK."""
        return await self.push({"opaque": "keep"}, topic="ping", kind="SYSTEM")

    async def ask_to_reconnect(self) -> None:
        """The `disconnect` notice DingTalk sends before it rotates a connection, then the close."""
        message_id = f"frame-{next(self._ids)}"
        frame = {"specVersion": "1.0", "type": "SYSTEM", "data": "{}",
                 "headers": {"messageId": message_id, "topic": "disconnect", "contentType": "application/json"}}
        if self._sockets:
            ws = self._sockets[-1]
            await ws.send_str(json.dumps(frame))
            await asyncio.sleep(0.2)
            await ws.close()

    async def drop(self) -> None:
        """Break the connection without a word."""
        for ws in list(self._sockets):
            await ws.close(code=1011)

    # --- robot messages as a member would send them ------------------------------------------------------
    def message(self, user: str, text: str = "", *, conversation: str | None = None, nick: str = "",
                msg_id: str | None = None, picture: bytes | None = None, file: tuple[str, bytes] | None = None,
                webhook_lifetime: float | None = None) -> dict:
        """The `data` of a robot message: in `conversation` (a group, where the robot was @-ed) or private."""
        msg_id = msg_id or f"msg{next(self._ids)}"
        now = self.clock()
        lifetime = self.webhook_lifetime if webhook_lifetime is None else webhook_lifetime
        target = {"group": conversation} if conversation else {"user": user}
        session = f"session-{next(self._ids)}"
        self._sessions[session] = (target, now + lifetime)
        data: dict[str, Any] = {
            "msgId": msg_id, "conversationId": conversation or f"private-{user}",
            "conversationType": "2" if conversation else "1", "conversationTitle": "校本研修群" if conversation else "",
            "senderId": f"$:LWCP_v1:${user}", "senderStaffId": user, "senderNick": nick or user,
            "chatbotUserId": "$:LWCP_v1:$robot", "robotCode": self.client_id, "isInAtList": bool(conversation),
            "createAt": int(now * 1000), "sessionWebhook": f"{self.base_url}/robot/sendBySession?session={session}",
            "sessionWebhookExpiredTime": int((now + lifetime) * 1000), "isAdmin": False,
        }
        if picture is not None:
            code = f"dl-{next(self._ids)}"
            self.files[code] = picture
            data |= {"msgtype": "richText", "content": {"richText": [{"text": text}] if text else []}}
            data["content"]["richText"].append({"type": "picture", "downloadCode": code})
        elif file is not None:
            code = f"dl-{next(self._ids)}"
            self.files[code] = file[1]
            data |= {"msgtype": "file", "content": {"downloadCode": code, "fileName": file[0]}}
        else:
            data |= {"msgtype": "text", "text": {"content": f" {text}" if conversation else text}}
        return data

    def expire_sessions(self) -> None:
        """Every session webhook handed out so far stops working (as after about 90 minutes)."""
        self._sessions = {key: (target, 0.0) for key, (target, _expires) in self._sessions.items()}

    def expire_tokens(self) -> None:
        self.valid_tokens.clear()

    # --- sending --------------------------------------------------------------------------------------
    def _flooded(self, chat: str) -> bool:
        if not self.per_minute:
            return False
        now, times = self.clock(), self._times[chat]
        while times and times[0] <= now - 60:
            times.popleft()
        if len(times) >= self.per_minute:
            return True
        times.append(now)
        return False

    async def _session_send(self, request: web.Request) -> web.Response:
        target, expires = self._sessions.get(request.query.get("session", ""), ({}, 0.0))
        body = await request.json()
        if not target or expires <= self.clock():
            self.refused.append({"via": "session", "reason": "expired", "body": body})
            return web.json_response({"errcode": 300001, "errmsg": "session webhook expired"})
        chat = target.get("group") or target["user"]
        if self._flooded(chat):
            self.refused.append({"via": "session", "reason": "flood", "body": body})
            return web.json_response({"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"})
        kind = body.get("msgtype")
        self.sent.append({"chat": chat, "via": "session", "msgtype": kind,
                          "text": (body.get(kind) or {}).get("content", ""),
                          "at": (body.get("at") or {}).get("atUserIds", []), "media": None})
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _access_token(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("appKey") != self.client_id or body.get("appSecret") != self.client_secret:
            return web.json_response({"code": "invalidClientIdOrSecret", "message": "bad app"}, status=400)
        self.token_calls += 1
        token = f"token-{next(self._ids)}"
        self.valid_tokens.add(token)
        return web.json_response({"accessToken": token, "expireIn": self.token_lifetime})

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("x-acs-dingtalk-access-token", "") in self.valid_tokens

    def _robot_message(self, chat: str, body: dict) -> dict:
        param = json.loads(body.get("msgParam") or "{}")
        kind = body.get("msgKey")
        return {"chat": chat, "via": "openapi", "msgtype": kind, "text": param.get("content", ""), "at": [],
                "media": param.get("photoURL") or param.get("mediaId"), "file_name": param.get("fileName")}

    async def _group_send(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"code": "InvalidAuthentication", "message": "token invalid"}, status=401)
        body = await request.json()
        if body.get("robotCode") != self.client_id or not body.get("openConversationId"):
            return web.json_response({"code": "invalidParameter", "message": "robotCode"}, status=400)
        chat = body["openConversationId"]
        if self._flooded(chat):
            return web.json_response({"code": "Forbidden.AccessDenied.QpsLimit", "message": "flood"}, status=403)
        self.sent.append(self._robot_message(chat, body))
        return web.json_response({"processQueryKey": f"q{next(self._ids)}"})

    async def _private_send(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"code": "InvalidAuthentication", "message": "token invalid"}, status=401)
        body = await request.json()
        invalid = [user for user in body.get("userIds") or [] if self.staff and user not in self.staff]
        for user in body.get("userIds") or []:
            if user not in invalid:
                self.sent.append(self._robot_message(user, body))
        return web.json_response({"processQueryKey": f"q{next(self._ids)}", "invalidStaffIdList": invalid,
                                  "flowControlledStaffIdList": []})

    async def _download_url(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"code": "InvalidAuthentication", "message": "token invalid"}, status=401)
        code = (await request.json()).get("downloadCode", "")
        if code not in self.files:
            return web.json_response({"code": "invalidDownloadCode", "message": "unknown"}, status=400)
        return web.json_response({"downloadUrl": f"{self.base_url}/files/{code}"})

    async def _file(self, request: web.Request) -> web.Response:
        content = self.files.get(request.match_info["code"])
        return web.Response(status=404) if content is None else web.Response(body=content)

    async def _upload(self, request: web.Request) -> web.Response:
        if request.query.get("access_token", "") not in self.valid_tokens:
            return web.json_response({"errcode": 40014, "errmsg": "不合法的access_token"})
        form = await request.post()
        media = form.get("media")
        if media is None or not hasattr(media, "file"):
            return web.json_response({"errcode": 40004, "errmsg": "no media"})
        media_id = f"@media{next(self._ids)}"
        self.uploads[media_id] = (media.file.read(), media.content_type, media.filename)
        return web.json_response({"errcode": 0, "errmsg": "ok", "media_id": media_id,
                                  "type": request.query.get("type")})
