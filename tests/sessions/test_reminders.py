"""Scheduled work with a controllable clock: reminders, missed reminders after a restart, two
processes sweeping at once, the 20th-of-the-month warning, summary deadlines, and compliance."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import func, select

from storage.models import OutboxEntry
from tests.conftest import SHANGHAI, open_chat
from tests.sessions.conftest import BASE_GROUP, PARTNER_GROUP, make_partnership
from tests.sessions.test_sessions import LINE, START


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


async def test_each_reminder_goes_to_every_school_group_once(partnership):
    chat = partnership.chat
    await chat.say(LINE, user="coord", chat=BASE_GROUP)
    chat.clock.set(at(24, 18, 59))
    assert await partnership.sweep() == []
    chat.clock.set(at(24, 19, 0))
    day_before = await partnership.sweep()
    assert {m.chat.chat_id for m in day_before} == {BASE_GROUP, PARTNER_GROUP}
    assert all(m.text.startswith("⏰ 1天后开始网络研讨：#1") and "腾讯会议 123-456" in m.text for m in day_before)
    assert await partnership.sweep() == []
    chat.clock.set(at(25, 18, 0))
    assert [m.text[:12] for m in await partnership.sweep()] == ["⏰ 1小时后开始网络研讨"] * 2
    chat.clock.set(at(25, 19, 0))
    starting = await partnership.sweep()
    assert len(starting) == 2 and all(m.text.startswith("🔔 网络研讨现在开始") for m in starting)
    assert await partnership.sweep() == []


async def test_a_reminder_missed_while_down_is_sent_once_if_still_useful(sqlite_url, clock):
    async with open_chat(sqlite_url, clock) as chat:
        partnership = await make_partnership(chat)
        await chat.say(LINE, user="coord", chat=BASE_GROUP)
    clock.set(at(25, 18, 10))  # the one-hour reminder was due at 18:00; the bot was down
    async with open_chat(sqlite_url, clock) as chat:
        partnership.chat = chat
        late = await partnership.sweep()
        assert [m.text[:12] for m in late] == ["⏰ 1小时后开始网络研讨"] * 2, "24-hour one is past its grace"
        assert await partnership.sweep() == []
    async with open_chat(sqlite_url, clock) as chat:
        partnership.chat = chat
        assert await partnership.sweep() == [], "a restart does not send it again"


async def test_a_reminder_that_can_no_longer_be_on_time_is_skipped_not_sent_late(sqlite_url, clock):
    async with open_chat(sqlite_url, clock) as chat:
        partnership = await make_partnership(chat)
        await chat.say(LINE, user="coord", chat=BASE_GROUP)
    clock.set(at(25, 18, 57))  # down since before 18:00: "1小时后" three minutes before the start
    async with open_chat(sqlite_url, clock) as chat:
        partnership.chat = chat
        assert await partnership.sweep() == []
        clock.set(at(25, 19, 0))
        starting = await partnership.sweep()
        assert len(starting) == 2 and all(m.text.startswith("🔔 网络研讨现在开始") for m in starting)


async def test_moving_a_session_schedules_its_reminders_again(partnership):
    chat = partnership.chat
    await chat.say(LINE, user="coord", chat=BASE_GROUP)
    chat.clock.set(at(24, 19, 0))
    assert len(await partnership.sweep()) == 2
    await chat.say("/session move 1 11月25日 20:00", user="coord", chat=BASE_GROUP)
    chat.clock.set(at(24, 20, 0))
    assert len(await partnership.sweep()) == 2


async def test_two_processes_sweeping_together_send_everything_once(database_url, clock):
    async with open_chat(database_url, clock) as first, open_chat(database_url, clock) as second:
        partnership = await make_partnership(first)
        await first.say(LINE, user="coord", chat=BASE_GROUP)
        await first.say(LINE.replace("19:00", "20:30"), user="coord", chat=BASE_GROUP)
        clock.set(START)
        await partnership.everyone_here(["host", *partnership.base, *partnership.partner])
        clock.set(at(25, 21, 40))  # both sessions over; the 20:30 one had nobody
        other = type(partnership)(second, partnership.base, partnership.partner)
        baseline = len(first.adapter.sent), len(second.adapter.sent)
        await asyncio.gather(partnership.sweep(), other.sweep(), partnership.sweep(), other.sweep())
        sent = first.adapter.sent[baseline[0]:] + second.adapter.sent[baseline[1]:]
        results = [m for m in sent if "网络研讨 #" in m.text and ("有效" in m.text or "不符合" in m.text)]
        assert sorted((m.chat.chat_id, m.text.split("》")[0]) for m in results) == sorted(
            (chat, text) for chat in (BASE_GROUP, PARTNER_GROUP)
            for text in ("✅ 网络研讨 #1《单元整体教学设计", "⚠️ 网络研讨 #2《单元整体教学设计")
        )
        async with first.app.session_factory() as session:
            unsent = await session.scalar(
                select(func.count()).select_from(OutboxEntry).where(OutboxEntry.sent_at.is_(None))
            )
        assert unsent == 0


async def test_the_twentieth_warns_coordinators_once_when_a_month_has_no_session(partnership):
    chat = partnership.chat
    chat.clock.set(at(19, 9, 0, month=12))
    assert await partnership.sweep() == []
    chat.clock.set(at(20, 9, 0, month=12))
    [warning] = await partnership.sweep()
    assert warning.chat.chat_id == "coord" and warning.chat.kind.value == "private"
    assert warning.text.startswith("⚠️ 12月还没有有效或已安排的网络研讨")
    chat.clock.advance(days=1)
    assert await partnership.sweep() == []


async def test_no_warning_when_the_month_has_a_session_and_program_groups_get_it_otherwise(partnership):
    chat = partnership.chat
    await chat.one("/bind program", user="coord", chat="group-office")
    chat.clock.set(at(20, 9, 0))
    await chat.say("/session new 11月27日 19:00 | 60 | 读书分享 | 王芳", user="coord", chat=BASE_GROUP)
    assert [m for m in await partnership.sweep() if "还没有" in m.text] == []
    chat.clock.set(at(20, 9, 0, month=12))
    [warning] = [m for m in await partnership.sweep() if "还没有" in m.text]
    assert warning.chat.chat_id == "group-office"


async def test_summary_deadline_reminder_then_overdue_notice(partnership):
    chat = partnership.chat
    await chat.say(LINE, user="coord", chat=BASE_GROUP)
    chat.clock.set(START)
    await partnership.everyone_here(["host", *partnership.base, *partnership.partner])
    chat.clock.set(at(25, 20, 0))
    await partnership.sweep()
    chat.clock.advance(days=2, minutes=1)
    [reminder] = [m for m in await partnership.sweep() if "纪要" in m.text]
    assert reminder.chat.kind.value == "private" and "纪要请在11月28日（周六）20:00前提交" in reminder.text
    chat.clock.advance(days=1)
    overdue = [m for m in await partnership.sweep() if "纪要" in m.text]
    assert {m.chat.chat_id for m in overdue} == {BASE_GROUP, PARTNER_GROUP}
    assert all("已逾期" in m.text for m in overdue)
    assert await partnership.sweep() == []


async def hold(partnership, day: datetime, partners_present: int) -> None:
    """Schedule a session a week ahead of `day`, hold it on `day` with everyone from the base
    school and `partners_present` partner teachers, and let the scheduler close it."""
    chat = partnership.chat
    chat.clock.set(day - timedelta(days=7))
    when = f"{day.month}月{day.day}日 19:00"
    await chat.say(f"/session new {when} | 45 | 学期研讨 | 王芳", user="coord", chat=BASE_GROUP)
    chat.clock.set(day.replace(hour=19))
    await partnership.everyone_here(["host", *partnership.base, *partnership.partner[:partners_present]])
    chat.clock.set(day.replace(hour=19, minute=50))
    await partnership.sweep()


async def test_compliance_matches_a_hand_count_of_a_scripted_semester(partnership):
    chat = partnership.chat
    await hold(partnership, at(16, 0, month=9), 5)   # September: counts
    await hold(partnership, at(14, 0, month=10), 3)  # October: too few partner teachers
    await hold(partnership, at(11, 0, month=11), 5)  # November: counts
    await hold(partnership, at(25, 0, month=11), 5)  # November: counts again
    chat.clock.set(at(10, 10, month=12))
    await chat.say("/session new 2027年1月6日 19:00 | 45 | 期末研讨 | 王芳", user="coord", chat=BASE_GROUP)
    view = await chat.one("/compliance", user="coord")
    assert view.splitlines() == [
        "2026—2027学年第一学期 网络研讨达标情况：",
        "✅ 9月：有效1次（要求1次）",
        "❌ 10月：有效0次，要求1次，未达标",
        "✅ 11月：有效2次（要求1次）",
        "⚠️ 12月：有效0次，已安排0次，要求1次，请尽快安排",
        "🕒 1月：有效0次，已安排1次（要求1次）",
        "本学期：有效3次，要求3次，已达标。",
        *([line for line in view.splitlines() if line.startswith("⚠️ 节假日数据不含")][:1]),
    ]


async def test_a_group_that_fails_is_retried_alone(partnership):
    chat = partnership.chat
    await chat.say(LINE, user="coord", chat=BASE_GROUP)
    chat.clock.set(at(24, 19, 0))
    chat.adapter.fail_next = True
    first = await partnership.sweep()
    assert len(first) == 1, "one group's send failed"
    retried = await partnership.sweep()
    assert len(retried) == 1 and retried[0].chat.chat_id != first[0].chat.chat_id
    assert await partnership.sweep() == []


async def test_compliance_says_when_the_holiday_calendar_does_not_cover_the_semester(sqlite_url, clock):
    from datetime import date

    from bot.domain.calendar import official_year_known
    from bot.domain.policy import Policy, Semester

    unknown = next(year for year in range(2026, 2100) if not official_year_known(year))
    policy = Policy(semester=Semester(start=date(unknown - 1, 9, 1), end=date(unknown, 1, 20)))
    async with open_chat(sqlite_url, clock, policy=policy) as chat:
        await make_partnership(chat)
        reply = await chat.one("/compliance", user="coord", chat=BASE_GROUP)
        assert f"节假日数据不含{unknown}年" in reply
    listed = policy.model_copy(update={"calendar": policy.calendar.model_copy(update={"holidays": [date(unknown, 1, 1)]})})
    async with open_chat(sqlite_url, clock, policy=listed) as chat:
        reply = await chat.one("/compliance", user="coord", chat=BASE_GROUP)
        assert "节假日数据不含" not in reply
