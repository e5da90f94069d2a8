"""QQ beyond messages, through the whole bot and the fake OneBot implementation: friend requests
from roster accounts are accepted (a policy switch), newcomers to a bound group are told how to
join, and an @ of the bot in a group is never met with silence."""

from __future__ import annotations

import asyncio

import pytest

from bot.domain.policy import Platforms, Policy
from tests.contract.peers import OneBotPeer

WANG_QQ = 20000  # the first user the peer speaks as


@pytest.fixture
async def qq(sqlite_url, clock):
    async with OneBotPeer(sqlite_url, clock) as peer:
        await peer.say("wang", "/join 王芳 紫阳县第二小学")  # links 王芳's QQ number
        yield peer


async def friend_request_answered(peer: OneBotPeer, user_id: int) -> bool:
    before = len(peer.fake.calls_of("set_friend_add_request"))
    await peer.fake.push_friend_request(user_id)
    await asyncio.sleep(0.3)
    calls = peer.fake.calls_of("set_friend_add_request")[before:]
    assert all(call == {"flag": f"flag-{user_id}", "approve": True} for call in calls)
    return bool(calls)


async def test_a_friend_request_from_the_roster_is_accepted_and_a_stranger_is_left(qq):
    assert await friend_request_answered(qq, WANG_QQ)
    assert not await friend_request_answered(qq, 99999)


async def test_the_policy_switch_turns_acceptance_off(qq):
    events = qq.app.adapter.friend_request_wanted.__self__
    events.policy = Policy(platforms=Platforms(qq_accept_roster_friends=False))
    assert not await friend_request_answered(qq, WANG_QQ)


async def test_a_newcomer_to_a_bound_group_is_told_how_to_join(qq):
    await qq.fake.push_group_increase(123, 30001)
    calls = await qq.fake.wait_for_calls("send_group_msg", count=3)
    greeting = calls[-1]
    assert greeting["group_id"] == 123
    assert greeting["message"][0] == {"type": "at", "data": {"qq": "30001"}}
    assert "/join 姓名 学校" in "".join(s["data"].get("text", "") for s in greeting["message"])


async def test_no_greeting_for_a_known_member_or_an_unbound_group(qq):
    sent = len(qq.fake.calls_of("send_group_msg"))
    await qq.fake.push_group_increase(123, WANG_QQ)
    await qq.fake.push_group_increase(456, 30002)
    await asyncio.sleep(0.3)
    assert len(qq.fake.calls_of("send_group_msg")) == sent


async def test_an_at_of_the_bot_gets_an_answer_and_plain_chatter_does_not(qq):
    assert await qq.say("wang", "今天天气不错") == []
    mention = [{"type": "at", "data": {"qq": str(qq.fake.self_id)}}, {"type": "text", "data": {"text": " 今天天气不错"}}]
    before = len(qq.seen())
    await qq.fake.push_group_message(123, WANG_QQ, mention)
    await qq.wait_for(lambda seen: len(seen) > before)  # whatever the answer, not silence
    assert qq.seen()[before].chat == "group:123" and qq.seen()[before].text
