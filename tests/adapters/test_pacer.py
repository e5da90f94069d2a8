"""The pacer waits out flood limits instead of dropping messages: overall per second (with a safety
margin), per chat per minute (counted from when sends actually went out), and after a refusal."""

from __future__ import annotations

import asyncio

import pytest

from bot.kernel.delivery import CHAT_WINDOW_SAFETY_S, Pacer


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


async def send(pacer: Pacer, chat: str, took: float = 0.0, time: FakeTime | None = None) -> None:
    await pacer.wait(chat)
    if time is not None:
        time.now += took
    pacer.sent(chat)


async def test_overall_rate_keeps_a_margin_under_the_limit():
    time = FakeTime()
    pacer = Pacer(30, None, clock=time.clock, sleep=time.sleep)
    for chat in range(4):
        await send(pacer, str(chat))
    assert time.slept == [0.042] * 3, "30/s with a 20% margin: 24 sends a second"


async def test_one_chat_gets_at_most_its_per_minute_limit():
    time = FakeTime()
    pacer = Pacer(None, 20, clock=time.clock, sleep=time.sleep)
    for _ in range(20):
        await send(pacer, "group")
        time.now += 1
    assert time.slept == []
    await send(pacer, "group")
    assert time.slept == [40.0 + CHAT_WINDOW_SAFETY_S], "the 21st waits until the first is a minute old"
    await send(pacer, "other")
    assert len(time.slept) == 1, "other chats are not held up by a busy one"


async def test_a_send_counts_for_its_chat_when_it_went_out_not_when_it_was_allowed():
    time = FakeTime()
    pacer = Pacer(None, 1, clock=time.clock, sleep=time.sleep)
    await send(pacer, "group", took=5.0, time=time)  # a slow upload: it reached the platform late
    await send(pacer, "group")
    assert time.slept == [60.0 + CHAT_WINDOW_SAFETY_S], "a minute after the first send finished"


async def test_no_limits_never_wait():
    time = FakeTime()
    pacer = Pacer(None, None, clock=time.clock, sleep=time.sleep)
    for _ in range(100):
        await send(pacer, "group")
    assert time.slept == []


async def test_a_chat_waiting_out_its_limit_does_not_hold_up_the_others():
    time = FakeTime()
    released = asyncio.Event()

    async def blocking_sleep(seconds: float) -> None:
        time.slept.append(seconds)
        await released.wait()

    pacer = Pacer(30, 1, clock=time.clock, sleep=blocking_sleep)
    await send(pacer, "busy")
    waiting = asyncio.create_task(send(pacer, "busy"))
    await asyncio.sleep(0)
    time.now += 1
    await asyncio.wait_for(send(pacer, "other"), 1)
    assert not waiting.done() and time.slept == [60.0 + CHAT_WINDOW_SAFETY_S]
    waiting.cancel()


async def test_a_send_that_waited_for_its_chat_still_takes_an_overall_slot():
    time = FakeTime()
    pacer = Pacer(30, 1, clock=time.clock, sleep=time.sleep)
    await send(pacer, "busy")
    time.now += 59.99
    await send(pacer, "other")  # takes the overall slot at 1059.99
    await send(pacer, "busy")  # waits for its chat's minute, then takes an overall slot
    assert time.now == pytest.approx(1060.0 + CHAT_WINDOW_SAFETY_S)
    await send(pacer, "third")
    assert time.slept[-1] == pytest.approx(0.042), "the late send advanced the overall pace"


async def test_a_refusal_sleeps_only_its_chat_when_that_chat_used_up_its_minute():
    time = FakeTime()
    pacer = Pacer(None, 2, clock=time.clock, sleep=time.sleep)
    await send(pacer, "busy")
    await send(pacer, "busy")
    pacer.limited("busy", 30)
    await send(pacer, "other")
    assert time.slept == [], "another chat goes at once"
    await send(pacer, "busy")
    assert time.now >= 1030


async def test_a_refusal_while_the_chat_had_room_sleeps_the_whole_bot():
    time = FakeTime()
    pacer = Pacer(30, 20, clock=time.clock, sleep=time.sleep)
    await send(pacer, "a")
    pacer.limited("a", 2)
    await send(pacer, "b")
    assert time.now >= 1002, "the limit was the bot's: every chat waits"
