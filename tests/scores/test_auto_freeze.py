"""Scores freeze by themselves after the final 公示's objection period, once every objection is answered."""

from __future__ import annotations

from bot.domain.policy import Announcements, Policy
from storage.models import AuditEntry, FrozenScore
from tests.conftest import open_chat
from tests.scores.test_announcements import school_with_teachers, tick
from tests.scores.test_scores import at


async def publish_final(chat) -> None:
    await school_with_teachers(chat)
    chat.clock.set(at(2027, 1, 25))  # the semester ended on 20 January; objections run 25–29 January
    await chat.say("/announce", user="coord", private=True)
    await chat.say("确认", user="coord", private=True)


def to_coordinator(sent) -> list[str]:
    return [m.text for m in sent if m.chat.chat_id == "coord"]


async def test_scores_freeze_after_the_objection_period_once_objections_are_answered(chat):
    await publish_final(chat)
    chat.clock.set(at(2027, 1, 26))
    assert "异议 #1" in await chat.one("异议 我的学时少算了", user="u1")

    chat.clock.set(at(2027, 1, 29, 20))
    assert to_coordinator(await tick(chat)) == [], "the objection period is still running"
    assert await chat.rows(FrozenScore) == []

    chat.clock.set(at(2027, 1, 30, 9))
    [waiting] = to_coordinator(await tick(chat))
    assert "公示期已于1月29日结束，还有1条异议未处理" in waiting
    assert await chat.rows(FrozenScore) == [], "an open objection keeps the scores open"
    assert to_coordinator(await tick(chat)) == [], "coordinators are told once"

    await chat.say("/objections resolve 1 已核实，学时无误", user="coord", private=True)
    [frozen] = to_coordinator(await tick(chat))
    assert "已自动定稿" in frozen and "4人" in frozen
    assert len(await chat.rows(FrozenScore)) == 4
    [entry] = [e for e in await chat.rows(AuditEntry) if e.action == "scores.freeze"]
    assert entry.actor == "system:auto-freeze" and entry.after == {"teachers": 4}
    assert to_coordinator(await tick(chat)) == [] and len(await chat.rows(FrozenScore)) == 4
    assert "已经冻结" in await chat.one("/freeze", user="coord", private=True)


async def test_nothing_freezes_without_a_final_publication_or_when_the_policy_says_so(sqlite_url, clock):
    async with open_chat(sqlite_url, clock) as chat:
        await school_with_teachers(chat)
        chat.clock.set(at(2027, 2, 15))
        await tick(chat)
        assert await chat.rows(FrozenScore) == [], "no 公示 after the semester: nothing to freeze"
    policy = Policy(announcements=Announcements(auto_freeze=False))
    async with open_chat(sqlite_url.replace(".db", "-manual.db"), clock, policy=policy) as chat:
        await publish_final(chat)
        chat.clock.set(at(2027, 2, 15))
        await tick(chat)
        assert await chat.rows(FrozenScore) == [], "auto_freeze = false leaves it to /freeze"
