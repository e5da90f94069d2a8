"""Telegram's privacy mode, both sides: with it on (BotFather's default) a group's plain 签到 never
reaches the bot, the bot warns at start and tells the coordinator who binds the group how to fix
it; with it off, or with the bot a group admin, plain group text arrives. Also: charts go out as
photos, and a mention carries the person's name."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot.kernel.messages import ChatKind, ChatRef, OutgoingFile, OutgoingMessage
from storage.models import CheckIn
from tests.e2e.test_telegram import GROUP, LI, WANG, running_bot, say
from tests.fakes.telegram_api import FakeBotApi, text_message_update

SCHOOL = "紫阳县第二小学"
ROSTER = (("王芳", SCHOOL, ("teacher",), WANG), ("教研室", SCHOOL, ("coordinator",), LI))
PRIVACY_NOTE = "隐私模式"


async def checkins(app) -> int:
    async with app.session_factory() as session:
        return len(list(await session.scalars(select(CheckIn))))


def test_the_fake_delivers_only_commands_mentions_and_replies_in_privacy_mode():
    api = FakeBotApi(token="4242:TEST", privacy_mode=True, admin_chats=(-100999,))
    group = dict(chat_type="supergroup")
    assert not api.visible(text_message_update(GROUP, WANG, "签到", **group))
    assert api.visible(text_message_update(GROUP, WANG, "/checkin", **group))
    assert api.visible(text_message_update(GROUP, WANG, "@yanxiu_test_bot 签到", **group))
    reply = text_message_update(GROUP, WANG, "好的", **group)
    reply["message"]["reply_to_message"] = {"message_id": 1, "from": dict(api.bot_user)}
    assert api.visible(reply)
    assert api.visible(text_message_update(-100999, WANG, "签到", **group))  # the bot is admin there
    assert api.visible(text_message_update(WANG, WANG, "签到", chat_type="private"))
    assert FakeBotApi(token="4242:TEST").visible(text_message_update(GROUP, WANG, "签到", **group))


async def test_with_privacy_on_plain_text_is_lost_and_the_binder_is_told_how_to_fix_it(sqlite_url, caplog):
    caplog.set_level(logging.WARNING, logger="yanxiu.telegram")
    async with FakeBotApi(token="4242:TEST", privacy_mode=True) as api:
        async with running_bot(api, sqlite_url, roster=ROSTER) as app:
            assert not app.adapter.capabilities.reads_group_chatter
            assert any("privacy mode is on" in record.message for record in caplog.records)
            await say(api, "/join 王芳 紫阳县第二小学")
            assert await say(api, "签到") == []
            assert api.withheld and await checkins(app) == 0
            assert "签到成功" in (await say(api, "/checkin"))[0]
            await say(api, "/join 教研室 紫阳县第二小学", user=LI)
            [bound] = await say(api, "/bind school 紫阳县第二小学", user=LI)
    assert PRIVACY_NOTE in bound and "/setprivacy" in bound and "管理员" in bound


@pytest.mark.parametrize("setup", ["privacy off", "bot is admin"])
async def test_with_privacy_off_or_as_admin_plain_group_text_arrives(sqlite_url, setup):
    options = {"privacy_mode": False} if setup == "privacy off" else {"privacy_mode": True, "admin_chats": (GROUP,)}
    async with FakeBotApi(token="4242:TEST", **options) as api:
        async with running_bot(api, sqlite_url, roster=ROSTER) as app:
            await say(api, "/join 王芳 紫阳县第二小学")
            assert "签到成功" in (await say(api, "签到"))[0]
            await say(api, "/join 教研室 紫阳县第二小学", user=LI)
            [bound] = await say(api, "/bind school 紫阳县第二小学", user=LI)
            assert await checkins(app) == 1
    assert (PRIVACY_NOTE in bound) is (setup == "bot is admin")  # getMe cannot know about one group


async def test_charts_go_as_photos_files_as_documents_and_mentions_carry_the_name(sqlite_url):
    async with FakeBotApi(token="4242:TEST") as api:
        async with running_bot(api, sqlite_url) as app:
            await say(api, "/join 王芳 紫阳县第二小学", first_name="王芳")
            group = ChatRef("telegram", str(GROUP), ChatKind.GROUP)
            png = OutgoingFile("scores.png", b"\x89PNG\r\n\x1a\n", mime_type="image/png")
            xlsx = OutgoingFile("成绩.xlsx", b"PK\x03\x04", mime_type="application/vnd.ms-excel")
            await app.adapter.send(OutgoingMessage(group, "成绩图", file=png))
            await app.adapter.send(OutgoingMessage(group, "成绩表", file=xlsx))
            await app.adapter.send(OutgoingMessage(group, "请补交反思", mention_user_id=str(WANG)))
    photo, document, mention = api.sent[-3:]
    assert photo["method"] == "sendPhoto" and photo["caption"] == "成绩图"
    assert document["method"] == "sendDocument"
    assert mention["params"]["text"] == f'<a href="tg://user?id={WANG}">@王芳</a> 请补交反思'


async def test_command_menus_are_published_per_scope(sqlite_url):
    async with FakeBotApi(token="4242:TEST") as api:
        async with running_bot(api, sqlite_url, admins=f"telegram:{LI}"):
            await say(api, "/help", chat=WANG)
    menus = {str((call.get("scope") or {}).get("type", "default")) + str((call.get("scope") or {}).get("chat_id", "")):
             [item["command"] for item in call["commands"]] for call in api.calls_of("setMyCommands")}
    group, private, coordinator = menus["all_group_chats"], menus["all_private_chats"], menus[f"chat{LI}"]
    assert "checkin" in group and "myfile" not in group and len(group) <= 10
    assert "myfile" in private and "export" not in private and "bind" not in private
    assert {"myfile", "export", "scores"} <= set(coordinator)
    assert "bind" not in coordinator  # works in groups only


async def test_a_private_only_command_in_a_group_offers_a_deep_link_that_continues_it(sqlite_url):
    async with FakeBotApi(token="4242:TEST") as api:
        async with running_bot(api, sqlite_url):
            await say(api, "/join 王芳 紫阳县第二小学")
            [refused] = await say(api, "/myfile")
            button = api.sent[-2]["reply_markup"]["inline_keyboard"][0][0]
            direct = await say(api, "/myfile", chat=WANG)
            continued = await say(api, "/start myfile", chat=WANG)
            greeting = await say(api, "/start nonsense", chat=WANG)
    assert "私聊" in refused
    assert button["url"] == "https://t.me/yanxiu_test_bot?start=myfile" and button["text"] == "私聊继续"
    assert continued == direct and direct
    assert greeting[0].startswith("王芳老师，您好")


async def test_a_private_message_that_falls_back_to_the_group_offers_the_private_chat(sqlite_url):
    async with FakeBotApi(token="4242:TEST") as api:
        async with running_bot(api, sqlite_url) as app:
            api.unreachable_users.add(str(LI))  # never pressed Start
            private = ChatRef("telegram", str(LI), ChatKind.PRIVATE)
            group = ChatRef("telegram", str(GROUP), ChatKind.GROUP)
            assert await app.dispatcher.delivery.deliver(
                [OutgoingMessage(private, "本月教学反思还没交", fallback_chat=group)])
    fallback = api.sent[-1]
    assert fallback["chat_id"] == GROUP and "本月教学反思还没交" in fallback["text"]
    [[button]] = fallback["reply_markup"]["inline_keyboard"]
    assert button == {"text": "点这里和我私聊", "url": "https://t.me/yanxiu_test_bot?start=hi"}
