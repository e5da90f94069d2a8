"""The pacer waits out flood limits instead of dropping messages: overall per second, per chat per minute."""

from __future__ import annotations

from bot.kernel.delivery import Pacer


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


async def test_overall_rate_spaces_sends():
    time = FakeTime()
    pacer = Pacer(30, None, clock=time.clock, sleep=time.sleep)
    for chat in range(4):
        await pacer.wait(str(chat))
    assert time.slept == [0.033] * 3


async def test_one_chat_gets_at_most_its_per_minute_limit():
    time = FakeTime()
    pacer = Pacer(None, 20, clock=time.clock, sleep=time.sleep)
    for _ in range(20):
        await pacer.wait("group")
        time.now += 1
    assert time.slept == []
    await pacer.wait("group")
    assert time.slept == [40.0], "the 21st waits until the first is a minute old"
    await pacer.wait("other")
    assert time.slept == [40.0], "other chats are not held up by a busy one"


async def test_no_limits_never_wait():
    time = FakeTime()
    pacer = Pacer(None, None, clock=time.clock, sleep=time.sleep)
    for _ in range(100):
        await pacer.wait("group")
    assert time.slept == []


async def test_a_chat_waiting_out_its_limit_does_not_hold_up_the_others():
    import asyncio

    time = FakeTime()
    released = asyncio.Event()

    async def blocking_sleep(seconds: float) -> None:
        time.slept.append(seconds)
        await released.wait()

    pacer = Pacer(None, 1, clock=time.clock, sleep=blocking_sleep)
    await pacer.wait("busy")
    waiting = asyncio.create_task(pacer.wait("busy"))
    await asyncio.sleep(0)
    await asyncio.wait_for(pacer.wait("other"), 1)
    assert not waiting.done() and time.slept == [60.0]
    released.set()
    await waiting
