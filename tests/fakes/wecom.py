"""A fake WeCom (企业微信) API server on 127.0.0.1, and the WeCom side of our callback URL.

API: gettoken, message/send, appchat/send, media/upload, media/get, webhook/send and
webhook/upload_media, answering like WeCom (HTTP 200 with an errcode). Callbacks: properly signed
and encrypted XML POSTed to the adapter, plus ways to forge them.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any, Self
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from bot.adapters import wecom_crypto

CORP_ID, AGENT_ID, SECRET = "ww5823bf96d3bd56c7", "1000002", "app-secret"
TOKEN, AES_KEY = "QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
TEXT_BYTES, ROBOT_IMAGE_BYTES = 2048, 2 * 1024 * 1024


class FakeWeCom:
    def __init__(self, *, corp_id: str = CORP_ID, agent_id: str = AGENT_ID, secret: str = SECRET,
                 token: str = TOKEN, aes_key: str = AES_KEY, robot_keys: tuple[str, ...] = ("robot-key-1",),
                 robot_limit_per_minute: int = 20, expires_in: int = 7200,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.corp_id, self.agent_id, self.secret, self.token, self.aes_key = corp_id, agent_id, secret, token, aes_key
        self.robot_keys, self.robot_limit, self.expires_in = set(robot_keys), robot_limit_per_minute, expires_in
        self.clock = clock
        self.gettoken_calls = 0
        self.valid_tokens: set[str] = set()
        self.expired_tokens: set[str] = set()
        self.invisible_users: set[str] = set()
        self.sent: list[dict] = []  # message/send and appchat/send bodies, in order
        self.robot_sent: dict[str, list[dict]] = defaultdict(list)
        self.uploads: list[dict] = []
        self.media: dict[str, tuple[bytes, str, str]] = {}  # media_id -> (content, content type, file name)
        self.media_gets: list[str] = []
        self._robot_times: dict[str, deque[float]] = defaultdict(deque)
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def __aenter__(self) -> Self:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        routes = {
            ("GET", "/cgi-bin/gettoken"): self._gettoken, ("POST", "/cgi-bin/message/send"): self._message_send,
            ("POST", "/cgi-bin/appchat/send"): self._appchat_send, ("POST", "/cgi-bin/media/upload"): self._upload,
            ("GET", "/cgi-bin/media/get"): self._media_get, ("POST", "/cgi-bin/webhook/send"): self._robot_send,
            ("POST", "/cgi-bin/webhook/upload_media"): self._robot_upload,
        }
        for (method, path), handler in routes.items():
            app.router.add_route(method, path, handler)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def expire_tokens(self) -> None:
        """Every access_token handed out so far becomes expired (errcode 42001)."""
        self.expired_tokens |= self.valid_tokens
        self.valid_tokens.clear()

    def add_media(self, content: bytes, content_type: str = "image/jpeg", file_name: str = "media.jpg") -> str:
        media_id = f"media-{next(self._ids)}"
        self.media[media_id] = (content, content_type, file_name)
        return media_id

    # ---- the API -----------------------------------------------------------------------------------

    @staticmethod
    def _error(errcode: int, errmsg: str) -> web.Response:
        return web.json_response({"errcode": errcode, "errmsg": errmsg})

    def _token_error(self, request: web.Request) -> web.Response | None:
        token = request.query.get("access_token", "")
        if token in self.expired_tokens:
            return self._error(42001, "access_token expired")
        if token not in self.valid_tokens:
            return self._error(40014, "invalid access_token")
        return None

    async def _gettoken(self, request: web.Request) -> web.Response:
        self.gettoken_calls += 1
        if request.query.get("corpid") != self.corp_id:
            return self._error(40013, "invalid corpid")
        if request.query.get("corpsecret") != self.secret:
            return self._error(40001, "invalid credential")
        token = f"token-{next(self._ids)}"
        self.valid_tokens.add(token)
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": self.expires_in})

    def _content_error(self, body: dict) -> web.Response | None:
        msgtype = body.get("msgtype")
        if msgtype == "text":
            content = body.get("text", {}).get("content", "")
            if not content:
                return self._error(44004, "empty content")
            if len(content.encode()) > TEXT_BYTES:
                return self._error(45002, "content size out of limit")
        elif msgtype in ("image", "file"):
            if body.get(msgtype, {}).get("media_id") not in self.media:
                return self._error(40007, "invalid media_id")
        else:
            return self._error(40008, "invalid message type")
        return None

    async def _message_send(self, request: web.Request) -> web.Response:
        body = await request.json()
        error = self._token_error(request) or self._content_error(body)
        if error:
            return error
        if str(body.get("agentid")) != self.agent_id:
            return self._error(40056, "invalid agentid")
        if body.get("touser") in self.invisible_users:
            return web.json_response({"errcode": 81013, "errmsg": "user & party & tag all invalid",
                                      "invaliduser": body["touser"]})
        self.sent.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": f"msg-{next(self._ids)}"})

    async def _appchat_send(self, request: web.Request) -> web.Response:
        body = await request.json()
        error = self._token_error(request) or self._content_error(body)
        if error:
            return error
        if not body.get("chatid"):
            return self._error(86003, "invalid chatid")
        self.sent.append(body)
        return self._error(0, "ok")

    async def _store_upload(self, request: web.Request, kind: str) -> web.Response:
        form = await request.post()
        media = form.get("media")
        if not isinstance(media, web.FileField):
            return self._error(41005, "media data missing")
        content = media.file.read()
        media_id = self.add_media(content, media.content_type, media.filename)
        self.uploads.append({"type": kind, "file_name": media.filename, "content_type": media.content_type,
                             "content": content, "media_id": media_id})
        return web.json_response({"errcode": 0, "errmsg": "ok", "type": kind, "media_id": media_id,
                                  "created_at": str(int(time.time()))})

    async def _upload(self, request: web.Request) -> web.Response:
        return self._token_error(request) or await self._store_upload(request, request.query.get("type", ""))

    async def _media_get(self, request: web.Request) -> web.Response:
        error = self._token_error(request)
        if error:
            return error
        media_id = request.query.get("media_id", "")
        self.media_gets.append(media_id)
        if media_id not in self.media:
            return self._error(40007, "invalid media_id")
        content, content_type, file_name = self.media[media_id]
        return web.Response(body=content, content_type=content_type,
                            headers={"Content-Disposition": f'attachment; filename="{file_name}"'})

    def _robot_error(self, request: web.Request) -> web.Response | None:
        if request.query.get("key") not in self.robot_keys:
            return self._error(93000, "invalid webhook url")
        return None

    async def _robot_send(self, request: web.Request) -> web.Response:
        error = self._robot_error(request)
        if error:
            return error
        key, body = request.query["key"], await request.json()
        times, now = self._robot_times[key], self.clock()
        while times and times[0] <= now - 60:
            times.popleft()
        if len(times) >= self.robot_limit:
            return self._error(45009, "api freq out of limit")
        if body.get("msgtype") == "image":
            image = body.get("image", {})
            content = base64.b64decode(image.get("base64", ""))
            if len(content) > ROBOT_IMAGE_BYTES:
                return self._error(40009, "invalid image size")
            if hashlib.md5(content).hexdigest() != image.get("md5"):
                return self._error(301019, "media md5 not match")
        elif body.get("msgtype") == "text" and len(body.get("text", {}).get("content", "").encode()) > TEXT_BYTES:
            return self._error(45002, "content size out of limit")
        elif body.get("msgtype") not in ("text", "image", "file"):
            return self._error(40008, "invalid message type")
        times.append(now)
        self.robot_sent[key].append(body)
        return self._error(0, "ok")

    async def _robot_upload(self, request: web.Request) -> web.Response:
        return self._robot_error(request) or await self._store_upload(request, request.query.get("type", ""))

    # ---- callbacks: WeCom calling the adapter ------------------------------------------------------

    def signed_params(self, encrypted: str, timestamp: int | None = None, nonce: str = "1372623149") -> dict:
        timestamp = int(time.time()) if timestamp is None else timestamp
        signature = wecom_crypto.signature(self.token, str(timestamp), nonce, encrypted)
        return {"msg_signature": signature, "timestamp": str(timestamp), "nonce": nonce}

    def encrypt(self, plain: str, receive_id: str | None = None) -> str:
        return wecom_crypto.encrypt(self.aes_key, plain.encode(), self.corp_id if receive_id is None else receive_id)

    def envelope(self, encrypted: str) -> str:
        return (f"<xml><ToUserName>{_cdata(self.corp_id)}</ToUserName><AgentID>{_cdata(self.agent_id)}</AgentID>"
                f"<Encrypt>{_cdata(encrypted)}</Encrypt></xml>")

    async def verify_url(self, url: str, echo: str, *, params: dict | None = None) -> tuple[int, str]:
        """The URL verification GET; `params` replaces the signed query to forge one."""
        echostr = self.encrypt(echo)
        query = {**(self.signed_params(echostr) if params is None else params), "echostr": echostr}
        async with aiohttp.ClientSession() as session, session.get(f"{url}?{urlencode(query)}") as response:
            return response.status, await response.text()

    async def post_callback(self, url: str, inner_xml: str | None = None, *, body: str | None = None,
                            params: dict | None = None, receive_id: str | None = None,
                            timestamp: int | None = None) -> tuple[int, str]:
        """POST `inner_xml` signed and encrypted as WeCom does; `body`/`params` replace the real ones to forge."""
        encrypted = self.encrypt(inner_xml or "", receive_id)
        body = self.envelope(encrypted) if body is None else body
        query = self.signed_params(encrypted, timestamp) if params is None else params
        async with aiohttp.ClientSession() as session, session.post(
            url, params=query, data=body.encode(), headers={"Content-Type": "text/xml"}
        ) as response:
            return response.status, await response.text()


def _cdata(value: Any) -> str:
    return "<![CDATA[" + str(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def callback_xml(msgtype: str, from_user: str, msg_id: str | None, *, create_time: int = 1764032400,
                 agent_id: str = AGENT_ID, to_user: str = CORP_ID, **fields: Any) -> str:
    """The decrypted XML of a message callback; `fields` are the type's own (Content, MediaId, ChatId…)."""
    parts = [f"<ToUserName>{_cdata(to_user)}</ToUserName>", f"<FromUserName>{_cdata(from_user)}</FromUserName>",
             f"<CreateTime>{create_time}</CreateTime>", f"<MsgType>{_cdata(msgtype)}</MsgType>"]
    parts += [f"<{name}>{_cdata(value)}</{name}>" for name, value in fields.items()]
    if msg_id is not None:
        parts.append(f"<MsgId>{msg_id}</MsgId>")
    parts.append(f"<AgentID>{agent_id}</AgentID>")
    return "<xml>" + "".join(parts) + "</xml>"


def text_xml(from_user: str, content: str, msg_id: str, chat_id: str | None = None, **kw: Any) -> str:
    extra = {"ChatId": chat_id} if chat_id else {}
    return callback_xml("text", from_user, msg_id, Content=content, **extra, **kw)


def image_xml(from_user: str, media_id: str, msg_id: str, **kw: Any) -> str:
    return callback_xml("image", from_user, msg_id, PicUrl=f"https://wework.qpic.cn/{media_id}", MediaId=media_id, **kw)


def file_xml(from_user: str, media_id: str, file_name: str, msg_id: str, **kw: Any) -> str:
    return callback_xml("file", from_user, msg_id, MediaId=media_id, FileName=file_name, **kw)
