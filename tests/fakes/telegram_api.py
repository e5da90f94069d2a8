"""A fake Telegram Bot API HTTP server that python-telegram-bot talks to over real HTTP.

Point a bot at it with ``Bot(token, base_url=api.base_url, base_file_url=api.base_file_url)``.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

SEND_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument"})
PER_CHAT_METHODS = SEND_METHODS | {"editmessagetext"}
"""What counts against a group's 20 messages a minute; everything here and reactions count against
the bot's 30 a second (Telegram documents no separate limit for reactions)."""
PACED_METHODS = PER_CHAT_METHODS | {"setmessagereaction"}
STRING_PARAMS = frozenset({
    "text", "caption", "url", "secret_token", "callback_query_id", "file_id", "parse_mode",
    "inline_message_id", "language_code", "ip_address", "photo", "document", "certificate",
})
_incoming_message_ids = itertools.count(1)


class ApiError(Exception):
    """An error answer of the Bot API: HTTP status, description and optional parameters."""

    def __init__(self, code: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters

    def response(self) -> web.Response:
        body = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return web.json_response(body, status=self.code)


@dataclass
class _Queued:
    update: dict
    redelivered: bool = False


def _utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _decode_param(key: str, value: str) -> Any:
    """Form values arrive as strings; non-text ones are JSON encoded (ints, objects, lists)."""
    if key in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class FakeBotApi:
    """In-process Bot API server on 127.0.0.1 with recording and update injection."""

    def __init__(self, token: str = "123:ABC", *, bot_id: int | None = None,
                 username: str = "yanxiu_test_bot", first_name: str = "研修助手",
                 flood_limit_per_chat_per_minute: int | None = None,
                 flood_limit_global_per_second: int | None = None,
                 privacy_mode: bool = False, admin_chats: tuple[int, ...] = (),
                 clock: Callable[[], float] = time.monotonic):
        self.token = token
        prefix = token.split(":", 1)[0]
        self.bot_user = {
            "id": bot_id if bot_id is not None else (int(prefix) if prefix.isdigit() else 1),
            "is_bot": True, "first_name": first_name, "username": username,
            "can_join_groups": True, "can_read_all_group_messages": not privacy_mode,
            "supports_inline_queries": False}
        self.privacy_mode = privacy_mode
        """BotFather's /setprivacy: while on, a group's plain messages never reach the bot, unless it
        is an admin there (`admin_chats`); commands, replies to the bot and @mentions still do. Off by
        default here: the setup guide turns it off, and tests of privacy mode say so explicitly."""
        self.admin_chats = set(admin_chats)
        self.withheld: list[dict] = []
        """Updates Telegram never sent because privacy mode hid them."""
        self.flood_limit_per_chat_per_minute = flood_limit_per_chat_per_minute
        self.flood_limit_global_per_second = flood_limit_global_per_second
        self.clock = clock
        self.calls: list[tuple[str, dict]] = []
        self.sent: list[dict] = []
        self.edited: list[dict] = []
        self.reactions: list[dict] = []
        self.rejected_429 = 0
        self.unreachable_users: set[str] = set()
        self.webhook: dict = {"url": ""}
        self.commands: dict[str, list] = {}
        self.files: dict[str, dict] = {}
        self.downloads: list[str] = []
        self.messages: dict[tuple[Any, int], dict] = {}
        self.chats: dict[Any, dict] = {}
        self.port: int | None = None
        self._queue: list[_Queued] = []
        self._history: dict[int, dict] = {}
        self._next_update_id = 1
        self._next_message_id: dict[Any, int] = {}
        self._poll_generation = 0
        self._changed = asyncio.Event()
        self._closing = False
        self._chat_sends: dict[Any, deque] = {}
        self._global_sends: deque = deque()
        self._runner: web.AppRunner | None = None

    async def start(self) -> FakeBotApi:
        """Bind to a free port on 127.0.0.1 and start serving."""
        app = web.Application(client_max_size=100 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Wake pending long-polls and shut the server down."""
        self._closing = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    def visible(self, update: dict) -> bool:
        """Whether Telegram would deliver this update to the bot at all (privacy mode)."""
        message = update.get("message") or update.get("edited_message")
        if not self.privacy_mode or message is None:
            return True
        chat = message.get("chat") or {}
        if chat.get("type") not in ("group", "supergroup") or chat.get("id") in self.admin_chats:
            return True
        text = message.get("text") or message.get("caption") or ""
        replied = (message.get("reply_to_message") or {}).get("from") or {}
        return (text.startswith("/") or f"@{self.bot_user['username']}".lower() in text.lower()
                or replied.get("id") == self.bot_user["id"])

    def push_update(self, update: dict) -> int:
        """Queue an update for getUpdates (if privacy mode lets it through); assigns a monotonic
        update_id if missing."""
        if not self.visible(update):
            update = self._stamp(update)
            self.withheld.append(update)
            return update["update_id"]
        update = self._stamp(update)
        self._queue.append(_Queued(update))
        self._notify()
        return update["update_id"]

    def redeliver(self, update_id: int) -> None:
        """Queue an already delivered update again, unchanged (at-least-once delivery)."""
        self._queue.append(_Queued(copy.deepcopy(self._history[update_id]), redelivered=True))
        self._notify()

    @property
    def pending_updates(self) -> list[dict]:
        """Updates not yet confirmed by a getUpdates offset."""
        return [q.update for q in self._queue]

    def add_file(self, file_id: str, content: bytes, file_path: str | None = None) -> dict:
        """Register downloadable bytes for getFile and the file URL."""
        info = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_size": len(content),
                "file_path": file_path or f"documents/{file_id}", "content": content}
        self.files[file_id] = info
        return info

    def sent_texts(self, chat_id: Any = None) -> list[str | None]:
        """Text (or caption) of each sent message, optionally for one chat."""
        return [s["text"] for s in self.sent if chat_id is None or s["chat_id"] == chat_id]

    def calls_of(self, method: str) -> list[dict]:
        """Parameters of every call to ``method`` (case-insensitive)."""
        return [p for m, p in self.calls if m.lower() == method.lower()]

    async def wait_for_sent(self, count: int, timeout: float = 5) -> list[dict]:
        """Wait until at least ``count`` messages were sent; return ``api.sent``."""
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.sent) < count:
            event, remaining = self._changed, deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"expected {count} sent messages, got {len(self.sent)}: "
                                   f"{self.sent_texts()!r}")
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass
        return self.sent

    async def post_to_webhook(self, update: dict, url: str | None = None,
                              secret_token: str | None = None) -> int:
        """POST an update to ``url`` (default: the webhook set via setWebhook); return status.

        A missing update_id is stored into ``update`` itself, so posting the same dict again
        is a retry of the same update, as Telegram does after a failed delivery.
        """
        update["update_id"] = self._stamp(update)["update_id"]
        if not self.visible(update):
            self.withheld.append(update)
            return 200  # Telegram never calls the webhook for it; nothing to refuse
        return await post_to_webhook(update, url or self.webhook["url"],
                                     secret_token or self.webhook.get("secret_token"))

    def _stamp(self, update: dict) -> dict:
        update = copy.deepcopy(update)
        update.setdefault("update_id", self._next_update_id)
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        self._history[update["update_id"]] = copy.deepcopy(update)
        for message in filter(None, (update.get("message"), update.get("edited_message"))):
            chat_id = message["chat"]["id"]
            self.chats.setdefault(chat_id, message["chat"])
            self.messages[(chat_id, message["message_id"])] = message
            self._next_message_id[chat_id] = max(self._next_message_id.get(chat_id, 1),
                                                 message["message_id"] + 1)
        return update

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["tail"]
        if path.startswith("file/"):
            prefix = f"file/bot{self.token}/"
            if not path.startswith(prefix):
                return ApiError(401, "Unauthorized").response()
            self.downloads.append(path[len(prefix):])
            for file in self.files.values():
                if file["file_path"] == path[len(prefix):]:
                    return web.Response(body=file["content"],
                                        content_type="application/octet-stream")
            return ApiError(404, "Not Found").response()
        token, _, method = path.removeprefix("bot").partition("/")
        if not path.startswith("bot") or token != self.token:
            return ApiError(401, "Unauthorized").response()
        params = await _read_params(request)
        self.calls.append((method, params))
        handler = getattr(self, f"_m_{method.lower()}", None)
        try:
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            if method.lower() in SEND_METHODS and str(params.get("chat_id")) in self.unreachable_users:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            if method.lower() in PACED_METHODS:
                self._check_flood(params.get("chat_id"), method.lower() in PER_CHAT_METHODS)
            return web.json_response({"ok": True, "result": await handler(params)})
        except ApiError as err:
            self.rejected_429 += err.code == 429
            return err.response()

    def _check_flood(self, chat_id: Any, per_chat: bool = True) -> None:
        now, retry = self.clock(), 0
        per_sec, per_min = self.flood_limit_global_per_second, self.flood_limit_per_chat_per_minute
        chat_q, global_q = self._chat_sends.setdefault(chat_id, deque()), self._global_sends
        while global_q and global_q[0] <= now - 1:
            global_q.popleft()
        while chat_q and chat_q[0] <= now - 60:
            chat_q.popleft()
        if per_sec is not None and len(global_q) >= per_sec:
            retry = max(1, math.ceil(1 - (now - global_q[0])))
        if per_chat and per_min is not None and len(chat_q) >= per_min:
            retry = max(retry, 1, math.ceil(60 - (now - chat_q[0])))
        if retry:
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        global_q.append(now)
        if per_chat:
            chat_q.append(now)

    async def _m_getupdates(self, p: dict) -> list[dict]:
        if self.webhook["url"]:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset, limit = int(p.get("offset") or 0), min(max(int(p.get("limit") or 100), 1), 100)
        if offset < 0:
            self._queue = sorted(self._queue, key=lambda q: q.update["update_id"])[offset:]
        elif offset > 0:
            self._queue = [q for q in self._queue
                           if q.redelivered or q.update["update_id"] >= offset]
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(p.get("timeout") or 0)
        while True:
            event, remaining = self._changed, deadline - loop.time()
            if generation != self._poll_generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; make sure "
                                    "that only one bot instance is running")
            ready = sorted((q for q in self._queue if q.redelivered or offset <= 0
                            or q.update["update_id"] >= offset),
                           key=lambda q: q.update["update_id"])[:limit]
            if ready or self._closing or remaining <= 0:
                break
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass
        for q in ready:
            q.redelivered = False
        return [copy.deepcopy(q.update) for q in ready]

    async def _m_setwebhook(self, p: dict) -> bool:
        if p.get("drop_pending_updates"):
            self._queue.clear()
        self.webhook = {"url": p.get("url") or "", "secret_token": p.get("secret_token"),
                        "drop_pending_updates": bool(p.get("drop_pending_updates")),
                        "allowed_updates": p.get("allowed_updates"),
                        "max_connections": p.get("max_connections") or 40}
        self._notify()
        return True

    async def _m_deletewebhook(self, p: dict) -> bool:
        return await self._m_setwebhook({"drop_pending_updates": p.get("drop_pending_updates")})

    async def _m_getwebhookinfo(self, p: dict) -> dict:
        extra = {k: v for k, v in self.webhook.items()
                 if k in ("max_connections", "allowed_updates") and v and self.webhook["url"]}
        return {"url": self.webhook["url"], "has_custom_certificate": False,
                "pending_update_count": len(self._queue), **extra}

    async def _m_getme(self, p: dict) -> dict:
        return dict(self.bot_user)

    @staticmethod
    def _commands_key(p: dict) -> str:
        return json.dumps([p.get("scope") or {"type": "default"}, p.get("language_code") or ""],
                          sort_keys=True)

    async def _m_setmycommands(self, p: dict) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list) or not all(isinstance(c, dict) for c in commands):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        self.commands[self._commands_key(p)] = commands
        return True

    async def _m_getmycommands(self, p: dict) -> list:
        return self.commands.get(self._commands_key(p), [])

    async def _m_deletemycommands(self, p: dict) -> bool:
        self.commands.pop(self._commands_key(p), None)
        return True

    async def _m_answercallbackquery(self, p: dict) -> bool:
        return True

    async def _m_sendmessage(self, p: dict) -> dict:
        text = p.get("text")
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        if _utf16_len(str(text)) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return self._deliver("sendMessage", p, {"text": str(text)})

    async def _m_sendphoto(self, p: dict) -> dict:
        info, file = self._media(p.get("photo"), "photo")
        size = {k: file[k] for k in ("file_id", "file_unique_id", "file_size") if k in file}
        return self._deliver("sendPhoto", p, {"photo": [{**size, "width": 800, "height": 600}]},
                             photo=info)

    async def _m_senddocument(self, p: dict) -> dict:
        info, file = self._media(p.get("document"), "document")
        doc = {k: file[k] for k in ("file_id", "file_unique_id", "file_size") if k in file}
        doc.update({k: info[k] for k in ("file_name", "mime_type") if info.get(k)})
        return self._deliver("sendDocument", p, {"document": doc}, document=info)

    def _media(self, value: Any, kind: str) -> tuple[dict, dict]:
        """Recorded info and stored file for an uploaded part or a file_id string."""
        if isinstance(value, web.FileField):
            content, file_id = value.file.read(), f"{kind}-{len(self.files) + 1}"
            file = self.add_file(file_id, content, f"{kind}s/{value.filename or file_id}")
            return ({"file_id": file_id, "file_name": value.filename, "content": content,
                     "mime_type": value.content_type}, file)
        if not value or not isinstance(value, str):
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        return {"file_id": value}, self.files.get(
            value, {"file_id": value, "file_unique_id": f"u-{value}"})

    def _deliver(self, method: str, p: dict, body: dict, **media: dict) -> dict:
        chat_id, caption = p.get("chat_id"), p.get("caption")
        if chat_id in (None, ""):
            raise ApiError(400, "Bad Request: chat_id is empty")
        if caption is not None and _utf16_len(str(caption)) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        reply = p.get("reply_parameters")
        reply_to = (reply.get("message_id") if isinstance(reply, dict) else None) or p.get(
            "reply_to_message_id")
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        message = {"message_id": message_id, "date": int(time.time()),
                   "chat": self._chat(chat_id), "from": dict(self.bot_user), **body}
        if caption:
            message["caption"] = str(caption)
        if original := self.messages.get((chat_id, reply_to)):
            message["reply_to_message"] = {k: v for k, v in original.items()
                                           if k != "reply_to_message"}
        markup = p.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self.messages[(chat_id, message_id)] = message
        self.sent.append({
            "method": method, "chat_id": chat_id, "message_id": message_id,
            "text": body.get("text", caption), "caption": caption,
            "reply_to_message_id": reply_to, "parse_mode": p.get("parse_mode"),
            "reply_markup": markup, "document": media.get("document"),
            "photo": media.get("photo"), "params": p, "at": self.clock()})
        self._notify()
        return message

    def _chat(self, chat_id: Any) -> dict:
        if chat_id in self.chats:
            return self.chats[chat_id]
        if not isinstance(chat_id, int):
            return {"id": -1001000000000, "type": "channel", "username": str(chat_id)[1:]}
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": "private" if chat_id > 0 else kind}

    async def _m_editmessagetext(self, p: dict) -> dict | bool:
        text, markup = p.get("text"), p.get("reply_markup")
        message = self.messages.get((p.get("chat_id"), p.get("message_id")))
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        if not p.get("inline_message_id"):
            if message is None:
                raise ApiError(400, "Bad Request: message to edit not found")
            if message.get("text") == text and message.get("reply_markup") == markup:
                raise ApiError(400, "Bad Request: message is not modified: specified new "
                                    "message content and reply markup are exactly the same")
            message.update(text=str(text), edit_date=int(time.time()))
            message.pop("reply_markup", None)
            if isinstance(markup, dict) and "inline_keyboard" in markup:
                message["reply_markup"] = markup
        self.edited.append(p)
        self._notify()
        return True if p.get("inline_message_id") else message

    async def _m_setmessagereaction(self, p: dict) -> bool:
        """An emoji reaction on a message the chat received (the bot's previous one is replaced)."""
        key = (p.get("chat_id"), p.get("message_id"))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to react not found")
        reaction = p.get("reaction") or []
        emoji = [r.get("emoji") for r in reaction if isinstance(r, dict) and r.get("type") == "emoji"]
        if len(emoji) != len(reaction) or len(emoji) > 1:
            raise ApiError(400, "Bad Request: REACTION_INVALID")
        self.reactions.append({"chat_id": key[0], "message_id": key[1], "emoji": emoji[0] if emoji else None,
                               "at": self.clock()})
        self._notify()
        return True

    async def wait_for_reactions(self, count: int, timeout: float = 5) -> list[dict]:
        """Wait until at least ``count`` reactions were set; return ``api.reactions``."""
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.reactions) < count:
            event, remaining = self._changed, deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"expected {count} reactions, got {len(self.reactions)}")
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass
        return self.reactions

    async def _m_editmessagereplymarkup(self, p: dict) -> dict | bool:
        """Replace or (without ``reply_markup``) remove a message's inline keyboard."""
        markup = p.get("reply_markup")
        markup = markup if isinstance(markup, dict) and markup.get("inline_keyboard") else None
        if not p.get("inline_message_id"):
            message = self.messages.get((p.get("chat_id"), p.get("message_id")))
            if message is None:
                raise ApiError(400, "Bad Request: message to edit not found")
            if message.get("reply_markup") == markup:
                raise ApiError(400, "Bad Request: message is not modified: specified new "
                                    "message content and reply markup are exactly the same")
            message.pop("reply_markup", None)
            if markup is not None:
                message["reply_markup"] = markup
            message["edit_date"] = int(time.time())
        self.edited.append(p)
        self._notify()
        return True if p.get("inline_message_id") else message

    async def _m_getfile(self, p: dict) -> dict:
        file = self.files.get(p.get("file_id"))
        if file is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {k: v for k, v in file.items() if k != "content"}


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Collect parameters from the query string and a JSON, urlencoded or multipart body."""
    params: dict[str, Any] = {k: _decode_param(k, v) for k, v in request.query.items()}
    if request.content_type == "application/json" and request.can_read_body:
        params.update(await request.json() or {})
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in (await request.post()).items():
            params[key] = value if isinstance(value, web.FileField) else _decode_param(key, value)
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            params[key] = params.get(value.removeprefix("attach://"), value)
    return params


async def post_to_webhook(update: dict, url: str, secret_token: str | None = None) -> int:
    """POST an update as Telegram does; return the HTTP status of the webhook."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret_token} if secret_token else {}
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json=update, headers=headers) as response:
            return response.status


# ---- update builders ---------------------------------------------------------------------
def _message(chat_id: int, user_id: int, *, message_id: int | None = None,
             chat_type: str = "group", first_name: str = "王芳", username: str | None = None,
             date: int | None = None, chat_title: str | None = None) -> dict:
    user = {"id": user_id, "is_bot": False, "first_name": first_name}
    chat = {"id": chat_id, "type": chat_type}
    chat.update({"first_name": first_name} if chat_type == "private"
                else {"title": chat_title or "研修群"})
    if username:
        user["username"] = username
        if chat_type == "private":
            chat["username"] = username
    return {"message_id": message_id if message_id is not None else next(_incoming_message_ids),
            "date": date if date is not None else int(time.time()), "chat": chat, "from": user}


def _finish(message: dict, text_key: str, text: str | None, edited: bool) -> dict:
    if text is not None:
        message[text_key] = text
        if text.startswith("/") and len(text) > 1:
            entity_key = "entities" if text_key == "text" else "caption_entities"
            message[entity_key] = [{"type": "bot_command", "offset": 0,
                                    "length": _utf16_len(text.split()[0])}]
    if edited:
        message["edit_date"] = message["date"] + 1
        return {"edited_message": message}
    return {"message": message}


def text_message_update(chat_id: int, user_id: int, text: str, *, edited: bool = False,
                        **common: Any) -> dict:
    """A text message update; a leading ``/command`` gets a bot_command entity.

    ``common``: message_id, chat_type ("group", "supergroup", "private"), first_name,
    username, date, chat_title.
    """
    return _finish(_message(chat_id, user_id, **common), "text", text, edited)


def photo_update(chat_id: int, user_id: int, *, caption: str | None = None,
                 file_id: str = "photo-file-1", edited: bool = False, **common: Any) -> dict:
    """A photo message update (one PhotoSize) with an optional caption."""
    message = _message(chat_id, user_id, **common)
    message["photo"] = [{"file_id": file_id, "file_unique_id": f"u-{file_id}",
                         "width": 1280, "height": 960, "file_size": 102400}]
    return _finish(message, "caption", caption, edited)


def document_update(chat_id: int, user_id: int, *, caption: str | None = None,
                    file_id: str = "document-file-1", file_name: str = "教案.pdf",
                    mime_type: str = "application/pdf", file_size: int = 2048,
                    edited: bool = False, **common: Any) -> dict:
    """A document message update with an optional caption."""
    message = _message(chat_id, user_id, **common)
    message["document"] = {"file_id": file_id, "file_unique_id": f"u-{file_id}",
                           "file_name": file_name, "mime_type": mime_type,
                           "file_size": file_size}
    return _finish(message, "caption", caption, edited)


def callback_query_update(chat_id: int, user_id: int, data: str, *, message_id: int,
                          query_id: str | None = None, **common: Any) -> dict:
    """A callback_query update for an inline button on message ``message_id``."""
    message = _message(chat_id, user_id, message_id=message_id, **common)
    user = message.pop("from")
    return {"callback_query": {"id": query_id or f"cbq-{next(_incoming_message_ids)}",
                               "from": user, "message": message,
                               "chat_instance": f"ci-{chat_id}", "data": data}}
