"""Schools, workshops, study groups, bound chats and the roster view, as a coordinator uses them."""

from __future__ import annotations

from storage.models import Account, AuditEntry, ChatBinding, School, StudyGroup, Workshop
from tests.handlers.test_people import make_coordinator


async def test_schools_are_added_listed_typed_renamed_archived_and_restored(chat):
    await make_coordinator(chat)
    assert "已添加学校：紫阳中学（帮扶校）" in await chat.one("/school add 紫阳中学 帮扶校", user="coord")
    assert "已经存在" in await chat.one("/school add 紫阳中学", user="coord")
    assert "没有“名校”这种学校类型" in await chat.one("/school add 安康中学 名校", user="coord")
    assert "已将“紫阳中学”设为引领校" in await chat.one("/school role 紫阳中学 lead", user="coord")
    assert "改名为“紫阳县紫阳中学”" in await chat.one("/school rename 紫阳中学 紫阳县紫阳中学", user="coord")
    assert "已归档学校“紫阳县紫阳中学”" in await chat.one("/school archive 紫阳县紫阳中学", user="coord")
    assert "已经归档了" in await chat.one("/school 归档 紫阳县紫阳中学", user="coord")
    listing = await chat.one("/school list", user="coord")
    assert "· 紫阳县第二小学 — 1人" in listing and "· 紫阳县紫阳中学 · 引领校 — 0人（已归档）" in listing
    assert "已恢复" in await chat.one("/school restore 紫阳县紫阳中学", user="coord")
    assert "用法：/school add" in await chat.one("/school fly", user="coord")
    schools = {s.name: s for s in await chat.rows(School)}
    assert schools["紫阳县紫阳中学"].role == "lead" and schools["紫阳县紫阳中学"].archived_at is None
    actions = [e.action for e in await chat.rows(AuditEntry) if e.action.startswith("school.")]
    assert actions == ["school.add", "school.role", "school.rename", "school.archive", "school.restore"]


async def test_workshops_and_groups(chat):
    await make_coordinator(chat)
    assert "还没有工作坊" in await chat.one("/workshop", user="coord")
    assert "已添加工作坊：小学语文工作坊（语文）" in await chat.one("/workshop add 小学语文工作坊 语文", user="coord")
    assert "没有找到工作坊“数学坊”" in await chat.one("/group add 数学一组 数学坊", user="coord")
    assert "已添加小组：语文一组" in await chat.one("/group add 语文一组 小学语文工作坊", user="coord")
    assert "不能用作名称" in await chat.one("/group add 组", user="coord")
    [group] = await chat.rows(StudyGroup)
    [workshop] = await chat.rows(Workshop)
    assert group.workshop_id == workshop.id and workshop.subject == "语文"


async def test_bind_a_group_chat_to_a_school_then_rebind_and_unbind(chat):
    await make_coordinator(chat)
    assert "本群还没有绑定" in await chat.one("/bind", user="coord")
    assert "没有找到学校“不存在的学校”" in await chat.one("/bind school 不存在的学校", user="coord")
    assert "已将本群绑定到学校“紫阳县第二小学”" in await chat.one("/bind school 紫阳县第二小学", user="coord")
    await chat.one("/workshop add 小学语文工作坊", user="coord")
    assert "工作坊“小学语文工作坊”" in await chat.one("/bind 工作坊 小学语文工作坊", user="coord")
    [binding] = await chat.rows(ChatBinding)
    assert binding.scope == "workshop" and binding.school_id is None and binding.title == "校本研修群"
    assert "整个项目" in await chat.one("/bind program", user="coord")
    assert "只能在群里使用" in await chat.one("/bind program", user="coord", private=True)
    assert "已解除本群与整个项目的绑定" in await chat.one("/unbind", user="coord")
    assert "本群没有绑定" in await chat.one("/unbind", user="coord")
    rebind = next(e for e in await chat.rows(AuditEntry) if e.action == "chat.bind" and e.before)
    assert rebind.before == {"scope": "school", "name": "紫阳县第二小学"}
    assert rebind.after == {"scope": "workshop", "name": "小学语文工作坊"}


async def test_roster_shows_linked_unlinked_and_departed_people_of_the_bound_school(chat_any_db):
    chat = chat_any_db
    await make_coordinator(chat)
    await chat.join("u1", "王芳")
    await chat.enrol("李明")
    await chat.enrol("赵强")
    await chat.one("/bind school 紫阳县第二小学", user="coord")
    assert "已将 #" in await chat.one("/roster leave 赵强", user="coord")
    roster = await chat.one("/roster", user="coord")
    assert "学校“紫阳县第二小学”名单：3人，已关联聊天账号2人" in roster
    assert "李明 #" in roster and "（未关联）" in roster
    assert "尚未关联聊天账号（1人）：李明" in roster and "已离开（1人）：赵强" in roster
    assert "协调员" in roster, "roles other than teacher are shown"
    overview = await chat.one("/roster", user="coord", chat="other-group")
    assert "全项目名单：3人" in overview and "紫阳县第二小学：3人（已关联2人）" in overview


async def test_leaving_unlinks_accounts_and_keeps_the_member(chat):
    await make_coordinator(chat)
    await chat.join("u1", "王芳")
    await chat.one("/roster leave 王芳", user="coord")
    assert [a.user_id for a in await chat.rows(Account)] == ["coord"]
    assert "请先登记身份" in await chat.one("签到", user="u1")


async def test_leaders_see_only_their_own_unit(chat):
    await make_coordinator(chat)
    await chat.one("/workshop add 小学语文工作坊", user="coord")
    await chat.one("/workshop add 小学数学工作坊", user="coord")
    await chat.join("u1", "王芳")
    await chat.one("/assign 王芳 工作坊 小学语文工作坊", user="coord")
    await chat.one("/grant 王芳 坊主", user="coord")
    own = await chat.one("/roster", user="u1", chat="elsewhere")
    assert "工作坊“小学语文工作坊”名单：1人" in own
    assert "只能查看自己负责" in await chat.one("/roster workshop 小学数学工作坊", user="u1")
    assert "只能查看自己负责" in await chat.one("/roster school 紫阳县第二小学", user="u1")
    await chat.join("u2", "李明")
    assert "没有使用 /roster 的权限" in await chat.one("/roster", user="u2")
