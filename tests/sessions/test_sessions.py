"""Online sessions through the chat: scheduling, attendance, the result, hours, and the summary."""

from __future__ import annotations

from datetime import datetime

from storage.models import Attendance, AuditEntry, HoursLine, OnlineSession
from tests.conftest import SHANGHAI
from tests.sessions.conftest import BASE_GROUP, PARTNER_GROUP

LINE = "/session new 11月25日 19:00 | 60 | 单元整体教学设计 | 王芳 | 腾讯会议 123-456"
START = datetime(2026, 11, 25, 19, 0, tzinfo=SHANGHAI)


def texts_to(messages, chat_id: str) -> list[str]:
    return [m.text for m in messages if m.chat.chat_id == chat_id]


async def test_one_line_schedule_is_confirmed_and_announced_to_every_school_group(partnership):
    chat = partnership.chat
    replies = await chat.send(chat.message(LINE, user="coord", chat=BASE_GROUP))
    assert replies[0].startswith("已安排网络研讨：#1 11月25日（周三）19:00–20:00《单元整体教学设计》主持人王芳")
    assert "腾讯会议 123-456" in replies[0]
    announced = chat.adapter.sent[-1]
    assert announced.chat.chat_id == PARTNER_GROUP and announced.text.startswith("📅 新的网络研讨：#1")
    assert len(replies) == 2, "the base group got the reply, not a second announcement"
    [online] = await chat.rows(OnlineSession)
    assert online.planned_start == START and online.planned_minutes == 60 and online.status == "scheduled"
    assert any(e.action == "session.add" for e in await chat.rows(AuditEntry))


async def test_schedule_rejects_what_cannot_be_a_valid_session(partnership):
    chat = partnership.chat
    cases = {
        "/session new 11月25日 19:00 | 60 | 主题 | 基地1号": "还没有主持人角色",
        "/session new 11月25日 19:00 | 20 | 单元设计 | 王芳": "至少30分钟",
        "/session new 11月20日 19:00 | 60 | 单元设计 | 王芳": "已经过去了",
        "/session new 11月25日 7点 | 60 | 单元设计 | 王芳": "上午还是晚上",
        "/session new 某天 | 60 | 单元设计 | 王芳": "没看懂时间",
        "/session new 11月25日 19:00 | 很久 | 单元设计 | 王芳": "没看懂时长",
        "/session new 11月25日 19:00 | 60": "用法",
    }
    for text, expected in cases.items():
        assert expected in await chat.one(text, user="coord"), text
    await chat.one("/grant 合作1号 主持人", user="coord")
    assert "不是基地校" in await chat.one("/session new 11月25日 19:00 | 60 | 单元设计 | 合作1号", user="coord")
    assert "没有使用 /session 的权限" in await chat.one(LINE, user="b1")
    assert await chat.rows(OnlineSession) == []


async def test_guided_dialog_schedules_and_warns_about_holidays(partnership):
    chat = partnership.chat
    chat.clock.set(datetime(2026, 9, 20, 10, 0, tzinfo=SHANGHAI))
    for answer, question in [
        ("/session new", "研讨主题是什么"), ("国庆假期读书分享", "主持人是谁"), ("合作1号", "还没有主持人角色"),
        ("王芳", "什么时间开始"), ("10月2日晚上7点半", "计划多长时间"), ("一个半小时", "会议链接"),
    ]:
        assert question in await chat.one(answer, user="coord"), answer
    done = await chat.say("无", user="coord")
    assert "10月2日（周五）19:30–21:00《国庆假期读书分享》" in done[0] and "国庆节" in done[0]
    assert "链接待定" in done[0]


async def test_a_valid_session_credits_hours_and_asks_a_partner_teacher_for_the_summary(partnership):
    chat = partnership.chat
    await chat.say(LINE, user="coord", chat=BASE_GROUP)
    chat.clock.set(START)
    await partnership.everyone_here(["host", *partnership.base, *partnership.partner])
    assert "迟到" not in await chat.one("/here", user="p1", chat=PARTNER_GROUP)
    chat.clock.advance(minutes=20)
    assert "提前" in await chat.one("/bye", user="p5", chat=PARTNER_GROUP)
    chat.clock.advance(minutes=2)
    rejoined = await chat.one("签到", user="p5", chat=PARTNER_GROUP)
    assert "签到成功" in rejoined and rejoined.endswith("合作5号已到场：网络研讨 #1（19:22，迟到22分钟）。")
    chat.clock.set(datetime(2026, 11, 25, 20, 1, tzinfo=SHANGHAI))
    sent = await partnership.sweep()
    [result] = texts_to(sent, PARTNER_GROUP)[:1]
    assert result.startswith("✅ 网络研讨 #1《单元整体教学设计》有效：时长60分钟")
    assert "紫阳县第二小学 6/5人；紫阳中学 5/5人" in result
    request = [t for t in texts_to(sent, BASE_GROUP) if t.startswith("📝")]
    assert request and "合作" in request[0] and "/summary 1" in request[0]
    assert any(m.chat.kind.value == "private" for m in sent), "the chosen writer is told privately"
    assert await partnership.sweep() == [], "the result goes out once"
    hours = {line.member_id: line for line in await chat.rows(HoursLine)}
    assert len(hours) == 11 and all(line.category == "online" for line in hours.values())
    assert {line.minutes for line in hours.values()} >= {60}
    [online] = await chat.rows(OnlineSession)
    assert online.status == "ended" and online.valid is True and online.summary_status == "requested"
    assert all(stretch.left_at is not None for stretch in await chat.rows(Attendance))


async def test_summary_is_written_returned_revised_approved_and_published(partnership):
    chat = partnership.chat
    await chat.say(LINE, user="coord", chat=BASE_GROUP)
    chat.clock.set(START)
    await partnership.everyone_here(["host", *partnership.base, *partnership.partner])
    chat.clock.advance(minutes=60)
    assert "已结束 #1" in (await chat.say("/session end 1", user="host", chat=BASE_GROUP))[0]
    [online] = await chat.rows(OnlineSession)
    writers = partnership.partner
    summary = "本次研讨围绕单元整体教学设计展开，两校老师分别展示了课例，讨论了目标分解和评价任务的设计。"
    outcomes = [(await chat.say(f"/summary 1 {summary}", user=user, private=True))[0] for user in writers]
    accepted = [user for user, reply in zip(writers, outcomes, strict=True) if reply.startswith("已收到 #1")]
    assert len(accepted) == 1 and sum("不是安排给您的" in reply for reply in outcomes) == 4
    writer = accepted[0]
    assert "没有使用 /approve_summary 的权限" in await chat.one("/approve_summary 1", user="b1")
    await chat.one("/grant 基地1号 主持人", user="coord")
    assert "只有 #1 的主持人" in await chat.one("/approve_summary 1", user="b1")
    assert "已把 #1 的纪要退回" in (await chat.say("/return_summary 1 请补充评价任务的例子", user="host"))[0]
    assert "没有待审核的纪要" in await chat.one("/approve_summary 1", user="host")
    await chat.say(f"/summary 1 {summary}补充：评价任务示例见附件。", user=writer, private=True)
    before = len(chat.adapter.sent)
    replies = await chat.say("/approve_summary 1", user="host", private=True)
    assert replies[0] == "已通过 #1 的纪要，已发布到各校群。"
    published = chat.adapter.sent[before + 1:]
    assert {m.chat.chat_id for m in published} == {BASE_GROUP, PARTNER_GROUP}
    assert all("📄 网络研讨纪要：#1" in m.text and "补充：评价任务示例" in m.text for m in published)
    [online] = await chat.rows(OnlineSession)
    assert online.summary_status == "approved"


async def test_too_few_partner_teachers_make_the_session_not_count(partnership):
    chat = partnership.chat
    await chat.say(LINE, user="coord", chat=BASE_GROUP)
    chat.clock.set(START)
    await partnership.everyone_here(["host", *partnership.base, *partnership.partner[:4]])
    chat.clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=SHANGHAI))
    sent = await partnership.sweep()
    [result] = texts_to(sent, PARTNER_GROUP)
    assert "不符合要求" in result and "紫阳中学到场4人，不足5人" in result
    [online] = await chat.rows(OnlineSession)
    assert online.valid is False and online.summary_status == ""


async def test_here_outside_a_session_window_and_by_a_school_not_taking_part(partnership):
    chat = partnership.chat
    assert "现在没有进行中的网络研讨" in await chat.one("/here", user="b1")
    await chat.say(LINE, user="coord", chat=BASE_GROUP)
    chat.clock.set(datetime(2026, 11, 25, 18, 40, tzinfo=SHANGHAI))
    assert "现在没有进行中的网络研讨" in await chat.one("/here", user="b1")
    chat.clock.set(datetime(2026, 11, 25, 18, 50, tzinfo=SHANGHAI))
    assert "已到场" in await chat.one("/here", user="b1")
    assert "已经在 #1 签到了（18:50）" in await chat.one("/here", user="b1")
    await chat.join("x1", "外校老师", "别的学校")
    assert "现在没有进行中的网络研讨" in await chat.one("/here", user="x1")


async def test_cancel_and_move_are_for_the_host_and_coordinators(partnership):
    chat = partnership.chat
    await chat.say(LINE, user="coord", chat=BASE_GROUP)
    await chat.one("/grant 基地1号 主持人", user="coord")
    assert "不是您主持的研讨" in await chat.one("/session cancel 1", user="b1")
    moved = await chat.say("/session move 1 11月26日 19:30", user="host", chat=BASE_GROUP)
    assert moved[0].startswith("🔁 网络研讨改期：#1 11月26日（周四）19:30–20:30")
    assert "没有编号为 #9" in await chat.one("/session cancel 9", user="coord")
    cancelled = await chat.say("/session cancel 1 主持人临时有公开课", user="coord", chat=BASE_GROUP)
    assert "已取消" in cancelled[0] and "主持人临时有公开课" in cancelled[0]
    assert "已经结束或取消了" in await chat.one("/session start 1", user="host")
    listing = await chat.one("/sessions", user="b1")
    assert "#1 11月26日（周四）19:30–20:30《单元整体教学设计》" in listing and "已取消" in listing


async def test_the_result_names_who_counted_and_who_stayed_too_short(partnership):
    chat = partnership.chat
    await chat.say(LINE, user="coord", chat=BASE_GROUP)
    chat.clock.set(START)
    await partnership.everyone_here(["host", *partnership.base, *partnership.partner])
    chat.clock.advance(minutes=10)
    await chat.one("/bye", user="p5", chat=PARTNER_GROUP)
    chat.clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=SHANGHAI))
    [result] = texts_to(await partnership.sweep(), PARTNER_GROUP)[:1]
    assert "计入人数：" in result and "合作1号" in result.split("计入人数：")[1].split("\n")[0]
    assert "在场时间不足、未计入：合作5号（10分钟）" in result


async def test_a_coordinator_corrects_attendance_and_the_session_is_judged_again(partnership):
    chat = partnership.chat
    await chat.say(LINE, user="coord", chat=BASE_GROUP)
    chat.clock.set(START)
    await partnership.everyone_here(["host", *partnership.base, *partnership.partner[:4]])
    chat.clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=SHANGHAI))
    await partnership.sweep()
    [online] = await chat.rows(OnlineSession)
    assert online.valid is False
    assert "权限" in await chat.one("/session attend 1 合作5号", user="p1", chat=PARTNER_GROUP)
    replies = await chat.say("/session attend 1 合作5号", user="coord", chat=BASE_GROUP)
    assert replies[0] == "已为 #1 补录参会：合作5号。"
    corrected = [text for text in replies if text.startswith("【更正】")]
    assert corrected and "有效" in corrected[0]
    [online] = await chat.rows(OnlineSession)
    assert online.valid is True and online.summary_status == "requested"
    assert any(line.member_id and line.source == "session:1" for line in await chat.rows(HoursLine))
    assert "session.attend" in [e.action for e in await chat.rows(AuditEntry)]
    assert "没有新增" in await chat.one("/session attend 1 合作5号", user="coord", chat=BASE_GROUP)


async def test_scheduling_warns_when_a_school_cannot_field_enough_teachers(chat):
    await chat.join("coord", "教研室", "紫阳县第二小学", roles=("coordinator",))
    await chat.join("host", "王芳", "紫阳县第二小学", roles=("teacher", "host"))
    await chat.enrol("合作1号", "紫阳中学")
    await chat.one("/school role 紫阳县第二小学 基地校", user="coord")
    await chat.one("/school role 紫阳中学 帮扶校", user="coord")
    reply = (await chat.say(LINE, user="coord"))[0]
    assert "紫阳中学名单上只有1人，少于每校至少5人" in reply
    assert "紫阳县第二小学名单上只有2人" in reply


async def test_a_bare_weekday_means_the_coming_one_and_an_unclear_week_is_asked(partnership):
    chat = partnership.chat
    chat.clock.set(datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI))  # a Thursday
    reply = (await chat.say("/session new 周三 19:00 | 60 | 单元设计 | 王芳", user="coord"))[0]
    assert "12月2日（周三）19:00" in reply, "the coming Wednesday, not yesterday"
    chat.clock.set(datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI))  # a Saturday
    asked = await chat.one("/session new 下周日 19:00 | 60 | 单元设计 | 王芳", user="coord")
    assert "还是再下一周" in asked and "请写明日期" in asked
    assert len(await chat.rows(OnlineSession)) == 1
