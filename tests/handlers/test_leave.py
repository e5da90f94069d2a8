"""Leave and objections through the chat: asked by teachers, decided by coordinators, audited."""

from __future__ import annotations


from storage.models import AuditEntry, LeaveRequest, Objection
from tests.handlers.test_people import make_coordinator


async def test_a_teacher_asks_for_leave_and_hears_the_coordinators_decision_where_she_asked(chat):
    await chat.join("u1", "王芳")
    await make_coordinator(chat)
    reply = await chat.one("请假 12月3日-12月5日 病假 发烧")
    assert "已提交请假申请 #1" in reply and "病假" in reply
    [row] = await chat.rows(LeaveRequest)
    assert (row.status, row.kind) == ("pending", "sick")
    assert (row.first_day.month, row.first_day.day, row.last_day.day) == (12, 3, 5)

    listing = await chat.one("/leaves", user="coord", private=True)
    assert "#1 王芳（紫阳县第二小学）" in listing and "待审批" in listing

    replies = await chat.say("/leave approve 1 注意休息", user="coord", private=True)
    assert "已批准 #1 王芳" in replies[0]
    assert any("您的请假" in text and "已批准" in text and "注意休息" in text for text in replies[1:])
    notice = chat.adapter.sent[-1]
    assert notice.chat.chat_id == "group-1", "the decision goes to the chat the teacher asked in"
    [row] = await chat.rows(LeaveRequest)
    assert row.status == "approved" and row.decided_by
    actions = [entry.action for entry in await chat.rows(AuditEntry)]
    assert "leave.request" in actions and "leave.approve" in actions

    assert "已经处理过了" in await chat.one("/leave reject 1", user="coord", private=True)


async def test_overlapping_and_unreadable_leave_are_refused_without_storing(chat):
    await chat.join("u1", "王芳")
    assert "#1" in await chat.one("/leave 12月3日-12月5日 事假")
    assert "已有请假申请 #1" in await chat.one("/leave 12月4日 病假")
    assert "没有看懂请假日期" in await chat.one("/leave 下下下周 病假")
    assert "请写上请假事由" in await chat.one("/leave 12月9日")
    assert len(await chat.rows(LeaveRequest)) == 1


async def test_only_coordinators_decide_leave(chat):
    await chat.join("u1", "王芳")
    await chat.join("u2", "李明")
    await chat.one("请假 明天 事假")
    assert "没有" in await chat.one("/leave approve 1", user="u2") and "权限" in await chat.one("/leave approve 1", user="u2")
    assert "权限" in await chat.one("/leaves", user="u2")
    [row] = await chat.rows(LeaveRequest)
    assert row.status == "pending"


async def test_chatter_about_leave_is_not_a_request(chat):
    await chat.join("u1", "王芳")
    assert await chat.say("请假条怎么写？") == []
    assert await chat.rows(LeaveRequest) == []


async def test_an_objection_waits_for_the_coordinator_and_the_answer_reaches_the_teacher(chat):
    await chat.join("u1", "王芳")
    await make_coordinator(chat)
    reply = await chat.one("异议 11月的反思已经交了，成绩里显示缺交")
    assert "异议 #1" in reply
    [row] = await chat.rows(Objection)
    assert row.status == "open" and "11月的反思" in row.text
    listing = await chat.one("/objections", user="coord", private=True)
    assert "#1 王芳" in listing and "11月的反思" in listing
    replies = await chat.say("/objections resolve 1 已核实，已补记并调整", user="coord", private=True)
    assert "已答复 #1 王芳" in replies[0]
    assert any("已核实" in text for text in replies[1:])
    [row] = await chat.rows(Objection)
    assert row.status == "resolved" and row.resolution.startswith("已核实")
    assert "没有待处理的成绩异议" in await chat.one("/objections", user="coord", private=True)
    assert "权限" in await chat.one("/objections", user="u1")
