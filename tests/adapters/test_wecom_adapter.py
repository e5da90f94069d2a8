"""The WeCom adapter alone: callback crypto, the callback server, and sends to the fake WeCom API."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest

from bot.adapters import wecom_crypto
from bot.ops.platforms import make_adapter
from bot.kernel.adapter import FileUnavailable, PrivateChatUnavailable
from bot.adapters.wecom import WeComAdapter, WeComApiError
from bot.adapters.wecom_messages import split_bytes
from bot.ops.config import Settings
from bot.kernel.messages import (
    Attachment,
    AttachmentKind,
    ChatKind,
    ChatRef,
    IncomingMessage,
    OutgoingFile,
    OutgoingMessage,
    Sender,
)
from tests.fakes.wecom import AES_KEY, CORP_ID, TOKEN, FakeWeCom, file_xml, image_xml, text_xml
from tests.support.inbox import Inbox

WANG, ROBOT_CHAT, ROBOT_KEY = "WangFang", "robot:ziyang", "robot-key-1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
NOTICE = "各位老师好，本周研修任务：观看示范课并提交一篇不少于三百字的教学反思。" * 60


@pytest.fixture
async def api() -> AsyncIterator[FakeWeCom]:
    async with FakeWeCom() as fake:
        yield fake


def adapter_for(api: FakeWeCom, **overrides) -> WeComAdapter:
    options = {"port": 0, "api_base": api.base_url, "robot_webhooks": {ROBOT_CHAT: ROBOT_KEY}, **overrides}
    return WeComAdapter(api.corp_id, api.agent_id, api.secret, api.token, api.aes_key, **options)


@pytest.fixture
async def adapter(api: FakeWeCom) -> AsyncIterator[WeComAdapter]:
    adapter = adapter_for(api)
    yield adapter
    await adapter.close()


@asynccontextmanager
async def running(api: FakeWeCom, **overrides) -> AsyncIterator[tuple[WeComAdapter, Inbox]]:
    adapter, inbox = adapter_for(api, **overrides), Inbox()
    task = asyncio.create_task(adapter.run(inbox))
    try:
        await asyncio.wait_for(adapter.ready.wait(), 5)
        yield adapter, inbox
    finally:
        await adapter.stop()
        await asyncio.wait_for(task, 5)


def private(user: str = WANG) -> ChatRef:
    return ChatRef("wecom", user, ChatKind.PRIVATE)


# ---- crypto -------------------------------------------------------------------------------------------


def test_the_official_example_decrypts_and_its_signature_matches():
    """The example of WeCom's "加解密方案说明" page."""
    echostr = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
    assert wecom_crypto.decrypt(AES_KEY, echostr, "wx5823bf96d3bd56c7") == b"1616140317555161061"
    assert wecom_crypto.signature(TOKEN, "1409659589", "263014780", echostr) == "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"


def test_a_fixed_vector_computed_once_with_openssl():
    message = "<xml><Content><![CDATA[研修打卡]]></Content></xml>".encode()
    encrypted = wecom_crypto.encrypt(AES_KEY, message, CORP_ID, random16=b"0123456789abcdef")
    assert encrypted == (
        "sKqRbbiSUnDhFHOvPjtUMQ9mFtz8gE7WftUfmbU8BDKY8RzgziLwUV9YDYHTBTZAuOj0NB4DpFb8KBZCuZjwgM3XtlCRrv97"
        "yVuD/2hyYA20mKCkz19W3lOtNrQWxW6k"
    )
    assert wecom_crypto.decrypt(AES_KEY, encrypted, CORP_ID) == message
    assert wecom_crypto.signature(TOKEN, "1764032400", "9527", encrypted) == "283d0205a37524d9bba333f5db15b8fef1954cd9"


@pytest.mark.parametrize("size", [0, 1, 11, 12, 13, 43, 44, 45, 1000])
def test_round_trip_pads_to_32_byte_blocks(size):
    message = ("研" * size).encode()[:size]
    encrypted = wecom_crypto.encrypt(wecom_crypto.decode_key(AES_KEY), message, CORP_ID)
    assert len(base64.b64decode(encrypted)) % 32 == 0
    assert wecom_crypto.decrypt(AES_KEY, encrypted, CORP_ID) == message


def test_decrypt_refuses_what_is_not_ours():
    encrypted = wecom_crypto.encrypt(AES_KEY, b"<xml/>", CORP_ID, random16=b"0123456789abcdef")
    tampered = bytearray(base64.b64decode(encrypted))
    tampered[-1] ^= 1
    for bad, receive_id in [
        (encrypted, "ww-another-corp"),
        (base64.b64encode(bytes(tampered)).decode(), CORP_ID),
        ("not base64!", CORP_ID),
        (base64.b64encode(b"x" * 20).decode(), CORP_ID),
    ]:
        with pytest.raises(wecom_crypto.CryptoError):
            wecom_crypto.decrypt(AES_KEY, bad, receive_id)


def test_split_bytes_keeps_every_piece_within_the_byte_limit():
    pieces = split_bytes(NOTICE, 2048)
    assert len(pieces) > 1 and all(len(p.encode()) <= 2048 for p in pieces)
    assert "".join(pieces) == NOTICE and all(p.endswith("。") for p in pieces)
    emoji = split_bytes("👍" * 1000, 2048)
    assert [len(p) for p in emoji] == [512, 488]
    assert split_bytes("短", 2048) == ["短"] and split_bytes("", 2048) == [""]


# ---- callbacks ----------------------------------------------------------------------------------------


async def test_url_verification_answers_the_plaintext_and_refuses_a_bad_signature(api):
    async with running(api) as (adapter, _inbox):
        assert await api.verify_url(adapter.callback_url, "1616140317555161061") == (200, "1616140317555161061")
        forged = {"msg_signature": "0" * 40, "timestamp": str(int(time.time())), "nonce": "1"}
        status, _ = await api.verify_url(adapter.callback_url, "1616140317555161061", params=forged)
        assert status == 403


async def test_a_signed_text_callback_reaches_on_message(api):
    async with running(api) as (adapter, inbox):
        status, body = await api.post_callback(adapter.callback_url, text_xml(WANG, "/join 王芳", "7001"))
        assert (status, body) == (200, "success")
        [message] = await inbox.wait_for(1)
    assert message == IncomingMessage(
        chat=private(), sender=Sender(WANG), message_id="7001", text="/join 王芳",
        sent_at=datetime.fromtimestamp(1764032400, UTC),
    )
    assert message.is_private and message.platform == "wecom"


async def test_an_appchat_message_comes_from_the_group(api):
    async with running(api) as (adapter, inbox):
        await api.post_callback(adapter.callback_url, text_xml(WANG, "/checkin", "7002", chat_id="wrkSFfCgAA"))
        [message] = await inbox.wait_for(1)
    assert message.chat == ChatRef("wecom", "appchat:wrkSFfCgAA", ChatKind.GROUP)
    assert message.sender.user_id == WANG and not message.is_private


async def test_image_and_file_callbacks_become_downloadable_attachments(api):
    photo = api.add_media(b"\xff\xd8jpeg-bytes", "image/jpeg")
    roster = api.add_media("姓名,学校\n王芳,紫阳县第二小学\n".encode(), "text/csv", "名单.csv")
    async with running(api) as (adapter, inbox):
        await api.post_callback(adapter.callback_url, image_xml(WANG, photo, "7003"))
        await api.post_callback(adapter.callback_url, file_xml(WANG, roster, "名单.csv", "7004"))
        image, document = await inbox.wait_for(2)
        assert image.attachments == (Attachment(AttachmentKind.PHOTO, photo, None, "image/jpeg"),)
        assert document.attachments == (Attachment(AttachmentKind.DOCUMENT, roster, "名单.csv", "text/csv"),)
        assert await adapter.download(image.attachments[0], 1024) == b"\xff\xd8jpeg-bytes"
        assert (await adapter.download(document.attachments[0], 1024)).decode().startswith("姓名")
        with pytest.raises(FileUnavailable):
            await adapter.download(document.attachments[0], 10)
        with pytest.raises(FileUnavailable):
            await adapter.download(Attachment(AttachmentKind.PHOTO, "media-unknown"), 1024)


async def test_forged_unsigned_tampered_and_stale_callbacks_are_refused(api):
    async with running(api) as (adapter, inbox):
        url, xml = adapter.callback_url, text_xml(WANG, "/leave", "7100")
        encrypted = api.encrypt(xml)
        forged = {**api.signed_params(encrypted), "msg_signature": "f" * 40}
        attempts = [
            await api.post_callback(url, xml, params=forged),
            await api.post_callback(url, xml, params={}),
            # Signed, but the ciphertext swapped for another one after signing.
            await api.post_callback(url, xml, body=api.envelope(api.encrypt(text_xml(WANG, "/admin", "7101"))),
                                    params=api.signed_params(encrypted)),
            await api.post_callback(url, xml, timestamp=int(time.time()) - 3600),
            await api.post_callback(url, xml, receive_id="ww-another-corp"),
        ]
        assert [status for status, _ in attempts] == [403] * 5
        await api.post_callback(url, text_xml(WANG, "/help", "7102"))
        messages = await inbox.wait_for(1)
        await asyncio.sleep(0.05)
    assert [m.message_id for m in messages] == ["7102"]


async def test_xml_with_entity_declarations_is_refused(api):
    bomb = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    xxe = '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    async with running(api) as (adapter, inbox):
        url = adapter.callback_url
        inner = xxe + text_xml(WANG, "&x;", "7200").replace("<![CDATA[&x;]]>", "&x;")
        encrypted = api.encrypt(text_xml(WANG, "/help", "7201"))
        outer = bomb + api.envelope(encrypted).replace("<xml>", "<xml><b>&b;</b>", 1)
        assert (await api.post_callback(url, inner))[0] == 400
        assert (await api.post_callback(url, body=outer, params=api.signed_params(encrypted)))[0] == 400
        await asyncio.sleep(0.05)
    assert inbox.messages == []


async def test_a_retried_callback_keeps_its_message_id_and_chat_order(api):
    async with running(api) as (adapter, inbox):
        for msg_id in ("7300", "7300", "7301"):
            assert (await api.post_callback(adapter.callback_url, text_xml(WANG, "/help", msg_id)))[0] == 200
        messages = await inbox.wait_for(3)
    assert [m.message_id for m in messages] == ["7300", "7300", "7301"]


# ---- sending ------------------------------------------------------------------------------------------


async def test_private_and_appchat_text(api, adapter):
    await adapter.send(OutgoingMessage(private(), "欢迎加入研修班"))
    await adapter.send(OutgoingMessage(ChatRef("wecom", "appchat:wrkSFfCgAA"), "今日打卡", mention_user_id=WANG))
    assert api.sent == [
        {"touser": WANG, "msgtype": "text", "agentid": 1000002, "text": {"content": "欢迎加入研修班"}},
        {"chatid": "wrkSFfCgAA", "msgtype": "text", "text": {"content": f"@{WANG} 今日打卡"}},
    ]


async def test_app_text_longer_than_2048_bytes_is_cut_by_bytes(api, adapter):
    await adapter.send(OutgoingMessage(private(), NOTICE))
    contents = [body["text"]["content"] for body in api.sent]
    assert len(contents) > 1 and "".join(contents) == NOTICE


async def test_the_access_token_is_cached_and_renewed_when_wecom_says_it_expired(api, adapter):
    await adapter.send(OutgoingMessage(private(), "一"))
    await adapter.send(OutgoingMessage(private(), "二"))
    assert api.gettoken_calls == 1
    api.expire_tokens()
    await adapter.send(OutgoingMessage(private(), "三"))
    assert api.gettoken_calls == 2
    assert [body["text"]["content"] for body in api.sent] == ["一", "二", "三"]


async def test_the_access_token_is_renewed_before_expires_in_runs_out(api):
    now = [1000.0]
    adapter = adapter_for(api, clock=lambda: now[0])
    try:
        await adapter.send(OutgoingMessage(private(), "一"))
        now[0] += 7200 - 301
        await adapter.send(OutgoingMessage(private(), "二"))
        assert api.gettoken_calls == 1
        now[0] += 2
        await adapter.send(OutgoingMessage(private(), "三"))
        assert api.gettoken_calls == 2
    finally:
        await adapter.close()


async def test_files_are_uploaded_then_sent_by_media_id(api, adapter):
    workbook = OutgoingFile("研修名单.xlsx", b"PK\x03\x04workbook", mime_type=XLSX)
    await adapter.send(OutgoingMessage(private(), "名单见附件", file=workbook))
    await adapter.send(OutgoingMessage(ChatRef("wecom", "appchat:wrkSFfCgAA"), "", file=OutgoingFile(
        "chart.png", PNG, mime_type="image/png")))
    sheet, chart = api.uploads
    assert (sheet["type"], sheet["file_name"], sheet["content"]) == ("file", "研修名单.xlsx", b"PK\x03\x04workbook")
    assert (chart["type"], chart["content_type"]) == ("image", "image/png")
    assert [(b["msgtype"], b.get(b["msgtype"])) for b in api.sent] == [
        ("text", {"content": "名单见附件"}),
        ("file", {"media_id": sheet["media_id"]}),
        ("image", {"media_id": chart["media_id"]}),
    ]


async def test_a_user_outside_the_visible_range_is_a_private_chat_unavailable(api, adapter):
    api.invisible_users.add("LiMing")
    with pytest.raises(PrivateChatUnavailable):
        await adapter.send(OutgoingMessage(private("LiMing"), "请查收"))
    with pytest.raises(WeComApiError):
        await adapter.send(OutgoingMessage(ChatRef("wecom", "appchat:x"), "", file=OutgoingFile("a", file_ref="nope")))


# ---- group robots -------------------------------------------------------------------------------------


async def test_robot_text_is_split_by_bytes_and_images_go_as_base64(api, adapter):
    robot = ChatRef("wecom", ROBOT_CHAT, ChatKind.GROUP)
    await adapter.send(OutgoingMessage(robot, NOTICE, mention_user_id=WANG))
    await adapter.send(OutgoingMessage(robot, "", file=OutgoingFile("chart.png", PNG, mime_type="image/png")))
    *texts, image = api.robot_sent[ROBOT_KEY]
    contents = [t["text"]["content"] for t in texts]
    assert len(contents) > 1 and all(len(c.encode()) <= 2048 for c in contents) and "".join(contents) == NOTICE
    assert texts[0]["text"]["mentioned_list"] == [WANG] and "mentioned_list" not in texts[1]["text"]
    assert image == {"msgtype": "image", "image": {"base64": base64.b64encode(PNG).decode(),
                                                    "md5": hashlib.md5(PNG).hexdigest()}}
    assert api.sent == [] and api.gettoken_calls == 0


async def test_robot_files_are_uploaded_through_the_robot(api, adapter):
    robot = ChatRef("wecom", ROBOT_CHAT, ChatKind.GROUP)
    await adapter.send(OutgoingMessage(robot, "", file=OutgoingFile("周报.docx", b"docx-bytes")))
    [upload] = api.uploads
    assert api.robot_sent[ROBOT_KEY] == [{"msgtype": "file", "file": {"media_id": upload["media_id"]}}]


async def test_robots_are_paced_to_20_a_minute(api):
    now, waits = [0.0], []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    api.clock = lambda: now[0]
    robot = ChatRef("wecom", ROBOT_CHAT, ChatKind.GROUP)
    paced, unpaced = adapter_for(api, clock=lambda: now[0], sleep=sleep), adapter_for(api, robot_per_minute=None)
    try:
        for n in range(25):
            await paced.send(OutgoingMessage(robot, f"第{n}条"))
        assert len(api.robot_sent[ROBOT_KEY]) == 25 and waits == [60.0]
        with pytest.raises(WeComApiError) as refused:
            for n in range(20):
                await unpaced.send(OutgoingMessage(robot, f"再{n}条"))
        assert refused.value.errcode == 45009
    finally:
        await paced.close()
        await unpaced.close()


def test_make_adapter_builds_the_wecom_adapter():
    settings = Settings(
        _env_file=None, platform="wecom", wecom_corp_id=CORP_ID, wecom_agent_id="1000002", wecom_secret="s",
        wecom_token=TOKEN, wecom_aes_key=AES_KEY, wecom_robot_webhooks=f"{ROBOT_CHAT}={ROBOT_KEY}",
    )
    adapter = make_adapter(settings)
    assert isinstance(adapter, WeComAdapter) and adapter.robots == {ROBOT_CHAT: ROBOT_KEY}
    assert adapter.capabilities.max_text_length * 3 <= 2048 and not adapter.capabilities.can_mention
