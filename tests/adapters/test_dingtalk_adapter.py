"""The DingTalk adapter alone, against the fake DingTalk: Stream frames in and ACKs out, replies by
session webhook or robot OpenAPI, the token cache, files, reconnects, and the platform's limits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest

from bot.ops.platforms import make_adapter
from bot.adapters.dingtalk import DingTalkAdapter
from bot.kernel.adapter import FileUnavailable, PrivateChatUnavailable, RateLimited
from bot.kernel.messages import AttachmentKind, ChatKind, ChatRef, OutgoingFile, OutgoingMessage
from bot.ops.config import ConfigError, Settings, load_settings
from tests.fakes.dingtalk import FakeDingTalk
from tests.support.inbox import Inbox

GROUP = "cidSchoolGroup=="
GROUP_CHAT = ChatRef("dingtalk", GROUP, ChatKind.GROUP)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
async def fake() -> AsyncIterator[FakeDingTalk]:
    async with FakeDingTalk(ack_timeout=0.3) as running:
        yield running


def adapter_for(fake: FakeDingTalk) -> DingTalkAdapter:
    return DingTalkAdapter(fake.client_id, fake.client_secret, api_base=fake.base_url, oapi_base=fake.base_url,
                           backoff_initial=0.05, backoff_max=0.2)


@asynccontextmanager
async def running(fake: FakeDingTalk) -> AsyncIterator[tuple[DingTalkAdapter, Inbox]]:
    adapter, inbox = adapter_for(fake), Inbox()
    task = asyncio.create_task(adapter.run(inbox))
    try:
        await fake.wait_for_connections(1)
        yield adapter, inbox
    finally:
        await adapter.stop()
        await asyncio.wait_for(task, 10)


async def test_group_and_private_messages_arrive_and_every_frame_is_acknowledged(fake):
    async with running(fake) as (adapter, inbox):
        group_frame = await fake.push(fake.message("wangfang", "签到", conversation=GROUP, nick="王芳"))
        private_frame = await fake.push(fake.message("wangfang", "/myfile"))
        ping = await fake.ping()
        group, private = await inbox.wait_for(2)
        await asyncio.sleep(0.5)  # longer than the fake's ACK timeout: nothing may come twice
    assert (group.chat.chat_id, group.chat.kind, group.text) == (GROUP, ChatKind.GROUP, "签到")
    assert not group.mentions_bot  # every robot message in a group @-s it: the @ tells nothing
    assert group.sender.user_id == "wangfang" and group.sender.display_name == "王芳"
    assert group.chat.title == "校本研修群"
    assert (private.chat.chat_id, private.chat.kind, private.text) == ("wangfang", ChatKind.PRIVATE, "/myfile")
    assert {group_frame, private_frame, ping} <= set(fake.acked)
    assert fake.deliveries[group_frame] == 1 and len(inbox.messages) == 2


async def test_the_fake_redelivers_a_callback_nobody_acknowledged(fake):
    """The constraint the adapter's ACKs satisfy: without one, DingTalk delivers the frame again."""
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{fake.base_url}/v1.0/gateway/connections/open", json={
            "clientId": fake.client_id, "clientSecret": fake.client_secret,
            "subscriptions": [{"type": "CALLBACK", "topic": "/v1.0/im/bot/messages/get"}]}) as answer:
            opened = await answer.json()
        async with http.ws_connect(opened["endpoint"], params={"ticket": opened["ticket"]}) as ws:
            frame_id = await fake.push(fake.message("wangfang", "签到", conversation=GROUP))
            first, second = json.loads(await ws.receive_str()), json.loads(await ws.receive_str())
    assert first["headers"]["messageId"] == second["headers"]["messageId"] == frame_id
    assert fake.deliveries[frame_id] >= 2


async def test_a_reply_goes_by_session_webhook_with_a_real_mention(fake):
    async with running(fake) as (adapter, inbox):
        await fake.push(fake.message("wangfang", "签到", conversation=GROUP, nick="王芳"))
        await inbox.wait_for(1)
        await adapter.send(OutgoingMessage(GROUP_CHAT, "请补交反思", mention_user_id="wangfang"))
    [sent] = fake.sent
    assert sent["via"] == "session" and sent["chat"] == GROUP and sent["at"] == ["wangfang"]
    assert sent["text"] == "@wangfang 请补交反思"
    assert fake.token_calls == 0  # a session webhook needs no token


async def test_an_expired_session_webhook_falls_back_to_the_openapi_naming_the_person(fake):
    async with running(fake) as (adapter, inbox):
        await fake.push(fake.message("wangfang", "签到", conversation=GROUP, nick="王芳"))
        await inbox.wait_for(1)
        fake.expire_sessions()  # DingTalk ended it although its stated expiry is still ahead
        await adapter.send(OutgoingMessage(GROUP_CHAT, "请补交反思", mention_user_id="wangfang"))
        await adapter.send(OutgoingMessage(GROUP_CHAT, "第二条"))
    assert [s["via"] for s in fake.sent] == ["openapi", "openapi"]
    assert fake.sent[0]["text"] == "@王芳 请补交反思" and fake.sent[0]["msgtype"] == "sampleText"
    assert len(fake.refused) == 1  # the webhook was tried once, then forgotten


async def test_a_webhook_past_its_stated_expiry_is_not_even_tried(fake):
    async with running(fake) as (adapter, inbox):
        await fake.push(fake.message("wangfang", "签到", conversation=GROUP, webhook_lifetime=30))
        await inbox.wait_for(1)
        await adapter.send(OutgoingMessage(GROUP_CHAT, "你好"))
    assert [s["via"] for s in fake.sent] == ["openapi"] and fake.refused == []


async def test_the_access_token_is_cached_and_fetched_again_when_refused(fake):
    adapter = adapter_for(fake)
    try:
        await adapter.send(OutgoingMessage(GROUP_CHAT, "一"))
        await adapter.send(OutgoingMessage(GROUP_CHAT, "二"))
        assert fake.token_calls == 1
        fake.expire_tokens()
        await adapter.send(OutgoingMessage(GROUP_CHAT, "三"))
    finally:
        await adapter.close()
    assert fake.token_calls == 2 and [s["text"] for s in fake.sent] == ["一", "二", "三"]


async def test_private_messages_go_by_batch_send_and_unknown_staff_are_refused():
    async with FakeDingTalk(staff=("wangfang",)) as fake:
        adapter = adapter_for(fake)
        try:
            await adapter.send(OutgoingMessage(ChatRef("dingtalk", "wangfang", ChatKind.PRIVATE), "你的成绩"))
            with pytest.raises(PrivateChatUnavailable):
                await adapter.send(OutgoingMessage(ChatRef("dingtalk", "stranger", ChatKind.PRIVATE), "你好"))
        finally:
            await adapter.close()
    assert [(s["chat"], s["text"]) for s in fake.sent] == [("wangfang", "你的成绩")]


async def test_pictures_and_files_are_uploaded_then_sent_by_media_id(fake):
    adapter = adapter_for(fake)
    try:
        await adapter.send(OutgoingMessage(GROUP_CHAT, "成绩图", file=OutgoingFile("scores.png", PNG, mime_type="image/png")))
        await adapter.send(OutgoingMessage(GROUP_CHAT, "", file=OutgoingFile("成绩.xlsx", b"PK\x03\x04", mime_type=XLSX)))
        with pytest.raises(FileUnavailable):
            await adapter.send(OutgoingMessage(GROUP_CHAT, "", file=OutgoingFile("x.png", file_ref="@old")))
    finally:
        await adapter.close()
    text, image, document = fake.sent
    assert text["text"] == "成绩图"
    assert image["msgtype"] == "sampleImageMsg" and fake.uploads[image["media"]][0] == PNG
    assert document["msgtype"] == "sampleFile" and document["file_name"] == "成绩.xlsx"
    assert fake.uploads[document["media"]][2] == "成绩.xlsx"


async def test_a_picture_with_words_arrives_as_text_and_photo_and_can_be_downloaded(fake):
    async with running(fake) as (adapter, inbox):
        await fake.push(fake.message("wangfang", "反思：今天的课", conversation=GROUP, picture=PNG))
        await fake.push(fake.message("wangfang", conversation=GROUP, file=("观课记录.docx", b"PK doc")))
        photo_message, file_message = await inbox.wait_for(2)
        assert photo_message.text == "反思：今天的课"
        [photo] = photo_message.attachments
        assert photo.kind is AttachmentKind.PHOTO and await adapter.download(photo, 10_000) == PNG
        [document] = file_message.attachments
        assert document.kind is AttachmentKind.DOCUMENT and document.file_name == "观课记录.docx"
        with pytest.raises(FileUnavailable):
            await adapter.download(photo, 10)


async def test_a_disconnect_notice_and_a_drop_are_followed_by_a_new_connection(fake):
    async with running(fake) as (adapter, inbox):
        await fake.ask_to_reconnect()
        await fake.wait_for_connections(1)
        await asyncio.sleep(0.1)
        await fake.drop()
        await asyncio.sleep(0.3)
        await fake.wait_for_connections(1)
        await fake.push(fake.message("wangfang", "签到", conversation=GROUP))
        await inbox.wait_for(1)
    assert fake.opens >= 3 and adapter.connections >= 3


async def test_wrong_credentials_keep_retrying_without_crashing():
    async with FakeDingTalk() as fake:
        adapter = DingTalkAdapter(fake.client_id, "wrong", api_base=fake.base_url, backoff_initial=0.02,
                                  backoff_max=0.05)
        task = asyncio.create_task(adapter.run(Inbox()))
        await asyncio.sleep(0.3)
        await adapter.stop()
        await asyncio.wait_for(task, 5)
    assert fake.opens == 0 and adapter.connections == 0


async def test_twenty_messages_a_minute_per_group_is_declared_and_the_platform_enforces_it(fake):
    adapter = adapter_for(fake)
    assert adapter.capabilities.messages_per_chat_per_minute == 20
    try:
        for number in range(20):
            await adapter.send(OutgoingMessage(GROUP_CHAT, f"第{number}条"))
        with pytest.raises(RateLimited):
            await adapter.send(OutgoingMessage(GROUP_CHAT, "第21条"))
        await adapter.send(OutgoingMessage(ChatRef("dingtalk", "cidOther==", ChatKind.GROUP), "另一个群"))
    finally:
        await adapter.close()
    assert len(fake.sent) == 21


def test_settings_choose_dingtalk_and_require_its_credentials():
    with pytest.raises(ConfigError, match="YANXIU_DINGTALK_CLIENT_ID"):
        load_settings(_env_file=None, platform="dingtalk")
    settings = Settings(_env_file=None, platform="dingtalk", dingtalk_client_id="id", dingtalk_client_secret="s",
                        dingtalk_api_base="http://127.0.0.1:1")
    adapter = make_adapter(settings)
    assert isinstance(adapter, DingTalkAdapter) and adapter.api_base == "http://127.0.0.1:1"
    assert adapter.oapi_base == "https://oapi.dingtalk.com" and adapter.robot_code == "id"


async def test_delivery_paced_to_the_declared_limit_never_trips_the_platforms():
    """25 messages to one group through Delivery: the pacer waits out the minute instead of failing."""
    from bot.kernel.delivery import Delivery, Pacer

    now = [1_000_000.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    async with FakeDingTalk(clock=lambda: now[0]) as fake:
        adapter = adapter_for(fake)
        delivery = Delivery(adapter)
        caps = adapter.capabilities
        delivery.pacer = Pacer(caps.messages_per_second, caps.messages_per_chat_per_minute,
                               clock=lambda: now[0], sleep=sleep)
        try:
            assert await delivery.deliver([OutgoingMessage(GROUP_CHAT, f"第{n}条") for n in range(25)])
        finally:
            await adapter.close()
    assert len(fake.sent) == 25 and now[0] - 1_000_000.0 >= 60
