"""A program that starts mid-semester, and leave: nobody fails for time they did not owe."""

from __future__ import annotations

from datetime import date

from tests.scores.test_scores import CASE, REFLECTION, at, coordinator
from tests.handlers.test_people import make_coordinator


async def test_a_roster_imported_on_1_december_owes_nothing_for_the_autumn(chat):
    chat.clock.set(at(2026, 12, 1))
    await coordinator(chat)
    await chat.join("u1", "王芳")
    await chat.join("u2", "李明")
    chat.clock.set(at(2026, 12, 10))
    await chat.one(REFLECTION, user="u1")
    await chat.one(CASE, user="u1")
    chat.clock.set(at(2026, 12, 20))
    score = await chat.one("/score", user="u1")
    assert "9月" not in score.replace("不计：9月、10月、11月", ""), score
    assert "不计：9月、10月、11月" in score
    # 1–19 December is 19 of the semester's 142 days: 48 × 19/142 = 6.4 hours owed so far, not 32
    assert "· 校本学时 0/6.4，缺7学时 −14" in score.splitlines()
    assert "教学反思缺" not in score and "教学案例缺" not in score
    other = await chat.one("/score", user="u2")
    assert "教学反思缺" not in other, "December is not over: no month is due yet"


async def test_the_policy_counting_start_exempts_everyone_before_it(chat):
    chat.clock.set(at(2026, 9, 1))
    await coordinator(chat)
    await chat.join("u1", "王芳")
    chat.app.policy = chat.app.policy.model_copy(update={"program": chat.app.policy.program.model_copy(
        update={"counting_from": date(2026, 11, 1)})})
    chat.app.dispatcher.policy = chat.app.policy
    chat.clock.set(at(2026, 12, 2))
    score = await chat.one("/score", user="u1")
    assert "11月 教学反思缺1篇" in score and "10月 教学反思" not in score and "9月 教学反思" not in score


async def test_approved_leave_excuses_its_month_and_shrinks_the_hours(chat):
    chat.clock.set(at(2026, 9, 1))
    await make_coordinator(chat)
    await chat.join("u1", "王芳")
    chat.clock.set(at(2026, 10, 8))
    await chat.one("请假 10月8日-10月31日 病假 住院", user="u1")
    await chat.say("/leave approve 1", user="coord", private=True)
    chat.clock.set(at(2026, 12, 2))
    score = await chat.one("/score", user="u1")
    assert "10月 教学反思" not in score and "9月 教学反思缺1篇" in score and "11月 教学反思缺1篇" in score
    assert "免计：10月（已批准的请假）" in score
    assert "已批准请假 24 天" in score


async def test_pending_leave_excuses_nothing(chat):
    chat.clock.set(at(2026, 9, 1))
    await chat.join("u1", "王芳")
    chat.clock.set(at(2026, 10, 8))
    await chat.one("请假 10月8日-10月31日 病假", user="u1")
    chat.clock.set(at(2026, 12, 2))
    score = await chat.one("/score", user="u1")
    assert "10月 教学反思缺1篇" in score and "免计" not in score


async def test_nobody_on_leave_or_not_yet_counted_is_nudged(chat):
    from tests.scores.test_announcements import tick

    chat.clock.set(at(2026, 11, 1))
    await make_coordinator(chat)
    await chat.join("u1", "王芳")
    await chat.join("u2", "李明")
    await chat.one("请假 11月2日-11月30日 病假", user="u2")
    await chat.say("/leave approve 1", user="coord", private=True)
    chat.clock.set(at(2026, 11, 25))
    await chat.join("u3", "新来的")
    chat.clock.set(at(2026, 11, 27, 16))
    nudged = {m.chat.chat_id for m in await tick(chat) if "还差" in m.text}
    assert nudged == {"u1", "coord"}, "not 李明 (on leave) nor 新来的 (joined five days before the end)"
