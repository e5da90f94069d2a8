"""One driver per platform for the adapter contract: each starts the whole bot on its adapter,
talks to it through that platform's protocol-faithful fake peer on 127.0.0.1, and reports what
the bot sent back — so one scenario can check every adapter the same way."""

from __future__ import annotations

import asyncio
import io
import queue
import re
from abc import ABC, abstractmethod
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Self

from bot.kernel.adapter import Adapter
from bot.ops.app import Yanxiu, build, prepare_database
from bot.kernel.clock import FixedClock
from bot.ops.config import Settings
from bot.ops.platforms import telegram_adapter
from bot.domain.policy import Checkins, Policy
from storage.models import ChatBinding
from storage.repositories import Repositories
from tests.support.roster import enrol

SCHOOL = "紫阳县第二小学"
MARKER, MARKER_REPLY = "/help help", "/help — "
"""A message whose short, single answer proves that everything before it has been answered."""


@dataclass(frozen=True)
class Seen:
    """What one sent message looked like to the peer."""

    chat: str
    text: str
    has_file: bool = False


class Peer(ABC):
    """A platform seen from outside: users who write, chats that receive."""

    platform: str
    has_connection = False
    """Whether the platform keeps a connection that can drop (and must be resumed)."""

    def __init__(self, database_url: str, clock: FixedClock) -> None:
        self.database_url, self.clock = database_url, clock
        self.app: Yanxiu | None = None
        self._stack = AsyncExitStack()
        self._task: asyncio.Task | None = None

    # --- set-up -------------------------------------------------------------------------
    async def __aenter__(self) -> Self:
        adapter = await self.start_fake()
        settings = Settings(_env_file=None, database_url=self.database_url, **self.settings())
        self.app = build(settings, adapter, clock=self.clock, policy=Policy(checkins=Checkins(acknowledge="reply")))
        await prepare_database(self.app.engine)
        await self._seed()
        self._task = asyncio.create_task(self.app.run())
        await asyncio.sleep(0.3)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.app.adapter.stop()
        try:
            await asyncio.wait_for(self._task, 15)
        finally:
            await self.app.close()
            await self._stack.aclose()

    def settings(self) -> dict:
        return {}

    async def _seed(self) -> None:
        """The roster and the school group's binding, as a program office would have set them up."""
        now = datetime.now(UTC)
        factory = self.app.session_factory
        await enrol(factory, "王芳", SCHOOL, now, account=(self.platform, self.account_of("wang")))
        await enrol(factory, "教研室", SCHOOL, now, roles=("coordinator", "host"),
                    account=(self.platform, self.account_of("office")))
        async with factory() as session, session.begin():
            repos = Repositories(session)
            school = await repos.schools.by_name(SCHOOL)
            school.role = "base"
            await repos.bindings.bind(ChatBinding(
                platform=self.platform, chat_id=self.group_chat_id, scope="school", school_id=school.id,
                workshop_id=None, title="校本研修群", bound_at=now,
            ))

    def account_of(self, user: str) -> str:
        """The platform's user id of a test user, as a roster's account column names it."""
        return user

    @abstractmethod
    async def start_fake(self) -> Adapter:
        """Start the fake peer and return the adapter connected to it."""

    # --- the conversation ------------------------------------------------------------------
    group_chat_id: str
    """The school group's chat id as the bot sees it."""

    @abstractmethod
    async def post(self, user: str, text: str, *, photo: bool = False) -> str:
        """Write `text` in the school group as `user` (with a photo); returns a handle for redelivery."""

    @abstractmethod
    async def redeliver(self, handle: str) -> None:
        """Deliver the same event again, as the platform does after a timeout."""

    @abstractmethod
    def seen(self) -> list[Seen]:
        """Everything the bot sent, in order."""

    async def say(self, user: str, text: str, *, photo: bool = False) -> list[str]:
        """Post and wait until the bot has answered (the marker after it also proves silence)."""
        before = len(self.seen())
        await self.post(user, text, photo=photo)
        await self.post(user, MARKER)
        await self.wait_for(lambda seen: any(s.text.startswith(MARKER_REPLY) for s in seen[before:]))
        answered = self.seen()[before:]
        marker = max(i for i, s in enumerate(answered) if s.text.startswith(MARKER_REPLY))
        return [s.text for s in answered[:marker]]

    async def wait_for(self, condition, timeout: float = 10) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition(self.seen()):
            if loop.time() > deadline:
                raise TimeoutError(f"{self.platform}: not seen; last sent {self.seen()[-3:]}")
            await asyncio.sleep(0.02)

    # --- adversity ---------------------------------------------------------------------------
    async def forged_is_rejected(self) -> bool | None:
        """Send an event without valid credentials; True if refused, None where no such thing exists."""
        return None

    async def drop_connection(self) -> None:
        """Break the connection to the platform (only where `has_connection`)."""


class LineFeed(io.TextIOBase):
    """A stdin the test writes lines into while the console adapter reads them."""

    def __init__(self) -> None:
        self.lines: queue.Queue[str] = queue.Queue()

    def readline(self, *_args) -> str:
        return self.lines.get()

    def isatty(self) -> bool:
        return False


class Transcript(io.StringIO):
    pass


class ConsolePeer(Peer):
    platform = "console"
    group_chat_id = "group"

    async def start_fake(self) -> Adapter:
        from bot.adapters.console import ConsoleAdapter

        self.feed, self.out = LineFeed(), Transcript()
        self.speaker = None
        return ConsoleAdapter(stdin=self.feed, stdout=self.out, interactive=False)

    async def __aexit__(self, *exc: object) -> None:
        self.feed.lines.put("")  # end of input: the console returns
        await super().__aexit__(*exc)

    async def post(self, user: str, text: str, *, photo: bool = False) -> str:
        if user != self.speaker:
            self.feed.lines.put(f":as {user} {user}\n")
            self.speaker = user
        self.feed.lines.put((f":photo {text}" if photo else text) + "\n")
        return text

    async def redeliver(self, handle: str) -> None:
        raise NotImplementedError("a console line is never delivered twice")

    def seen(self) -> list[Seen]:
        found = []
        for block in re.split(r"\n(?=\S+@\S+> )", self.out.getvalue()):
            for reply in re.findall(r"^🤖 \[([^\]]*)\] (.*?)(?=^🤖 |\Z)", block, re.MULTILINE | re.DOTALL):
                where, text = reply
                chat = where.removeprefix("私聊 ") if where.startswith("私聊") else self.group_chat_id
                text = text.rstrip("\n")
                found.append(Seen(chat, re.sub(r"\n   📎 .*$", "", text), "\n   📎 " in text))
        return found


class TelegramPeer(Peer):
    platform = "telegram"
    group_chat_id = "-100123"

    async def start_fake(self) -> Adapter:
        from tests.fakes.telegram_api import FakeBotApi

        self.users: dict[str, int] = {}
        self.api = await self._stack.enter_async_context(FakeBotApi(token="4242:TEST"))
        config = Settings(_env_file=None, telegram_token=self.api.token, telegram_base_url=self.api.base_url)
        adapter = telegram_adapter(config)
        adapter.poll_timeout = 1
        return adapter

    def user_id(self, user: str) -> int:
        return self.users.setdefault(user, 500 + len(self.users))

    def account_of(self, user: str) -> str:
        return str(self.user_id(user))

    async def post(self, user: str, text: str, *, photo: bool = False) -> str:
        from tests.fakes.telegram_api import photo_update, text_message_update

        uid, chat = self.user_id(user), int(self.group_chat_id)
        if photo:
            update = photo_update(chat, uid, caption=text, file_id=f"photo-{len(self.api.sent)}", chat_type="supergroup")
        else:
            update = text_message_update(chat, uid, text, chat_type="supergroup", first_name=user)
        return str(self.api.push_update(update))

    async def redeliver(self, handle: str) -> None:
        self.api.redeliver(int(handle))

    def seen(self) -> list[Seen]:
        return [Seen(str(m["chat_id"]), m["text"] or "", bool(m["document"] or m["photo"])) for m in self.api.sent]


class TelegramWebhookPeer(TelegramPeer):
    """Telegram in webhook mode: updates are POSTed to the bot with the secret token."""

    SECRET = "s3cret-token"

    async def start_fake(self) -> Adapter:
        import socket

        from tests.fakes.telegram_api import FakeBotApi

        self.users, self.updates = {}, {}
        self.api = await self._stack.enter_async_context(FakeBotApi(token="4242:TEST"))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/telegram"
        return telegram_adapter(Settings(
            _env_file=None, telegram_token=self.api.token, telegram_base_url=self.api.base_url,
            telegram_webhook_url=self.url, telegram_webhook_secret=self.SECRET, telegram_webhook_port=port,
        ))

    def _update(self, user: str, text: str, photo: bool = False) -> dict:
        from tests.fakes.telegram_api import photo_update, text_message_update

        chat, uid = int(self.group_chat_id), self.user_id(user)
        if photo:
            return photo_update(chat, uid, caption=text, file_id=f"photo-{len(self.updates)}", chat_type="supergroup")
        return text_message_update(chat, uid, text, chat_type="supergroup", first_name=user)

    async def post(self, user: str, text: str, *, photo: bool = False) -> str:
        update = self._update(user, text, photo)
        assert await self.api.post_to_webhook(update, self.url, self.SECRET) == 200
        self.updates[str(update["update_id"])] = update
        return str(update["update_id"])

    async def redeliver(self, handle: str) -> None:
        assert await self.api.post_to_webhook(self.updates[handle], self.url, self.SECRET) == 200

    async def forged_is_rejected(self) -> bool:
        from tests.fakes.telegram_api import post_to_webhook

        forged = self._update("wang", "签到")
        forged["update_id"] = 999_999
        wrong = await post_to_webhook(forged, self.url, "not-the-secret")
        unsigned = await post_to_webhook(forged, self.url, None)
        return wrong == 403 and unsigned == 403


class WeComPeer(Peer):
    """WeCom: signed, encrypted callbacks in; API calls out, recorded by the fake server.

    A WeCom picture and its words are two messages, so a photo is posted before its text.
    """

    platform = "wecom"
    group_chat_id = "appchat:school-1"

    async def start_fake(self) -> Adapter:
        from bot.adapters.wecom import WeComAdapter
        from tests.fakes.wecom import FakeWeCom

        self.fake = await self._stack.enter_async_context(FakeWeCom())
        self.adapter = WeComAdapter(
            self.fake.corp_id, self.fake.agent_id, self.fake.secret, self.fake.token, self.fake.aes_key,
            port=0, api_base=self.fake.base_url,
        )
        self.bodies: dict[str, str] = {}
        self.message_ids = 7_000_000
        return self.adapter

    async def post(self, user: str, text: str, *, photo: bool = False) -> str:
        from tests.fakes.wecom import image_xml, text_xml

        await self.adapter.ready.wait()
        if photo:
            media = self.fake.add_media(b"\\xff\\xd8 photo", "image/jpeg", "photo.jpg")
            await self._callback(image_xml(user, media, self._next_id(), ChatId="school-1"))
        handle = self._next_id()
        await self._callback(text_xml(user, text, handle, chat_id="school-1"), handle)
        return handle

    def _next_id(self) -> str:
        self.message_ids += 1
        return str(self.message_ids)

    async def _callback(self, inner: str, handle: str | None = None) -> None:
        if handle is not None:
            self.bodies[handle] = inner
        status, _ = await self.fake.post_callback(self.adapter.callback_url, inner)
        assert status == 200

    async def redeliver(self, handle: str) -> None:
        await self._callback(self.bodies[handle])

    def seen(self) -> list[Seen]:
        found = []
        for body in self.fake.sent:
            chat = f"appchat:{body['chatid']}" if "chatid" in body else body.get("touser", "")
            text = body.get("text", {}).get("content", "")
            found.append(Seen(chat, text, body.get("msgtype") in ("image", "file")))
        return found

    async def forged_is_rejected(self) -> bool:
        from tests.fakes.wecom import text_xml

        await self.adapter.ready.wait()
        forged = text_xml("wang", "签到", "666", chat_id="school-1")
        bad, _ = await self.fake.post_callback(self.adapter.callback_url, forged,
                                               params={"msg_signature": "0" * 40, "timestamp": "1", "nonce": "2"})
        unsigned, _ = await self.fake.post_callback(self.adapter.callback_url, forged, params={})
        return bad == 403 and unsigned == 403


def _unpaced(adapter: Adapter) -> Adapter:
    """QQ's conservative one-message-a-second pacing (tested on its own) would make each test a minute."""
    adapter.capabilities = replace(adapter.capabilities, messages_per_second=None, messages_per_chat_per_minute=None)
    return adapter


class OneBotPeer(Peer):
    """QQ through OneBot v11: the bot connects to the implementation's WebSocket (forward mode)."""

    platform = "onebot"
    group_chat_id = "group:123"
    has_connection = True
    TOKEN = "s3cret"

    async def start_fake(self) -> Adapter:
        from bot.adapters.onebot import OneBotAdapter
        from tests.fakes.onebot import FakeOneBot

        self.fake = await self._stack.enter_async_context(FakeOneBot(access_token=self.TOKEN))
        self.users: dict[str, int] = {}
        self.adapter = OneBotAdapter(self.fake.ws_url, access_token=self.TOKEN, backoff_initial=0.05, backoff_max=0.2)
        return _unpaced(self.adapter)

    def user_id(self, user: str) -> int:
        return self.users.setdefault(user, 20000 + len(self.users))

    def account_of(self, user: str) -> str:
        return str(self.user_id(user))

    async def post(self, user: str, text: str, *, photo: bool = False) -> str:
        segments = [{"type": "text", "data": {"text": text}}]
        if photo:
            url = self.fake.add_file(f"photo-{len(self.fake.calls)}", b"\xff\xd8 photo", "photo.jpg")
            segments.insert(0, {"type": "image", "data": {"file": "photo.jpg", "url": url}})
        event = await self.fake.push_group_message(123, self.user_id(user), segments, nickname=user)
        self.events = getattr(self, "events", {})
        self.events[str(event["message_id"])] = (user, segments)
        return str(event["message_id"])

    async def redeliver(self, handle: str) -> None:
        user, segments = self.events[handle]
        await self.fake.push_group_message(123, self.user_id(user), segments, message_id=int(handle), nickname=user)

    def seen(self) -> list[Seen]:
        found = []
        for action, params, _echo in list(self.fake.calls):
            if action not in ("send_group_msg", "send_private_msg", "upload_group_file"):
                continue
            chat = f"group:{params['group_id']}" if "group_id" in params else f"private:{params.get('user_id')}"
            message = params.get("message") or []
            text = "".join(s["data"].get("text", "") for s in message if s.get("type") == "text").strip()
            has_file = action == "upload_group_file" or any(s.get("type") == "image" for s in message)
            found.append(Seen(chat, text, has_file))
        return found

    async def drop_connection(self) -> None:
        connections = self.fake.connections
        await self.fake.drop()
        await self.fake.wait_for_connections(connections + 1)


class OneBotReversePeer(OneBotPeer):
    """OneBot v11 in reverse mode: the implementation connects to the bot, with the access token."""

    has_connection = False

    async def start_fake(self) -> Adapter:
        from bot.adapters.onebot import OneBotAdapter
        from tests.fakes.onebot import FakeOneBot

        self.fake = await self._stack.enter_async_context(FakeOneBot(access_token=self.TOKEN))
        self.users = {}
        self.adapter = OneBotAdapter(None, access_token=self.TOKEN, reverse_port=0)
        return _unpaced(self.adapter)

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        await self.fake.connect(self.reverse_url, self.TOKEN)
        return self

    @property
    def reverse_url(self) -> str:
        return f"ws://127.0.0.1:{self.adapter.bound_port}/onebot/v11/ws"

    async def forged_is_rejected(self) -> bool:
        import aiohttp

        async with aiohttp.ClientSession() as session:
            for headers in ({"Authorization": "Bearer forged"}, {}):
                try:
                    async with session.ws_connect(self.reverse_url, headers={"X-Self-ID": "10001", **headers}):
                        return False
                except aiohttp.WSServerHandshakeError as refused:
                    if refused.status != 401:
                        return False
        return True


class DingTalkPeer(Peer):
    """DingTalk in Stream mode: the bot keeps a WebSocket to the gateway; group messages @ the robot.

    The robot's 20-messages-a-minute per group is left on (the conversation stays under it).
    """

    platform = "dingtalk"
    group_chat_id = "cidSchoolGroup=="
    has_connection = True
    PHOTO = b"\x89PNG\r\n\x1a\n photo"

    async def start_fake(self) -> Adapter:
        from bot.adapters.dingtalk import DingTalkAdapter
        from tests.fakes.dingtalk import FakeDingTalk

        self.fake = await self._stack.enter_async_context(FakeDingTalk())
        self.events: dict[str, dict] = {}
        return DingTalkAdapter(self.fake.client_id, self.fake.client_secret, api_base=self.fake.base_url,
                               oapi_base=self.fake.base_url, backoff_initial=0.05, backoff_max=0.2)

    async def post(self, user: str, text: str, *, photo: bool = False) -> str:
        await self.fake.wait_for_connections(1)
        data = self.fake.message(user, text, conversation=self.group_chat_id, nick=user,
                                 picture=self.PHOTO if photo else None)
        self.events[data["msgId"]] = data
        await self.fake.push(data)
        return data["msgId"]

    async def redeliver(self, handle: str) -> None:
        await self.fake.push(self.events[handle])

    def seen(self) -> list[Seen]:
        return [Seen(s["chat"], s["text"], s["msgtype"] in ("sampleImageMsg", "sampleFile")) for s in self.fake.sent]

    async def drop_connection(self) -> None:
        opened = self.fake.opens
        await self.fake.drop()
        await self.wait_until(lambda: self.fake.opens > opened and self.fake.connections >= 1)

    async def wait_until(self, condition, timeout: float = 10) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            if loop.time() > deadline:
                raise TimeoutError(f"{self.platform}: condition not met")
            await asyncio.sleep(0.02)


class WeComBotPeer(Peer):
    """WeCom 智能机器人: members @ it in the group; each answer rides on the callback that asked
    (passive reply), later ones on its response_url, the rest through the group robot bound to the
    same group, as the setup guide asks. Answers sharing one reply are told apart by the separator
    the adapter puts between them."""

    platform = "wecom"
    group_chat_id = "aibot:wrkSchool1"
    PHOTO = b"\xff\xd8 photo"

    async def start_fake(self) -> Adapter:
        from bot.adapters.wecom_bot import WeComBot, WeComBotAdapter
        from tests.fakes.wecom_bot import FakeWeComBot

        from tests.fakes.wecom import FakeWeCom

        self.fake = await self._stack.enter_async_context(FakeWeComBot())
        self.wecom = await self._stack.enter_async_context(FakeWeCom())
        bot = WeComBot(self.fake.token, self.fake.aes_key, api_base=self.wecom.base_url,
                       robot_webhooks={self.group_chat_id: "robot-key-1"})
        self.adapter = WeComBotAdapter(bot, port=0)
        self.events: dict[str, dict] = {}
        return self.adapter

    async def post(self, user: str, text: str, *, photo: bool = False) -> str:
        await self.adapter.ready.wait()
        fields = self.fake.message(user, text, chat_id=self.group_chat_id.removeprefix("aibot:"),
                                   images=(self.PHOTO,) if photo else ())
        self.events[fields["msgid"]] = fields
        status, _ = await self.fake.callback(self.adapter.callback_url, fields)
        assert status == 200
        return fields["msgid"]

    async def redeliver(self, handle: str) -> None:
        status, _ = await self.fake.callback(self.adapter.callback_url, self.events[handle])
        assert status == 200

    def seen(self) -> list[Seen]:
        from bot.adapters.wecom_bot import SEPARATOR

        found = []
        for sent in self.fake.sent:
            found.extend(Seen(sent["chat"], text) for text in sent["text"].split(SEPARATOR) if text)
            found.extend(Seen(sent["chat"], "", True) for _image in sent["images"])
        for body in self.wecom.robot_sent["robot-key-1"]:
            text = (body.get("text") or {}).get("content", "")
            found.append(Seen(self.group_chat_id, text, body.get("msgtype") in ("image", "file")))
        return found

    async def forged_is_rejected(self) -> bool:
        await self.adapter.ready.wait()
        forged = self.fake.message("wang", "签到", chat_id="wrkSchool1")
        bad, _ = await self.fake.callback(self.adapter.callback_url, forged,
                                          params={"msg_signature": "0" * 40, "timestamp": "1", "nonce": "2"})
        unsigned, _ = await self.fake.callback(self.adapter.callback_url, forged, params={})
        return bad == 403 and unsigned == 403
