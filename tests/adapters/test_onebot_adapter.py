"""The OneBot v11 adapter alone (no dispatcher or database), over real WebSockets to a fake implementation."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import aiohttp
import pytest

from bot.ops.platforms import make_adapter
from bot.kernel.adapter import FileUnavailable, PrivateChatUnavailable
from bot.adapters.onebot import OneBotAdapter, OneBotDisconnected, OneBotError
from bot.adapters.onebot_messages import cq_escape, cq_unescape, parse_cq, to_incoming
from bot.ops.config import Settings
from bot.kernel.delivery import Delivery
from bot.kernel.messages import (
    Attachment,
    AttachmentKind,
    ChatKind,
    ChatRef,
    IncomingMessage,
    OutgoingFile,
    OutgoingMessage,
)
from tests.fakes.onebot import FakeOneBot
from tests.support.inbox import Inbox

TOKEN, BOT, GROUP, WANG, LI = "s3cret", 10001, 7654321, 501, 502
GROUP_CHAT = ChatRef("onebot", f"group:{GROUP}", ChatKind.GROUP)
ROSTER = "姓名,学校\n王芳,紫阳二小\n".encode()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def text(value: str) -> dict:
    return {"type": "text", "data": {"text": value}}


def at(qq: int | str) -> dict:
    return {"type": "at", "data": {"qq": str(qq)}}


Running = tuple[OneBotAdapter, Inbox]


@pytest.fixture
async def fake() -> AsyncIterator[FakeOneBot]:
    async with FakeOneBot(self_id=BOT, access_token=TOKEN) as implementation:
        yield implementation


@asynccontextmanager
async def forward(fake: FakeOneBot, token: str | None = TOKEN, **options) -> AsyncIterator[Running]:
    options = {"backoff_initial": 0.02, "backoff_max": 0.1, **options}
    adapter = OneBotAdapter(fake.ws_url, access_token=token, **options)
    inbox = Inbox()
    task = asyncio.create_task(adapter.run(inbox))
    try:
        yield adapter, inbox
    finally:
        await adapter.stop()
        await asyncio.wait_for(task, 5)


@asynccontextmanager
async def connected(fake: FakeOneBot, **options) -> AsyncIterator[Running]:
    async with forward(fake, **options) as (adapter, inbox):
        async with asyncio.timeout(5):
            await adapter.connected.wait()
        yield adapter, inbox


@asynccontextmanager
async def reverse(token: str | None = TOKEN) -> AsyncIterator[tuple[OneBotAdapter, Inbox, str]]:
    adapter = OneBotAdapter(access_token=token, reverse_port=0)
    inbox = Inbox()
    task = asyncio.create_task(adapter.run(inbox))
    try:
        async with asyncio.timeout(5):
            while adapter.bound_port is None:
                await asyncio.sleep(0.01)
        yield adapter, inbox, f"ws://127.0.0.1:{adapter.bound_port}/onebot/v11/ws"
    finally:
        await adapter.stop()
        await asyncio.wait_for(task, 5)


# ---- CQ codes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "text_escaped", "value_escaped"), [
    ("a&b", "a&amp;b", "a&amp;b"),
    ("[1]", "&#91;1&#93;", "&#91;1&#93;"),
    ("x,y", "x,y", "x&#44;y"),
    ("&#91;", "&amp;#91;", "&amp;#91;"),
    ("研修,[CQ:at,qq=all]&", "研修,&#91;CQ:at,qq=all&#93;&amp;", "研修&#44;&#91;CQ:at&#44;qq=all&#93;&amp;"),
])
def test_cq_escape_and_unescape(raw, text_escaped, value_escaped):
    assert cq_escape(raw) == text_escaped
    assert cq_escape(raw, comma=True) == value_escaped
    assert cq_unescape(text_escaped) == raw
    assert cq_unescape(value_escaped) == raw


def test_cq_strings_parse_into_segments():
    url = "http://x/y?a=1&amp;b=2&#44;3"
    raw = f"[CQ:reply,id=-12][CQ:at,qq=10001] /checkin 今天&#91;上午&#93;,好[CQ:image,file=a.jpg,url={url}]"
    raw += "[CQ:face]"
    assert parse_cq(raw) == [
        {"type": "reply", "data": {"id": "-12"}},
        {"type": "at", "data": {"qq": "10001"}},
        text(" /checkin 今天[上午],好"),
        {"type": "image", "data": {"file": "a.jpg", "url": "http://x/y?a=1&b=2,3"}},
        {"type": "face", "data": {}},
    ]
    escaped = cq_escape("[CQ:at,qq=all]")  # user text never becomes a code
    assert escaped == "&#91;CQ:at,qq=all&#93;" and parse_cq(escaped) == [text("[CQ:at,qq=all]")]
    assert parse_cq("") == [] and parse_cq("纯文本") == [text("纯文本")]


# ---- events ---------------------------------------------------------------------------------------


def group_event(message, user_id=WANG, **extra) -> dict:
    return {"post_type": "message", "message_type": "group", "self_id": BOT, "message_id": 42,
            "group_id": GROUP, "user_id": user_id, "time": 1_790_000_000, "message": message,
            "sender": {"nickname": "王芳", "card": "", "role": "member"}, **extra}


def test_a_cq_string_reads_the_same_as_segments():
    segments = to_incoming(group_event([at(BOT), text(" /checkin 课堂观察")]))
    cq_string = to_incoming(group_event(f"[CQ:at,qq={BOT}] /checkin 课堂观察"))
    raw_only = to_incoming({**group_event(None), "raw_message": f"[CQ:at,qq={BOT}] /checkin 课堂观察"})
    assert segments == cq_string == raw_only
    assert segments.text == "/checkin 课堂观察" and segments.mentions_bot


def test_mentions_of_others_stay_in_the_text_and_at_all_reaches_the_bot():
    others = to_incoming(group_event([text("请 "), at(LI), text(" 提交")]))
    assert others.text == f"请 @{LI} 提交" and not others.mentions_bot
    assert to_incoming(group_event([at("all"), text(" 通知")])).mentions_bot


def test_attachments_and_other_segments():
    message = to_incoming(group_event([
        {"type": "reply", "data": {"id": "77"}},
        {"type": "face", "data": {"id": "14"}},
        text("教案"),
        {"type": "image", "data": {"file": "a.image", "url": "https://nt.qq.com/x", "file_size": "2048"}},
        {"type": "file", "data": {"file": "教案.docx", "file_id": "/f-1", "file_size": "4096"}},
    ]))
    assert message.text == "教案"
    assert message.attachments == (
        Attachment(AttachmentKind.PHOTO, "https://nt.qq.com/x", None, None, 2048),
        Attachment(AttachmentKind.DOCUMENT, "/f-1", "教案.docx", None, 4096),
    )


def test_events_that_are_not_for_the_bot():
    assert to_incoming(group_event([text("我自己发的")], user_id=BOT)) is None
    assert to_incoming({"post_type": "notice", "notice_type": "group_increase", "self_id": BOT}) is None
    sent = {"post_type": "message_sent", "message_type": "group", "user_id": BOT, "self_id": BOT}
    assert to_incoming(sent) is None


# ---- forward WebSocket ----------------------------------------------------------------------------


async def test_a_group_message_reaches_the_bot(fake):
    async with connected(fake) as (adapter, inbox):
        await fake.push_group_message(GROUP, WANG, [at(BOT), text(" /checkin")], message_id=-2147000001,
                                      nickname="fang", card="王芳（紫阳二小）", role="admin")
        [message] = await inbox.wait_for(1)
    assert message.chat == GROUP_CHAT
    assert message.sender.user_id == str(WANG) and message.sender.display_name == "王芳（紫阳二小）"
    assert message.message_id == "-2147000001"
    assert message.text == "/checkin" and message.mentions_bot
    assert abs((datetime.now(UTC) - message.sent_at).total_seconds()) < 5
    assert adapter.self_id == str(BOT)


async def test_a_private_cq_string_message_uses_the_nickname(fake):
    async with connected(fake) as (_adapter, inbox):
        await fake.push_private_message(WANG, "/myfile", nickname="fang")
        [message] = await inbox.wait_for(1)
    assert message.chat == ChatRef("onebot", f"private:{WANG}", ChatKind.PRIVATE)
    assert message.is_private and message.text == "/myfile" and message.sender.display_name == "fang"


async def test_meta_events_and_own_messages_are_not_passed_on():
    fake = FakeOneBot(self_id=BOT, access_token=TOKEN, heartbeat_interval=0.05)
    async with fake, connected(fake) as (adapter, inbox):
        await fake.push_group_message(GROUP, BOT, [text("我是机器人")])
        await fake.push_event({"post_type": "notice", "notice_type": "group_upload", "group_id": GROUP,
                               "user_id": WANG, "file": {"id": "/f", "name": "a.txt", "size": 1}})
        await fake.push_event({"post_type": "request", "request_type": "friend", "user_id": WANG})
        await fake.push_group_message(GROUP, WANG, [text("签到")])
        [message] = await inbox.wait_for(1)
        async with asyncio.timeout(5):
            while adapter.heartbeat_interval is None:
                await asyncio.sleep(0.01)
    assert message.text == "签到"
    assert inbox.messages == [message]
    assert adapter.heartbeat_interval == pytest.approx(0.05)


async def test_a_wrong_token_is_rejected_and_retried(fake, caplog):
    async with forward(fake, token="wrong-token") as (adapter, inbox):
        async with asyncio.timeout(5):
            while fake.rejected < 2:
                await asyncio.sleep(0.01)
        assert fake.connections == 0 and not adapter.connected.is_set()
    async with forward(fake, token=None) as (adapter, inbox):
        async with asyncio.timeout(5):
            while fake.rejected < 3:
                await asyncio.sleep(0.01)
    assert fake.connections == 0 and inbox.messages == []
    assert "status=401" in caplog.text and "wrong-token" not in caplog.text


async def test_group_sends_carry_reply_mention_and_text(fake):
    async with connected(fake) as (adapter, _inbox):
        await adapter.send(OutgoingMessage(GROUP_CHAT, "已签到", reply_to_message_id="-2147000001"))
        await adapter.send(OutgoingMessage(GROUP_CHAT, "请私聊我", mention_user_id=f"private:{LI}"))
        await adapter.send(OutgoingMessage(ChatRef("onebot", str(GROUP), ChatKind.GROUP), "裸 id"))
    first, second, third = fake.calls_of("send_group_msg")
    assert first == {"group_id": GROUP, "message": [
        {"type": "reply", "data": {"id": "-2147000001"}}, text("已签到")]}
    assert second["message"] == [at(LI), text(" "), text("请私聊我")]
    assert third == {"group_id": GROUP, "message": [text("裸 id")]}
    echoes = [echo for _action, _params, echo in fake.calls]
    assert len(set(echoes)) == 3 and all(isinstance(e, str) and e for e in echoes)


async def test_answers_are_matched_to_calls_by_echo(fake):
    fake.held.add("send_group_msg")
    async with connected(fake) as (adapter, _inbox):
        call = adapter.call("send_group_msg", {"group_id": GROUP, "message": [text("一")]})
        first = asyncio.create_task(call)
        await fake.wait_for_calls("send_group_msg")
        fake.held.clear()
        second = await adapter.call("send_group_msg", {"group_id": GROUP, "message": [text("二")]})
        assert not first.done()
        await fake.release_held()
        first_answer = await first
    assert first_answer["message_id"] == second["message_id"] + 1  # answered last, numbered last


async def test_a_private_send_and_a_refused_one(fake):
    fake.non_friends.add(LI)
    async with connected(fake) as (adapter, _inbox):
        await adapter.send(OutgoingMessage(ChatRef("onebot", f"private:{WANG}", ChatKind.PRIVATE), "成绩"))
        await adapter.send(OutgoingMessage(ChatRef("onebot", str(WANG), ChatKind.PRIVATE), "提醒"))
        with pytest.raises(PrivateChatUnavailable):
            await adapter.send(OutgoingMessage(ChatRef("onebot", str(LI), ChatKind.PRIVATE), "你的成绩"))
    assert fake.calls_of("send_private_msg") == [
        {"user_id": WANG, "message": [text("成绩")]},
        {"user_id": WANG, "message": [text("提醒")]},
        {"user_id": LI, "message": [text("你的成绩")]},
    ]


async def test_a_refused_private_message_falls_back_to_a_group_mention(fake):
    fake.non_friends.add(LI)
    async with connected(fake) as (adapter, _inbox):
        to_li = ChatRef("onebot", str(LI), ChatKind.PRIVATE)
        private = OutgoingMessage(to_li, "请查看反馈", fallback_chat=GROUP_CHAT)
        assert await Delivery(adapter).deliver([private])
    [mention] = fake.calls_of("send_group_msg")
    assert mention["message"] == [at(LI), text(" "), text("请查看反馈")]


async def test_an_image_goes_as_a_base64_image_segment(fake):
    async with connected(fake) as (adapter, _inbox):
        chart = OutgoingFile("成绩.png", content=PNG, mime_type="image/png")
        await adapter.send(OutgoingMessage(GROUP_CHAT, "本周成绩", file=chart))
        photo = OutgoingFile("x.jpg", file_ref="https://x/y.jpg", mime_type="image/jpeg")
        await adapter.send(OutgoingMessage(GROUP_CHAT, "", file=photo))
    first, second = fake.calls_of("send_group_msg")
    assert first["message"] == [text("本周成绩"), {"type": "image", "data": {
        "file": "base64://" + base64.b64encode(PNG).decode()}}]
    assert second["message"] == [{"type": "image", "data": {"file": "https://x/y.jpg"}}]


SHEET_BASE64 = "base64://" + base64.b64encode(b"PK\x03\x04").decode()


async def test_documents_are_uploaded_and_a_failed_upload_leaves_a_note(fake):
    async with connected(fake) as (adapter, _inbox):
        sheet = OutgoingFile("名单.xlsx", content=b"PK\x03\x04", mime_type="application/vnd.ms-excel")
        await adapter.send(OutgoingMessage(GROUP_CHAT, "导出完成", file=sheet))
        to_wang = ChatRef("onebot", f"private:{WANG}", ChatKind.PRIVATE)
        await adapter.send(OutgoingMessage(to_wang, "档案", file=sheet))
        fake.add_file("/f-9", b"minutes", "纪要.docx")
        await adapter.send(OutgoingMessage(GROUP_CHAT, "", file=OutgoingFile("纪要.docx", file_ref="/f-9")))
        fake.files.clear()
        await adapter.send(OutgoingMessage(GROUP_CHAT, "", file=OutgoingFile("旧.docx", file_ref="/gone")))
    assert fake.calls_of("upload_group_file") == [
        {"group_id": GROUP, "file": SHEET_BASE64, "name": "名单.xlsx"},
        {"group_id": GROUP, "file": fake.file_url("/f-9"), "name": "纪要.docx"},
    ]
    assert fake.calls_of("upload_private_file") == [
        {"user_id": WANG, "file": SHEET_BASE64, "name": "名单.xlsx"}]
    texts = [c["message"][0]["data"]["text"] for c in fake.calls_of("send_group_msg")]
    assert texts == ["导出完成", "（文件「旧.docx」未能发送。）"]


async def test_received_files_can_be_downloaded(fake):
    url = fake.add_file("/f-1", ROSTER, "roster.csv")
    async with connected(fake) as (adapter, _inbox):
        assert await adapter.download(Attachment(AttachmentKind.DOCUMENT, "/f-1", "名单.csv"), 100) == ROSTER
        assert await adapter.download(Attachment(AttachmentKind.PHOTO, url), 100) == ROSTER
        with pytest.raises(FileUnavailable):
            await adapter.download(Attachment(AttachmentKind.DOCUMENT, "/f-1"), 5)
        with pytest.raises(FileUnavailable):
            await adapter.download(Attachment(AttachmentKind.PHOTO, url), 5)
        with pytest.raises(FileUnavailable):
            await adapter.download(Attachment(AttachmentKind.DOCUMENT, "/nope"), 100)
        with pytest.raises(FileUnavailable):
            await adapter.download(Attachment(AttachmentKind.PHOTO, fake.file_url("nope")), 100)
    assert fake.calls_of("get_file") == [{"file_id": "/f-1"}, {"file_id": "/f-1"}, {"file_id": "/nope"}]


async def test_a_file_handed_over_as_base64(fake):
    fake.add_file("/f-2", ROSTER, "名单.csv")
    fake.get_file_base64 = True
    async with connected(fake) as (adapter, _inbox):
        assert await adapter.download(Attachment(AttachmentKind.DOCUMENT, "/f-2"), 100) == ROSTER
        with pytest.raises(FileUnavailable):
            await adapter.download(Attachment(AttachmentKind.DOCUMENT, "/f-2"), 5)


async def test_reconnects_after_a_drop_and_events_keep_flowing(fake):
    async with connected(fake) as (adapter, inbox):
        await fake.push_group_message(GROUP, WANG, [text("第一条")])
        await inbox.wait_for(1)
        await fake.drop()
        await fake.wait_for_connections(2)
        await fake.push_group_message(GROUP, WANG, [text("第二条")])
        await inbox.wait_for(2)
        async with asyncio.timeout(5):
            await adapter.connected.wait()
        await adapter.send(OutgoingMessage(GROUP_CHAT, "还在"))
    assert [m.text for m in inbox.messages] == ["第一条", "第二条"]
    assert fake.calls_of("send_group_msg")[-1]["message"] == [text("还在")]


async def test_a_silent_implementation_is_dropped_and_reconnected():
    fake = FakeOneBot(self_id=BOT, access_token=TOKEN, heartbeat_interval=0.05)
    async with fake, connected(fake) as (adapter, inbox):
        async with asyncio.timeout(5):
            while adapter.heartbeat_interval is None:
                await asyncio.sleep(0.01)
        fake.mute_heartbeats = True  # no heartbeat for three intervals: the socket counts as dead
        await fake.wait_for_connections(2)
        fake.mute_heartbeats = False
        await fake.push_group_message(GROUP, WANG, [text("还在吗")])
        [message] = await inbox.wait_for(1)
    assert message.text == "还在吗"


async def test_pending_calls_fail_when_the_connection_drops_or_no_answer_comes(fake):
    fake.held.add("send_group_msg")
    async with connected(fake, api_timeout=0.3) as (adapter, _inbox):
        with pytest.raises(OneBotError, match="no answer"):
            await adapter.send(OutgoingMessage(GROUP_CHAT, "超时"))
        sending = asyncio.create_task(adapter.send(OutgoingMessage(GROUP_CHAT, "断线")))
        await fake.wait_for_calls("send_group_msg", 2)
        await fake.drop()
        with pytest.raises(OneBotDisconnected):
            await sending
    with pytest.raises(OneBotDisconnected):
        await adapter.send(OutgoingMessage(GROUP_CHAT, "已停止"))


async def test_one_chat_waits_for_its_previous_message_while_others_go_on(fake):
    release = asyncio.Event()
    seen: list[str] = []

    async def slow(message: IncomingMessage) -> None:
        seen.append(message.text)
        if message.text == "慢":
            await release.wait()

    adapter = OneBotAdapter(fake.ws_url, access_token=TOKEN)
    task = asyncio.create_task(adapter.run(slow))
    try:
        async with asyncio.timeout(5):
            await adapter.connected.wait()
            await fake.push_group_message(GROUP, WANG, [text("慢")])
            await fake.push_group_message(GROUP, LI, [text("同群")])
            await fake.push_group_message(GROUP + 1, LI, [text("别的群")])
            while "别的群" not in seen:
                await asyncio.sleep(0.01)
            assert seen == ["慢", "别的群"]
            release.set()
            while len(seen) < 3:
                await asyncio.sleep(0.01)
    finally:
        await adapter.stop()
        await asyncio.wait_for(task, 5)
    assert seen == ["慢", "别的群", "同群"]


# ---- reverse WebSocket ----------------------------------------------------------------------------


async def test_reverse_mode_accepts_the_implementation_and_exchanges_messages(fake):
    async with reverse() as (adapter, inbox, url):
        await fake.connect(url, TOKEN)
        await fake.push_group_message(GROUP, WANG, f"[CQ:at,qq={BOT}] /checkin", card="王芳")
        [message] = await inbox.wait_for(1)
        assert adapter.self_id == str(BOT)
        await adapter.send(OutgoingMessage(GROUP_CHAT, "已签到", reply_to_message_id=message.message_id))
        await fake.wait_for_calls("send_group_msg")
    assert message.text == "/checkin" and message.mentions_bot and message.chat == GROUP_CHAT
    assert fake.calls_of("send_group_msg") == [{"group_id": GROUP, "message": [
        {"type": "reply", "data": {"id": message.message_id}}, text("已签到")]}]


async def test_reverse_mode_checks_the_token_and_path(fake):
    async with reverse() as (adapter, inbox, url):
        for token in ("wrong", None):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await fake.connect(url, token)
            assert refused.value.status == 401
        with pytest.raises(aiohttp.WSServerHandshakeError) as elsewhere:
            await fake.connect(url.replace("/ws", "/api"), TOKEN)
        assert elsewhere.value.status == 404
        assert not adapter.connected.is_set()
        await fake.connect(url.replace("/onebot/v11/ws", "/ws") + f"?access_token={TOKEN}")
        await fake.push_private_message(WANG, [text("你好")])
        [message] = await inbox.wait_for(1)
    assert message.text == "你好"


async def test_a_reconnecting_implementation_replaces_the_old_connection(fake):
    async with reverse() as (adapter, inbox, url):
        await fake.connect(url, TOKEN)
        await fake.drop()
        async with asyncio.timeout(5):
            while adapter.connected.is_set():
                await asyncio.sleep(0.01)
        await fake.connect(url, TOKEN)
        await fake.push_group_message(GROUP, WANG, [text("又连上了")])
        [message] = await inbox.wait_for(1)
        await adapter.send(OutgoingMessage(GROUP_CHAT, "收到"))
    assert message.text == "又连上了" and fake.calls_of("send_group_msg")[0]["message"] == [text("收到")]


# ---- settings -------------------------------------------------------------------------------------


def test_make_adapter_picks_forward_or_reverse_from_settings():
    forward_settings = Settings(_env_file=None, platform="onebot", onebot_ws_url="ws://127.0.0.1:3001",
                                onebot_access_token="t")
    adapter = make_adapter(forward_settings)
    assert isinstance(adapter, OneBotAdapter) and not adapter.reverse and adapter.access_token == "t"
    reverse_settings = Settings(_env_file=None, platform="onebot", onebot_reverse_port=8080)
    assert make_adapter(reverse_settings).reverse
    capabilities = adapter.capabilities
    assert capabilities.max_text_length == 4500 and not capabilities.buttons
    assert capabilities.messages_per_second == 1 and capabilities.messages_per_chat_per_minute == 20
