"""A fake WeCom 智能机器人 (API mode) on 127.0.0.1: it POSTs signed, encrypted JSON callbacks to the
adapter, reads the encrypted passive replies, and serves what a callback points at — the one-time
`response_url` (one use, expiring) and the encrypted pictures members sent.

Group robots (the send-only webhooks) are the existing FakeWeCom's.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from typing import Any, Self

import aiohttp
from aiohttp import web
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.adapters import wecom_crypto

TOKEN, AES_KEY = "AiBotT0ken", "kWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
AIBOT_ID = "aibQqDxFa8nM"


def encrypt_file(aes_key: str, content: bytes) -> bytes:
    key = wecom_crypto.decode_key(aes_key)
    pad = 32 - len(content) % 32
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return encryptor.update(content + bytes([pad]) * pad) + encryptor.finalize()


class FakeWeComBot:
    def __init__(self, *, token: str = TOKEN, aes_key: str = AES_KEY, reply_timeout: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.token, self.aes_key, self.clock = token, aes_key, clock
        self.reply_timeout = reply_timeout
        """WeCom stops waiting for a passive reply after about 5 s; a later answer is lost."""
        self.timed_out = 0
        self.sent: list[dict] = []
        """What reached a chat from the bot: {"chat", "via": "passive" | "response_url", "text", "images"}."""
        self.refused: list[dict] = []
        self._urls: dict[str, dict] = {}  # response id -> {"chat", "expires", "used"}
        self._files: dict[str, bytes] = {}
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_post("/response/{id}", self._response)
        app.router.add_get("/files/{id}", self._file)
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

    # --- members writing --------------------------------------------------------------------------
    def message(self, user: str, text: str | None = None, *, chat_id: str | None = None,
                images: tuple[bytes, ...] = (), msg_id: str | None = None, mention: str = "@研修助手") -> dict:
        """A decrypted callback: in a group (the @ left in the text, as WeCom does) or a single chat."""
        response_id = f"r{next(self._ids)}"
        self._urls[response_id] = {"chat": f"aibot:{chat_id}" if chat_id else user,
                                   "expires": self.clock() + 3600, "used": False}
        fields: dict[str, Any] = {
            "msgid": msg_id or f"msg{next(self._ids)}", "aibotid": AIBOT_ID,
            "chattype": "group" if chat_id else "single", "from": {"userid": user},
            "response_url": f"{self.base_url}/response/{response_id}",
        }
        if chat_id:
            fields["chatid"] = chat_id
        if chat_id and text is not None:
            text = f"{mention} {text}"
        items = []
        if text is not None:
            items.append({"msgtype": "text", "text": {"content": text}})
        for image in images:
            file_id = f"f{next(self._ids)}"
            self._files[file_id] = encrypt_file(self.aes_key, image)
            items.append({"msgtype": "image", "image": {"url": f"{self.base_url}/files/{file_id}"}})
        if len(items) == 1:
            fields |= items[0]
        else:
            fields |= {"msgtype": "mixed", "mixed": {"msg_item": items}}
        return fields

    def expire_response_urls(self) -> None:
        for entry in self._urls.values():
            entry["expires"] = 0.0

    def signed(self, encrypted: str, timestamp: int | None = None, nonce: str = "20251125") -> dict:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        return {"msg_signature": wecom_crypto.signature(self.token, stamp, nonce, encrypted),
                "timestamp": stamp, "nonce": nonce}

    async def callback(self, url: str, fields: dict, *, params: dict | None = None) -> tuple[int, dict | None]:
        """POST one callback; returns the HTTP status and the decrypted passive reply (None if empty)."""
        encrypted = wecom_crypto.encrypt(self.aes_key, json.dumps(fields, ensure_ascii=False).encode(), "")
        query = self.signed(encrypted) if params is None else params
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.reply_timeout)) as session:
                async with session.post(url, params=query, json={"encrypt": encrypted}) as response:
                    status, raw = response.status, await response.read()
        except TimeoutError:
            self.timed_out += 1
            return 0, None
        if status != 200 or not raw.strip():
            return status, None
        envelope = json.loads(raw)
        assert wecom_crypto.signature_matches(envelope["msgsignature"], self.token, envelope["timestamp"],
                                              envelope["nonce"], envelope["encrypt"]), "passive reply unsigned"
        reply = json.loads(wecom_crypto.decrypt(self.aes_key, envelope["encrypt"], ""))
        assert reply["msgtype"] == "stream" and reply["stream"]["finish"] is True
        chat = f"aibot:{fields['chatid']}" if fields.get("chattype") == "group" else fields["from"]["userid"]
        images = [item["image"] for item in reply["stream"].get("msg_item", [])]
        self.sent.append({"chat": chat, "via": "passive", "text": reply["stream"]["content"], "images": images})
        return status, reply

    async def verify_url(self, url: str, echo: str) -> tuple[int, str]:
        encrypted = wecom_crypto.encrypt(self.aes_key, echo.encode(), "")
        async with aiohttp.ClientSession() as session:
            async with session.get(url, params={**self.signed(encrypted), "echostr": encrypted}) as response:
                return response.status, await response.text()

    # --- what callbacks point at ---------------------------------------------------------------------
    async def _response(self, request: web.Request) -> web.Response:
        entry = self._urls.get(request.match_info["id"])
        body = await request.json()
        if entry is None or entry["used"] or entry["expires"] <= self.clock():
            self.refused.append(body)
            return web.json_response({"errcode": 93019 if entry else 40008, "errmsg": "response_url invalid"})
        entry["used"] = True
        kind = body.get("msgtype")
        self.sent.append({"chat": entry["chat"], "via": "response_url",
                          "text": (body.get(kind) or {}).get("content", ""), "images": []})
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _file(self, request: web.Request) -> web.Response:
        content = self._files.get(request.match_info["id"])
        return web.Response(status=404) if content is None else web.Response(body=content)
