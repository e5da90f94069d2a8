"""The WeCom 智能机器人 adapter alone, against the fake: URL verification, encrypted JSON callbacks,
answers in the passive reply or later through response_url, and the group robot for what neither
can carry; alone or beside the self-built application on one listener."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

from bot.ops.platforms import make_adapter
from bot.adapters.wecom_bot import SEPARATOR, WeComBot, WeComBotAdapter, WeComBotCannotSend, WeComPairAdapter
from bot.adapters.wecom_bot_messages import strip_mention
from bot.kernel.adapter import PrivateChatUnavailable
from bot.kernel.messages import ChatKind, ChatRef, IncomingMessage, OutgoingFile, OutgoingMessage
from bot.ops.config import ConfigError, Settings, load_settings
from tests.fakes.wecom import AES_KEY as APP_AES_KEY
from tests.fakes.wecom import FakeWeCom
from tests.fakes.wecom_bot import AES_KEY, TOKEN, FakeWeComBot

GROUP = "wrkSFfCgAAxxschool"
GROUP_CHAT = ChatRef("wecom", f"aibot:{GROUP}", ChatKind.GROUP)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
Handler = Callable[["WeComBotAdapter", IncomingMessage], Awaitable[None]]


async def echo(adapter: WeComBotAdapter, incoming: IncomingMessage) -> None:
    await adapter.send(OutgoingMessage(incoming.chat, f"收到：{incoming.text}"))


@pytest.fixture
async def fake() -> AsyncIterator[FakeWeComBot]:
    async with FakeWeComBot() as running_fake:
        yield running_fake


@asynccontextmanager
async def running(handler: Handler = echo, *, robots: dict[str, str] | None = None, api_base: str = "http://127.0.0.1:9",
                  window: float = 1.0) -> AsyncIterator[tuple[WeComBotAdapter, list[IncomingMessage]]]:
    bot = WeComBot(TOKEN, AES_KEY, api_base=api_base, robot_webhooks=robots, passive_window=window)
    adapter, seen = WeComBotAdapter(bot, port=0), []

    async def on_message(incoming: IncomingMessage) -> None:
        seen.append(incoming)
        await handler(adapter, incoming)

    task = asyncio.create_task(adapter.run(on_message))
    await adapter.ready.wait()
    try:
        yield adapter, seen
    finally:
        await adapter.stop()
        await asyncio.wait_for(task, 10)


def test_the_leading_mention_is_stripped():
    assert strip_mention("@研修助手 签到") == "签到"
    assert strip_mention("@研修助手\u2005反思：今天 @王芳 的课") == "反思：今天 @王芳 的课"


async def test_url_verification_answers_the_echo_and_refuses_a_bad_signature(fake):
    async with running() as (adapter, _seen):
        assert await fake.verify_url(adapter.callback_url, "echo-123") == (200, "echo-123")
        status, _ = await fake.callback(adapter.callback_url, fake.message("WangFang", "签到"),
                                        params={"msg_signature": "0" * 40, "timestamp": "1", "nonce": "2"})
    assert status == 403


async def test_a_group_message_is_answered_in_the_passive_reply(fake):
    async with running() as (adapter, seen):
        status, reply = await fake.callback(adapter.callback_url, fake.message("WangFang", "签到", chat_id=GROUP))
    assert status == 200 and reply["stream"]["content"] == "收到：签到"
    [incoming] = seen
    assert incoming.chat == GROUP_CHAT and not incoming.mentions_bot and incoming.sender.user_id == "WangFang"
    assert fake.sent == [{"chat": f"aibot:{GROUP}", "via": "passive", "text": "收到：签到", "images": []}]


async def test_a_single_chat_is_private_and_several_answers_share_one_reply(fake):
    async def twice(adapter, incoming):
        await adapter.send(OutgoingMessage(incoming.chat, "第一条"))
        await adapter.send(OutgoingMessage(incoming.chat, "图", file=OutgoingFile("s.png", PNG, mime_type="image/png")))

    async with running(twice) as (adapter, seen):
        _, reply = await fake.callback(adapter.callback_url, fake.message("WangFang", "/scores"))
    assert seen[0].chat == ChatRef("wecom", "WangFang", ChatKind.PRIVATE) and seen[0].text == "/scores"
    assert reply["stream"]["content"] == f"第一条{SEPARATOR}图"
    [image] = reply["stream"]["msg_item"]
    assert image["msgtype"] == "image" and image["image"]["md5"]


async def test_a_slow_answer_goes_through_the_response_url_once(fake):
    async def slow(adapter, incoming):
        await asyncio.sleep(0.5)
        await adapter.send(OutgoingMessage(incoming.chat, "慢慢来"))
        await adapter.send(OutgoingMessage(incoming.chat, "第二条"))

    async with running(slow, window=0.1) as (adapter, _seen):
        _, reply = await fake.callback(adapter.callback_url, fake.message("WangFang", "签到", chat_id=GROUP))
        assert reply is None
        for _ in range(100):
            if fake.sent:
                break
            await asyncio.sleep(0.02)
    assert fake.sent == [{"chat": f"aibot:{GROUP}", "via": "response_url", "text": f"慢慢来{SEPARATOR}第二条", "images": []}]


async def test_proactive_sends_use_an_unused_response_url_then_the_group_robot(fake):
    async def silent(adapter, incoming):
        return None

    async with FakeWeCom() as wecom:
        robots = {f"aibot:{GROUP}": "robot-key-1"}
        async with running(silent, robots=robots, api_base=wecom.base_url) as (adapter, _seen):
            assert adapter.capabilities.can_send_unprompted
            await fake.callback(adapter.callback_url, fake.message("WangFang", "收到", chat_id=GROUP))
            await adapter.send(OutgoingMessage(GROUP_CHAT, "⏰ 明天19:00网络研讨"))
            await adapter.send(OutgoingMessage(GROUP_CHAT, "📊 成绩公示", mention_user_id="WangFang"))
            with pytest.raises(WeComBotCannotSend):
                await adapter.send(OutgoingMessage(ChatRef("wecom", "aibot:other", ChatKind.GROUP), "无人可达"))
            with pytest.raises(PrivateChatUnavailable):
                await adapter.send(OutgoingMessage(ChatRef("wecom", "LiSi", ChatKind.PRIVATE), "你好"))
        [robot_text] = wecom.robot_sent["robot-key-1"]
    assert [s["via"] for s in fake.sent] == ["response_url"] and fake.sent[0]["text"] == "⏰ 明天19:00网络研讨"
    assert robot_text["text"] == {"content": "📊 成绩公示", "mentioned_list": ["WangFang"]}


async def test_an_expired_response_url_is_not_used(fake):
    async def silent(adapter, incoming):
        return None

    async with running(silent) as (adapter, _seen):
        await fake.callback(adapter.callback_url, fake.message("WangFang", "收到", chat_id=GROUP))
        fake.expire_response_urls()
        adapter.bot.clock = lambda: 10**9  # an hour and more later
        with pytest.raises(WeComBotCannotSend):
            await adapter.send(OutgoingMessage(GROUP_CHAT, "太晚了"))
    assert fake.sent == [] and fake.refused == []


async def test_a_mixed_message_brings_words_and_a_picture_that_can_be_downloaded(fake):
    async with running() as (adapter, seen):
        await fake.callback(adapter.callback_url, fake.message("WangFang", "反思：今天的课", chat_id=GROUP,
                                                               images=(PNG,)))
        [incoming] = seen
        [photo] = incoming.attachments
        assert incoming.text == "反思：今天的课"
        assert await adapter.download(photo, 10_000) == PNG


async def test_make_adapter_runs_the_bot_alone_or_beside_the_app_on_one_listener(fake):
    alone = make_adapter(Settings(_env_file=None, platform="wecom", wecom_bot_token=TOKEN,
                                  wecom_bot_aes_key=AES_KEY))
    assert isinstance(alone, WeComBotAdapter) and not alone.capabilities.can_send_private
    async with FakeWeCom() as wecom:
        pair = make_adapter(Settings(
            _env_file=None, platform="wecom", wecom_corp_id=wecom.corp_id, wecom_agent_id=wecom.agent_id,
            wecom_secret=wecom.secret, wecom_token=wecom.token, wecom_aes_key=APP_AES_KEY,
            wecom_api_base=wecom.base_url, wecom_bot_token=TOKEN, wecom_bot_aes_key=AES_KEY))
        assert isinstance(pair, WeComPairAdapter) and pair.capabilities.can_send_private
        pair.app_adapter.port = 0  # any free port
        seen: list[IncomingMessage] = []

        async def on_message(incoming):
            seen.append(incoming)
            await pair.send(OutgoingMessage(incoming.chat, "好的"))

        task = asyncio.create_task(pair.run(on_message))
        await pair.ready.wait()
        base = pair.app_adapter.callback_url.removesuffix("/wecom/callback")
        try:
            _, reply = await fake.callback(f"{base}/wecom/bot", fake.message("WangFang", "签到", chat_id=GROUP))
            await pair.send(OutgoingMessage(ChatRef("wecom", "WangFang", ChatKind.PRIVATE), "私信"))
        finally:
            await pair.stop()
            await asyncio.wait_for(task, 10)
    assert reply["stream"]["content"] == "好的" and seen[0].chat == GROUP_CHAT
    assert [body["touser"] for body in wecom.sent] == ["WangFang"]  # private messages go through the app


def test_bot_settings_come_in_pairs():
    with pytest.raises(ConfigError, match="YANXIU_WECOM_BOT"):
        load_settings(_env_file=None, platform="wecom", wecom_bot_token=TOKEN)
    with pytest.raises(ConfigError, match="YANXIU_WECOM_CORP_ID"):
        load_settings(_env_file=None, platform="wecom")


def test_error_60020_names_the_trusted_ip_setting():
    from bot.adapters.wecom import WeComApiError

    assert "企业可信IP" in str(WeComApiError(60020, "not allow to access from your ip"))
    assert "企业可信IP" not in str(WeComApiError(40014, "invalid access_token"))


async def test_the_passive_window_ends_before_wecom_stops_waiting():
    """A passive reply later than WeCom's wait is lost: the adapter's window must be shorter."""
    async with FakeWeComBot(reply_timeout=0.3) as impatient:
        async def slow(adapter, incoming):
            await asyncio.sleep(0.5)
            await adapter.send(OutgoingMessage(incoming.chat, "晚了"))

        async with running(slow, window=1.0) as (adapter, _seen):
            status, reply = await impatient.callback(adapter.callback_url, impatient.message("WangFang", "签到"))
        assert (status, reply, impatient.timed_out) == (0, None, 1)
    default = WeComBot(TOKEN, AES_KEY)
    assert default.passive_window < FakeWeComBot().reply_timeout


async def test_a_document_in_an_answer_goes_through_the_group_robot(fake):
    async def export(adapter, incoming):
        await adapter.send(OutgoingMessage(incoming.chat, "台账如下", file=OutgoingFile(
            "台账.xlsx", b"PK\x03\x04", mime_type="application/vnd.ms-excel")))

    async with FakeWeCom() as wecom:
        async with running(export, robots={f"aibot:{GROUP}": "robot-key-1"}, api_base=wecom.base_url) as (adapter, _):
            _, reply = await fake.callback(adapter.callback_url, fake.message("WangFang", "/export", chat_id=GROUP))
            for _ in range(100):
                if wecom.robot_sent["robot-key-1"]:
                    break
                await asyncio.sleep(0.02)
        [robot_file] = wecom.robot_sent["robot-key-1"]
    assert reply["stream"]["content"] == "台账如下" and robot_file["msgtype"] == "file"
