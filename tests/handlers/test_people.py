"""Joining against the roster, coordinators' approvals, roles, placement, mentors and the audit log."""

from __future__ import annotations

from storage.models import Account, AuditEntry, JoinRequest, Member, MemberRole, Mentorship

SCHOOL = "紫阳县第二小学"


async def make_coordinator(chat, user: str = "coord", name: str = "教研室") -> None:
    await chat.join(user, name, SCHOOL)
    assert "已授予" in await chat.one(f"/grant {name} 协调员", user="admin")


async def test_join_links_to_the_one_matching_roster_entry_by_a_partial_school_name(chat):
    member_id = await chat.enrol("王芳")
    code = await chat.invitation(member_id)
    assert "登记成功：王芳，紫阳县第二小学" in await chat.one(f"/join 王芳 第二小学 {code.lower()}")
    [account] = await chat.rows(Account)
    assert account.member_id == member_id and account.user_id == "u1"
    assert await chat.rows(JoinRequest) == []


async def test_join_without_a_roster_entry_waits_for_approval_and_stores_no_member(chat):
    await chat.enrol("李明")
    reply = await chat.one("/join 王芳 紫阳县第二小学")
    assert "编号 #1" in reply and "名单里没有找到您" in reply and "/approve 1" in reply
    assert [m.name for m in await chat.rows(Member)] == ["李明"]
    assert "请先登记身份" in await chat.one("签到")
    again = await chat.one("/join 王芳 | 紫阳县第二小学")
    assert "编号 #1" in again, "a second /join refreshes the same request"
    assert len(await chat.rows(JoinRequest)) == 1


async def test_namesakes_and_claimed_entries_are_never_picked_by_the_teacher(chat):
    first, second = await chat.enrol("王芳"), await chat.enrol("王芳")
    ambiguous = await chat.one("/join 王芳 紫阳县第二小学", user="u1")
    assert "不止一位王芳" in ambiguous
    await make_coordinator(chat)
    pending = await chat.one("/pending", user="coord")
    assert f"#{first} 王芳（紫阳县第二小学）" in pending and f"#{second} 王芳（紫阳县第二小学）" in pending
    assert "指定是哪一位" in await chat.one("/approve 1", user="coord")
    assert "关联到 #%d 王芳" % second in (await chat.say(f"/approve 1 #{second}", user="coord"))[0]
    claimed = await chat.one("/join 王芳 紫阳县第二小学", user="impostor")
    assert "不止一位王芳" in claimed
    accounts = await chat.rows(Account)
    assert {(a.user_id, a.member_id) for a in accounts} == {("coord", accounts[0].member_id), ("u1", second)}


async def test_an_entry_already_linked_goes_to_the_coordinator(chat):
    await chat.join("u1", "王芳")
    reply = await chat.one("/join 王芳 紫阳县第二小学", user="u2")
    assert "已经关联了另一个账号" in reply
    assert len(await chat.rows(Account)) == 1


async def test_approving_a_new_person_creates_them_as_a_teacher_and_tells_the_requester(chat_any_db):
    chat = chat_any_db
    await make_coordinator(chat)
    await chat.one("/join 赵强 紫阳县第二小学", user="u9", private=True)
    replies = await chat.say("/approve 1", user="coord")
    assert replies[0].startswith("已批准申请 #1") and "赵强老师，您的登记已通过审核" in replies[1]
    notice = chat.adapter.sent[-1]
    assert notice.chat.chat_id == "u9" and notice.chat.kind.value == "private"
    assert "赵强老师签到成功" in await chat.one("签到", user="u9")
    zhao = next(m for m in await chat.rows(Member) if m.name == "赵强")
    assert ("teacher", zhao.id) in {(r.role, r.member_id) for r in await chat.rows(MemberRole)}
    assert "已经处理过了" in await chat.one("/approve 1", user="coord")
    actions = [entry.action for entry in await chat.rows(AuditEntry)]
    assert actions[-2:] == ["member.add", "join.approve"]


async def test_approve_to_another_school_and_reject_with_a_reason(chat):
    await make_coordinator(chat)
    assert "已添加学校" in await chat.one("/school add 紫阳中学 帮扶校", user="coord")
    await chat.one("/join 赵强 紫阳县一中", user="u9")
    assert "找不到学校“紫阳县一中”" in await chat.one("/approve 1", user="coord")
    assert "关联到" in (await chat.say("/approve 1 紫阳中学", user="coord"))[0]
    await chat.one("/join 钱多 某某学校", user="u8")
    replies = await chat.say("/reject 2 不是本项目学员", user="coord")
    assert replies[0] == "已拒绝申请 #2（钱多）。" and "不是本项目学员" in replies[1]
    assert "没有待审核" in await chat.one("/pending", user="coord")
    assert "没有编号为 #7" in await chat.one("/approve 7", user="coord")


async def test_a_configured_admin_joins_an_existing_school_directly(chat):
    assert "还没有“实验中学”" in await chat.one("/join 李主任 实验中学", user="admin")
    assert "已添加学校" in await chat.one("/school add 实验中学", user="admin")
    assert "登记成功" in await chat.one("/join 李主任 实验中学", user="admin")


async def test_grants_and_revokes_are_checked_and_audited(chat_any_db):
    chat = chat_any_db
    await make_coordinator(chat)
    await chat.join("u1", "王芳")
    assert "已授予 #" in await chat.one("/grant 王芳 坊主", user="coord")
    assert "已经是“坊主”" in await chat.one("/grant 王芳 workshop_leader", user="coord")
    assert "只有管理员" in await chat.one("/grant 王芳 管理员", user="coord")
    assert "没有“校长”这个角色" in await chat.one("/grant 王芳 校长", user="coord")
    assert "名单里没有“张三”" in await chat.one("/grant 张三 组长", user="coord")
    assert "已收回" in await chat.one("/revoke 王芳 坊主", user="coord")
    assert "没有“坊主”角色" in await chat.one("/revoke 王芳 坊主", user="coord")
    [grant, revoke] = [e for e in await chat.rows(AuditEntry) if e.action.startswith("role.") and "王芳" in e.target]
    assert grant.before == {"roles": ["teacher"]} and grant.after == {"roles": ["teacher", "workshop_leader"]}
    assert revoke.after == {"roles": ["teacher"]} and "教研室" in revoke.actor


async def test_assign_moves_people_between_units(chat):
    await make_coordinator(chat)
    await chat.join("u1", "王芳")
    await chat.one("/workshop add 小学语文工作坊 语文", user="coord")
    await chat.one("/group add 语文一组 小学语文工作坊", user="coord")
    assert "小组设为：语文一组" in await chat.one("/assign 王芳 小组 语文一组", user="coord")
    assert "工作坊设为：小学语文工作坊" in await chat.one("/assign 王芳 工作坊 小学语文工作坊", user="coord")
    assert "小组设为：无" in await chat.one("/assign 王芳 小组 无", user="coord")
    assert "不能移出学校" in await chat.one("/assign 王芳 学校 无", user="coord")
    assert "没有找到小组“二组”" in await chat.one("/assign 王芳 小组 二组", user="coord")
    wang = next(m for m in await chat.rows(Member) if m.name == "王芳")
    assert wang.workshop_id is not None and wang.group_id is None


async def test_mentors_pair_with_apprentices(chat):
    await make_coordinator(chat)
    await chat.join("u1", "王芳")
    await chat.join("u2", "张老师")
    assert "还不是导师" in await chat.one("/pair 张老师 王芳", user="coord")
    await chat.one("/grant 张老师 导师", user="coord")
    assert "已结对：导师 #" in await chat.one("/pair 张老师 王芳", user="coord")
    assert "已经结对了" in await chat.one("/pair 张老师 王芳", user="coord")
    assert "张老师 → 王芳（紫阳县第二小学）" in await chat.one("/pair", user="coord")
    assert "不能是同一个人" in await chat.one("/pair 张老师 张老师", user="coord")
    assert "已解除结对" in await chat.one("/unpair 张老师 王芳", user="coord")
    assert await chat.rows(Mentorship) == []


async def test_audit_log_is_for_admins_and_filters_by_action(chat):
    await make_coordinator(chat)
    await chat.one("/school add 紫阳中学", user="coord")
    assert "没有使用 /audit 的权限" in await chat.one("/audit", user="coord")
    log = await chat.one("/audit 10 school", user="admin")
    assert "最近1条操作" in log and "school.add 紫阳中学" in log and "教研室 (memory:coord)" in log
    assert "role.grant" in await chat.one("/audit", user="admin")
    assert "用法" in await chat.one("/audit 500", user="admin")
