"""Finding 6: two /credit commands in a chat with a long id both store their hours."""

from __future__ import annotations

from bot.domain.text import bounded_key
from storage.models import HoursLine

LONG_CHAT = "wrkSFfCgAA" + "x" * 40  # WeCom external group ids are this long


async def test_two_credits_in_a_chat_with_a_long_id_are_both_kept(chat):
    await chat.join("u1", "王芳")
    await chat.join("c1", "李雷", roles=("coordinator",))
    first = await chat.one("/credit 2 王芳 | 县级专题培训一 | 县级", user="c1", chat=LONG_CHAT, message_id="m" * 30 + "1")
    second = await chat.one("/credit 3 王芳 | 县级专题培训二 | 县级", user="c1", chat=LONG_CHAT, message_id="m" * 30 + "2")
    assert "2" in first and "3" in second
    lines = [line for line in await chat.rows(HoursLine) if line.source.startswith("credit")]
    assert sorted(line.hours for line in lines) == [2, 3]
    assert all(len(line.source) <= 60 for line in lines)


def test_bounded_keys_stay_readable_when_short_and_distinct_when_long():
    assert bounded_key("credit", "telegram", "-100123", "42") == "credit:telegram:-100123:42"
    long_a = bounded_key("credit", "wecom", LONG_CHAT, "a" * 40)
    long_b = bounded_key("credit", "wecom", LONG_CHAT, "a" * 39 + "b")
    assert long_a != long_b and len(long_a) <= 60 and len(long_b) <= 60
