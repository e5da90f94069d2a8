"""A 集体备课 through the chat: scheduled by a 组长 for her group, members checking in while it runs
(one late), the host marking an offline attendee, one excused by approved leave; at the end one
message names each, hours are booked, /score shows the absence, and the fortnight's quota is judged
per group. A 组长 cannot run another group's activity."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.services.activity_views import compliance_lines
from storage.models import Activity, ActivityAttendance, AuditEntry, HoursLine
from storage.repositories import Repositories
from tests.activities.conftest import POLICY, WORKSHOP_CHAT
from tests.conftest import SHANGHAI

LINE = "/activity new 集体备课 11月25日 15:00 | 90 | 秋天的雨 | 第一组 | 三楼会议室"
START = datetime(2026, 11, 25, 15, 0, tzinfo=SHANGHAI)


def at(hour: int, minute: int) -> datetime:
    return datetime(2026, 11, 25, hour, minute, tzinfo=SHANGHAI)


async def test_a_group_leader_runs_a_lesson_preparation_from_schedule_to_score(groups):
    chat = groups.chat
    [reply] = await groups.say(LINE, user="lead1")
    assert reply.startswith("已安排活动：#1 集体备课《秋天的雨》11月25日（周三）15:00–16:30 · 第一组 @三楼会议室 · 主持王组长")
    [row] = await chat.rows(Activity)
    assert (row.kind, row.unit_kind, row.planned_start, row.status) == ("集体备课", "group", START, "scheduled")

    assert "已提交请假申请" in await chat.one("请假 11月25日 事假 外出开会", user="a4", private=True)
    await chat.say("/leave approve 1", user="coord", private=True)

    chat.clock.set(at(15, 0))
    [started] = await groups.say("/activity start 1", user="lead1")
    assert started.startswith("▶️ 活动开始了：#1 集体备课")
    chat.clock.set(at(15, 2))
    on_time = await chat.one("签到", user="a1", chat=WORKSHOP_CHAT)
    assert "签到成功" in on_time and on_time.endswith("甲老师已到场：集体备课 #1（15:02）。")
    chat.clock.set(at(15, 20))
    late = await chat.one("/checkin", user="a2", private=True)
    assert late.endswith("乙老师已到场：集体备课 #1（15:20，迟到20分钟）。")
    assert "集体备课" not in await chat.one("签到", user="b1", chat=WORKSHOP_CHAT), "another group's member"
    assert "已记录到场（活动 #1）：丙老师" in await chat.one("/activity roll 1 丙老师 甲老师", user="lead1")
    assert "已撤销到场记录（活动 #1）：甲老师" in await chat.one("/activity absent 1 甲老师", user="lead1")
    assert "已记录到场（活动 #1）：甲老师" in await chat.one("/activity roll 1 甲老师", user="lead1")

    chat.clock.set(at(16, 32))
    [result] = await groups.say("/activity end 1", user="lead1")
    assert result.splitlines() == [
        "✅ 集体备课 #1《秋天的雨》计入次数：时长92分钟，到场率80%。",
        "到场：王组长、甲老师、丙老师",
        "迟到：乙老师",
        "缺席：戊老师",
        "请假：丁老师",
        "到场者每人计校本学时2。",
    ]
    [row] = await chat.rows(Activity)
    assert row.status == "ended" and row.counted and row.verdict["share"] == 0.8
    lines = await chat.rows(HoursLine)
    assert len(lines) == 4 and {(line.category, line.hours, line.source) for line in lines} == {
        ("school", 2, "activity:1")}
    assert len(await chat.rows(ActivityAttendance)) == 4
    assert {"activity.add", "activity.start", "activity.roll", "activity.end"} <= {
        entry.action for entry in await chat.rows(AuditEntry)}

    absent = await chat.one("/score", user="a5", private=True)
    assert "活动缺席1次 −2" in absent
    assert "活动缺席" not in await chat.one("/score", user="a4", private=True), "excused by leave"
    assert "活动缺席" not in await chat.one("/score", user="a1", private=True)
    assert "已结束或已取消" in await chat.one("/activity end 1", user="lead1")


async def test_the_roll_of_an_ended_activity_is_corrected_and_judged_again(groups):
    """The roll taker forgot two people: marked after the end, the activity is judged again (now it
    counts), they get their hours; a mark taken back after the end takes its hours back too."""
    chat = groups.chat
    await groups.say(LINE, user="lead1")
    chat.clock.set(at(15, 0))
    await chat.one("/activity roll 1 王组长 甲老师 乙老师", user="lead1")
    chat.clock.set(at(16, 30))
    [result] = await groups.say("/activity end 1", user="lead1")
    assert result.startswith("⚠️ 集体备课 #1") and "不计入" in result
    assert len(await chat.rows(HoursLine)) == 3, "those present earn their hours even when it does not count"

    chat.clock.set(at(18, 0))
    replies = await groups.say("/activity roll 1 丙老师 丁老师", user="lead1")
    assert replies[0] == "已记录到场（活动 #1）：丙老师、丁老师"
    corrected = replies[1].splitlines()
    assert corrected[0] == "📝 点名已更正，重新判定如下："
    assert corrected[1].startswith("✅ 集体备课 #1《秋天的雨》计入次数") and "到场率83%" in corrected[1]
    [row] = await chat.rows(Activity)
    assert row.counted and row.status == "ended"
    assert len(await chat.rows(HoursLine)) == 5, "everyone present now, the host included"

    replies = await groups.say("/activity absent 1 丁老师", user="lead1")
    assert replies[0] == "已撤销到场记录（活动 #1）：丁老师" and "点名已更正" in replies[1]
    holders = {line.member_id for line in await chat.rows(HoursLine)}
    assert len(holders) == 4, "the hours earned by a mark taken back go with it"
    assert "权限" in await chat.one("/activity roll 1 丁老师", user="a1"), "a member corrects nothing"

async def test_an_activity_held_before_it_was_recorded_is_entered_with_its_roll(groups):
    """A coordinator enters yesterday's offline 集体备课 afterwards: nothing is announced, the roll
    is taken, ending it judges it on its planned length and books the hours on the day it was held."""
    chat = groups.chat
    chat.clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI))
    before = len(chat.adapter.sent)
    [reply] = await chat.say(LINE, user="coord", private=True)
    assert "已经举行过的活动" in reply and "/activity roll 1" in reply
    assert all(m.chat.chat_id == "coord" for m in chat.adapter.sent[before:]), "nothing announced to the groups"
    await chat.one("/activity roll 1 王组长 甲老师 乙老师 丙老师 丁老师", user="coord", private=True)
    [result, *_] = await chat.say("/activity end 1", user="coord", private=True)
    assert result.startswith("✅ 集体备课 #1《秋天的雨》计入次数：时长90分钟")
    assert {line.day.day for line in await chat.rows(HoursLine)} == {25}, "booked on the day it was held"

    chat.clock.set(datetime(2027, 1, 5, 9, 0, tzinfo=SHANGHAI))
    assert "已经过去" in await chat.one(LINE.replace("第一组", "第二组"), user="coord", private=True), \
        "more than a month ago is a typo, not a record"
    assert "已经过去" in await chat.one("/session new 昨天 19:00 | 60 | 研讨 | 王组长", user="coord", private=True), \
        "an online session is only ever scheduled ahead"

async def test_the_fortnight_quota_is_judged_per_group(groups):
    chat = groups.chat
    await groups.say(LINE, user="lead1")
    chat.clock.set(at(15, 0))
    await chat.one("/activity roll 1 王组长 甲老师 乙老师 丙老师 丁老师", user="lead1")
    chat.clock.set(at(16, 30))
    await groups.say("/activity end 1", user="lead1")
    listing = await chat.one("/activities", user="a1")
    assert "✅ 集体备课 · 第一组：本双周（11.23–12.6）1/1次" in listing
    assert "第二组" not in listing, "a member sees her own group's count, not the others'"
    listing = await chat.one("/activities", user="coord", private=True)
    assert "✅ 集体备课 · 第一组：本双周（11.23–12.6）1/1次" in listing
    assert "⚠️ 集体备课 · 第二组：本双周（11.23–12.6）0/1次" in listing
    async with chat.app.session_factory() as session:
        lines = await compliance_lines(Repositories(session), POLICY, chat.app.dispatcher.translator, SHANGHAI,
                                       chat.clock.now().date())
    assert lines[0] == "活动：" and "⚠️ 集体备课 · 第二组：本双周（11.23–12.6）0/1次" in lines
    coordinator_view = await chat.one("/compliance", user="coord", private=True)
    assert "活动：" in coordinator_view and "⚠️ 集体备课 · 第二组：本双周（11.23–12.6）0/1次" in coordinator_view
    chat.clock.set(datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI))
    assert "⚠️ 集体备课 · 第一组：本双周（12.7–12.20）0/1次" in await chat.one("/activities", user="a1")


async def test_an_activity_without_enough_people_does_not_count(groups):
    chat = groups.chat
    await groups.say(LINE, user="lead1")
    chat.clock.set(at(15, 0))
    await groups.say("/activity start 1", user="lead1")
    chat.clock.set(at(15, 40))
    [result] = await groups.say("/activity end 1", user="lead1")
    assert result.startswith("⚠️ 集体备课 #1《秋天的雨》不计入次数：时长40分钟，到场率17%。")
    assert "时长40分钟，不足60分钟" in result and "到场率17%，不足80%" in result
    [row] = await chat.rows(Activity)
    assert row.counted is False
    assert len(await chat.rows(HoursLine)) == 1, "the host who was there still gets the hours"


async def test_a_group_leader_cannot_run_another_groups_activity(groups):
    chat = groups.chat
    assert "只能为自己所在的单位安排集体备课" in await chat.one(LINE, user="lead2")
    assert "没有使用 /activity 的权限" in await chat.one(LINE, user="a1")
    assert await chat.rows(Activity) == []
    await groups.say(LINE, user="lead1")
    for command in ("/activity start 1", "/activity roll 1 赵老师", "/activity cancel 1 改期"):
        assert "不是您所在单位的活动" in await chat.one(command, user="lead2"), command
    [row] = await chat.rows(Activity)
    assert row.status == "scheduled" and await chat.rows(ActivityAttendance) == []
    second = "/activity new 备课 11月26日 15:00 | 60 | 秋天的雨 | 第二组"
    assert "已安排活动：#2 集体备课" in (await groups.say(second, user="coord"))[0], "coordinators run every unit's"
    [cancelled] = await groups.say("/activity cancel 1 改期", user="lead1")
    assert cancelled.startswith("❌ 活动已取消：#1") and "改期" in cancelled


async def test_schedule_mistakes_are_explained_and_nothing_is_stored(groups):
    chat = groups.chat
    cases = {
        "/activity new 论坛 11月25日 15:00 | 90 | 秋天的雨 | 第一组": "没有“论坛”这种活动",
        "/activity new 集体备课 11月25日 15:00 | 90 | 秋天的雨 | 第九组": "没有找到小组“第九组”",
        "/activity new 集体备课 10月8日 15:00 | 90 | 秋天的雨 | 第一组": "已经过去了",
        "/activity new 集体备课 某天 | 90 | 秋天的雨 | 第一组": "没看懂时间",
        "/activity new 集体备课 11月25日 15:00 | 很久 | 秋天的雨 | 第一组": "没看懂时长",
        "/activity new 集体备课 11月25日 15:00": "用法",
        "/activity new 集体备课 | 90 | 秋天的雨 | 第一组": "例如：/activity new",
        "/activity new 集体备课 11月25日 7点 | 90 | 秋天的雨 | 第一组": "是上午还是晚上",
        "/activity new 集体备课 11月25日 15:00 | 90 | 秋天的雨": "请在最后写上小组名称",
        "/activity fly 1": "用法",
        "/activity start 9": "没有找到活动 #9",
    }
    for text, expected in cases.items():
        assert expected in await chat.one(text, user="coord"), text
    assert await chat.rows(Activity) == []
    warned = (await groups.say("/activity new 集体备课 11月25日 15:00 | 30 | 秋天的雨", user="lead1"))[0]
    assert "第一组" in warned and "少于这类活动要求的60分钟" in warned, "a leader's own group by default"


async def test_without_declared_activities_the_commands_say_so(chat):
    await chat.join("u1", "王芳")
    assert "没有规定活动类型" in await chat.one("/activities", user="u1")
    assert "没有划分阶段" in await chat.one("/stages", user="u1")
    async with chat.app.session_factory() as session:
        assert await Repositories(session).activities.with_status("scheduled") == []
        assert (await session.scalars(select(Activity))).all() == []


async def test_the_command_in_words_and_ordinary_posts_that_start_with_the_word(groups):
    chat = groups.chat
    assert await groups.say("活动：今天我们组织了读书活动，大家都很投入", user="a1") == []
    assert await groups.say("活动开始了，大家准备好", user="a1") == []
    [scheduled] = await groups.say("活动安排 备课 11月25日 15:00 | 90 | 秋天的雨", user="lead1")
    assert scheduled.startswith("已安排活动：#1 集体备课《秋天的雨》") and "第一组" in scheduled
    assert "没有使用 /activity 的权限" in await chat.one("活动开始 1", user="a1", chat=WORKSHOP_CHAT)
    assert "已记录到场（活动 #1）：甲老师" in await chat.one("活动点名 #1 甲老师", user="lead1", chat=WORKSHOP_CHAT)


async def test_a_coordinator_starting_a_groups_activity_is_not_on_its_roll(groups):
    chat = groups.chat
    await groups.say(LINE, user="lead1")
    chat.clock.set(at(15, 0))
    await groups.say("/activity start 1", user="coord")
    assert await chat.rows(ActivityAttendance) == []


async def test_each_member_sees_her_own_units_activities_and_an_administrator_sees_all(groups):
    chat = groups.chat
    scheduled = (await chat.say("/activity new 集体备课 11月25日 15:00 | 90 | 《秋天的雨》第二课时 | 第一组",
                                user="admin", private=True))[0]
    assert "集体备课《〈秋天的雨〉第二课时》" in scheduled, "a title inside the title marks nests as 〈〉"
    assert "主持" not in scheduled, "an administrator off the roster hosts nobody's roll"
    assert "#1 集体备课" in await chat.one("/activities", user="admin", private=True)
    assert "#1 集体备课" in await chat.one("/activities", user="a1", private=True)
    assert "#1 集体备课" not in await chat.one("/activities", user="b1", private=True), "another group's"
    assert "（暂无）" in await chat.one("/activities", user="b1", private=True)


async def test_an_offline_activitys_bare_hour_is_read_in_the_school_day(groups):
    """2点半 for a 集体备课 is the afternoon; the same words for an online session still ask."""
    chat = groups.chat
    scheduled = (await groups.say("/activity new 集体备课 11月25日 2点半 | 90 | 秋天的雨", user="lead1"))[0]
    assert "11月25日（周三）14:30–16:00" in scheduled
    assert "是上午还是晚上" in await chat.one("/session new 11月25日 2点半 | 60 | 研讨 | 王组长", user="coord",
                                             private=True)
