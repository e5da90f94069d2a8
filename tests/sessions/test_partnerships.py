"""Two partnerships (培育站) in one program, through the chat: each 基地校 runs sessions with its own
partners, counts its own quota, and /compliance reports each under its 基地校's name."""

from __future__ import annotations

from datetime import datetime

from storage.models import AuditEntry, OnlineSession, School
from tests.conftest import SHANGHAI
from tests.sessions.conftest import BASE, BASE_GROUP, PARTNER, PARTNER_GROUP, Partnership

BASE_B, PARTNER_B = "城关小学", "向阳小学"
BASE_B_GROUP, PARTNER_B_GROUP = "group-base-b", "group-partner-b"
SESSION_A = "/session new 11月25日 19:00 | 60 | 单元整体教学设计 | 王芳"
SESSION_B = "/session new 11月26日 19:00 | 60 | 整本书阅读 | 李华"


async def make_second_partnership(partnership: Partnership) -> tuple[list[str], list[str]]:
    """城关小学 (基地校) with 向阳小学 (引领校): a host, five teachers each, one group chat each.
    The first partnership's partner is assigned to its 基地校 by name, as a county with two would do."""
    chat = partnership.chat
    await chat.join("host-b", "李华", BASE_B, roles=("teacher", "host"))
    base = [f"c{i}" for i in range(1, 6)]
    partner = [f"x{i}" for i in range(1, 6)]
    for number, user in enumerate(base, 1):
        await chat.join(user, f"城关{number}号", BASE_B)
    for number, user in enumerate(partner, 1):
        await chat.join(user, f"向阳{number}号", PARTNER_B)
    assert "基地校" in await chat.one(f"/school role {BASE_B} 基地校", user="coord")
    assert "已将“紫阳中学”归入紫阳县第二小学" in await chat.one(f"/school base {PARTNER} {BASE}", user="coord")
    await chat.one(f"/school role {PARTNER_B} 引领校", user="coord")
    assert "归入城关小学（基地校）" in await chat.one(f"/school base {PARTNER_B} {BASE_B}", user="coord")
    await chat.one(f"/bind school {BASE_B}", user="coord", chat=BASE_B_GROUP)
    await chat.one(f"/bind school {PARTNER_B}", user="coord", chat=PARTNER_B_GROUP)
    return base, partner


async def everyone_here(chat, users: dict[str, str]) -> None:
    for user, group in users.items():
        assert "已到场" in await chat.one("/here", user=user, chat=group), user


async def test_schools_name_their_base_school_and_the_list_groups_them(chat):
    await chat.join("coord", "教研室", BASE, roles=("coordinator",))
    assert "已添加学校：城关小学（基地校）" in await chat.one("/school add 城关小学 基地校", user="coord")
    added = await chat.one("/school add 向阳小学 引领校 城关小学", user="coord")
    assert "已添加学校：向阳小学（引领校，基地校：城关小学）" in added
    await chat.one("/school add 新华小学 帮扶校 城关小学", user="coord")
    refusals = {
        "/school add 东关小学 帮扶校 向阳小学": "“向阳小学”不是基地校",
        "/school add 西关小学 基地校 城关小学": "“西关小学”本身是基地校",
        "/school add 南关小学 帮扶校 没有这所": "没有找到学校“没有这所”",
        f"/school base 城关小学 {BASE}": "“城关小学”本身是基地校",
        "/school base 新华小学 向阳小学": "“向阳小学”不是基地校",
        "/school base 新华小学 新华小学": "不能做自己的基地校",
        "/school role 城关小学 帮扶校": "还带着结对学校",
    }
    for text, expected in refusals.items():
        assert expected in await chat.one(text, user="coord"), text
    assert "设为基地校" in await chat.one(f"/school role {BASE} 基地校", user="coord")
    assert "归入紫阳县第二小学（基地校）" in await chat.one(f"/school base 新华小学 {BASE}", user="coord")
    listing = (await chat.one("/school list", user="coord")).splitlines()
    assert listing == [
        "学校（4个）：",
        "· 城关小学 · 基地校 — 0人",
        "　└ · 向阳小学 · 引领校 — 0人",
        "· 紫阳县第二小学 · 基地校 — 1人",
        "　└ · 新华小学 · 帮扶校 — 0人",
    ]
    schools = {school.name: school for school in await chat.rows(School)}
    assert schools["向阳小学"].base_school_id == schools["城关小学"].id
    assert schools["新华小学"].base_school_id == schools[BASE].id
    assert schools["城关小学"].base_school_id is None and "东关小学" not in schools
    [moved] = [entry for entry in await chat.rows(AuditEntry) if entry.action == "school.base"]
    assert moved.target == "新华小学" and moved.before == {"base": "城关小学"} and moved.after == {"base": BASE}
    await chat.join("t1", "张老师", BASE)
    assert "没有使用 /school 的权限" in await chat.one("/school base 新华小学 城关小学", user="t1")


async def test_a_session_belongs_to_its_hosts_partnership_only(partnership):
    chat = partnership.chat
    await make_second_partnership(partnership)
    before = len(chat.adapter.sent)
    replies = await chat.say(SESSION_A, user="coord", chat=BASE_GROUP)
    assert "紫阳县第二小学、紫阳中学" in replies[0] and "城关小学" not in replies[0]
    announced = {m.chat.chat_id for m in chat.adapter.sent[before:]}
    assert announced == {BASE_GROUP, PARTNER_GROUP}, "partnership B's groups hear nothing of A's session"
    refused = await chat.one(f"{SESSION_B} | | {PARTNER}", user="coord")
    assert "紫阳中学不在城关小学（基地校）的结对里" in refused
    assert "不在城关小学" in await chat.one(f"{SESSION_B} | | {PARTNER_B}、{PARTNER}", user="coord")
    await chat.one("/grant 城关1号 主持人", user="coord")
    assert "城关小学" in (await chat.say(f"{SESSION_B} | | {PARTNER_B}", user="coord", chat=BASE_B_GROUP))[0]
    sessions = sorted(await chat.rows(OnlineSession), key=lambda online: online.id)
    assert len(sessions) == 2
    chat.clock.set(datetime(2026, 11, 25, 19, 0, tzinfo=SHANGHAI))
    assert "没有进行中的网络研讨" in await chat.one("/here", user="x1", chat=PARTNER_B_GROUP)


async def test_compliance_counts_each_partnership_on_its_own_sessions(partnership):
    chat = partnership.chat
    base_b, partner_b = await make_second_partnership(partnership)
    await chat.say(SESSION_A, user="coord", chat=BASE_GROUP)
    await chat.say(SESSION_B, user="coord", chat=BASE_B_GROUP)
    chat.clock.set(datetime(2026, 11, 25, 19, 0, tzinfo=SHANGHAI))
    await partnership.everyone_here(["host", *partnership.base, *partnership.partner])
    chat.clock.set(datetime(2026, 11, 25, 20, 1, tzinfo=SHANGHAI))
    await partnership.sweep()
    chat.clock.set(datetime(2026, 11, 26, 19, 0, tzinfo=SHANGHAI))
    await everyone_here(chat, {"host-b": BASE_B_GROUP, **dict.fromkeys(base_b, BASE_B_GROUP),
                               **dict.fromkeys(partner_b[:3], PARTNER_B_GROUP)})
    chat.clock.set(datetime(2026, 11, 26, 20, 1, tzinfo=SHANGHAI))
    sent = await partnership.sweep()
    results = [m for m in sent if "不符合要求" in m.text]
    assert {m.chat.chat_id for m in results} == {BASE_B_GROUP, PARTNER_B_GROUP}, "B's result stays in B"
    chat.clock.set(datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI))
    view = (await chat.one("/compliance", user="coord")).splitlines()
    first, second = view.index("城关小学（基地校）与 1 所结对学校："), view.index("紫阳县第二小学（基地校）与 1 所结对学校：")
    section_b, section_a = view[first:second], view[second:]
    assert "✅ 11月：有效1次（要求1次）" in section_a
    assert "· 紫阳县第二小学：参加1次，计入到场6人次" in section_a and "· 紫阳中学：参加1次，计入到场5人次" in section_a
    assert "⚠️ 11月：有效0次，已安排0次，要求1次，请尽快安排" in section_b, "A's valid session is not B's"
    assert "· 城关小学：参加1次，计入到场6人次" in section_b and "· 向阳小学：参加1次，计入到场3人次" in section_b
    assert not any("未归入" in line for line in view)


async def test_the_month_warning_goes_to_the_partnership_without_a_session(partnership):
    chat = partnership.chat
    await make_second_partnership(partnership)
    chat.clock.set(datetime(2026, 12, 18, 10, 0, tzinfo=SHANGHAI))
    await chat.say("/session new 12月22日 19:00 | 60 | 期末复习研讨 | 王芳", user="coord", chat=BASE_GROUP)
    chat.clock.set(datetime(2026, 12, 20, 9, 0, tzinfo=SHANGHAI))
    warnings = [m for m in await partnership.sweep() if "还没有" in m.text]
    assert {m.chat.chat_id for m in warnings} == {BASE_B_GROUP, PARTNER_B_GROUP}
    assert all(m.text.startswith("⚠️ 城关小学（基地校）的结对12月还没有") for m in warnings)
    chat.clock.advance(days=1)
    assert [m for m in await partnership.sweep() if "还没有" in m.text] == []


async def test_a_partner_school_left_unassigned_is_named_until_it_is_placed(partnership):
    chat = partnership.chat
    await chat.one("/school add 城关小学 基地校", user="coord")
    view = await chat.one("/compliance", user="coord")
    assert "紫阳县第二小学（基地校）与 0 所结对学校：" in view and "城关小学（基地校）与 0 所结对学校：" in view
    assert "⚠️ 未归入任何结对的学校：紫阳中学。请用 /school base" in view
    assert "不在紫阳县第二小学（基地校）的结对里" in await chat.one(f"{SESSION_A} | | {PARTNER}", user="coord")
    await chat.one(f"/school base {PARTNER} {BASE}", user="coord")
    view = await chat.one("/compliance", user="coord")
    assert "紫阳县第二小学（基地校）与 1 所结对学校：" in view and "未归入" not in view
    replies = await chat.say(SESSION_A, user="coord", chat=BASE_GROUP)
    assert "紫阳县第二小学、紫阳中学" in replies[0]


ROSTER = """姓名,学校,基地校
李华,城关小学,
向阳1号,向阳小学,城关小学
向阳2号,向阳小学,城关小学
新华1号,新华小学,向阳小学
东关1号,东关小学,城关小学
王二,紫阳县第二小学,城关小学
错填1号,向阳小学,紫阳县第二小学
""".encode()


async def test_a_roster_with_a_base_school_column_sets_the_partnerships(chat):
    from tests.handlers.test_roster_import import import_dry_run

    await chat.join("coord", "教研室", BASE, roles=("coordinator",))
    await chat.one(f"/school role {BASE} 基地校", user="coord")
    report = await import_dry_run(chat, ROSTER)
    assert "将设置基地校：东关小学→城关小学、向阳小学→城关小学" in report
    assert "第5行 新华1号：“向阳小学”是结对学校，不是基地校" in report
    assert "第7行 王二：“紫阳县第二小学”本身是基地校" in report
    assert "第8行 错填1号：第3行已把“向阳小学”归入城关小学" in report
    assert {school.name for school in await chat.rows(School)} == {BASE}, "a dry run changes nothing"
    assert "名单已导入：新增4人" in await chat.one("确认", user="coord", private=True)
    schools = {school.name: school for school in await chat.rows(School)}
    assert schools["城关小学"].role == "base" and schools["城关小学"].base_school_id is None
    assert schools["向阳小学"].base_school_id == schools["东关小学"].base_school_id == schools["城关小学"].id
    assert "新华小学" not in schools and schools[BASE].base_school_id is None
    [entry] = [e for e in await chat.rows(AuditEntry) if e.action == "roster.import"]
    assert entry.after["partnerships"] == [["东关小学", "城关小学"], ["向阳小学", "城关小学"]]
    view = await chat.one("/compliance", user="coord")
    assert "城关小学（基地校）与 2 所结对学校：" in view and "紫阳县第二小学（基地校）与 0 所结对学校：" in view
    assert "· 东关小学：参加0次，计入到场0人次" in view
    again = await import_dry_run(chat, ROSTER, name="名单2.csv")
    assert "将设置基地校" not in again, "what is stored already is no change"
