"""The dashboard over plain HTTP: links from chat, scopes, refusals, approvals, downloads, audit."""

from __future__ import annotations

import re

import aiohttp
import pytest

from storage.models import Account, AuditEntry, JoinRequest
from tests.web.scenario import BASE_SCHOOL, PARTNER_SCHOOL, Program


def browser() -> aiohttp.ClientSession:
    """A client that keeps cookies for 127.0.0.1 as a browser does."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def get(client: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with client.get(url) as response:
        return response.status, await response.text()


async def actions(program: Program) -> list[str]:
    return [entry.action for entry in await program.chat.rows(AuditEntry)]


async def test_a_coordinator_signs_in_by_link_and_sees_every_school_with_the_one_behind_marked(program):
    link = await program.link_for("coord")
    reply = program.chat.adapter.sent[-1]
    assert reply.chat.kind.value == "private" and "10:15前有效" in reply.text
    async with browser() as client:
        status, html = await get(client, link)
        assert status == 200 and 'id="scope">教师研修项目' in html
        rows = re.findall(r'<tr class="(behind)?" data-unit="([^"]+)"', html)
        assert rows == [("behind", PARTNER_SCHOOL), ("", BASE_SCHOOL)]
        assert re.search(r'id="behind">紫阳中学<', html)
        base_row = html[html.index(f'data-unit="{BASE_SCHOOL}"'):]
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", base_row[:base_row.index("</tr>")])
        assert cells[:3] == ["3", "2/3", "2/3"], "teachers; this month's reflections and cases handed in"
        status, people = await get(client, f"{program.base}/dashboard/people")
        assert status == 200 and all(name in people for name in ("王芳", "李明", "陈静", "刘洋", "周老师"))
        status, found = await get(client, f"{program.base}/dashboard/people?q=王")
        assert "王芳" in found and "陈静" not in found
        status, teacher = await get(client, f"{program.base}/dashboard/people/{program.member_ids['王芳']}")
        assert status == 200 and "分数的初步认识" in teacher and "教学反思" in teacher
    assert (await actions(program))[-5:] == ["dashboard.login", "dashboard.view", "dashboard.view",
                                             "dashboard.view", "dashboard.view"]


async def test_a_school_leader_sees_only_their_school(program):
    async with browser() as client:
        status, html = await get(client, await program.link_for("lead"))
        assert status == 200 and f'id="scope">{PARTNER_SCHOOL}' in html
        assert re.findall(r'data-unit="([^"]+)"', html) == [PARTNER_SCHOOL]
        _, people = await get(client, f"{program.base}/dashboard/people")
        assert "陈静" in people and "王芳" not in people and "李明" not in people
        status, _ = await get(client, f"{program.base}/dashboard/people/{program.member_ids['王芳']}")
        assert status == 404
        status, _ = await get(client, f"{program.base}/dashboard/operations")
        assert status == 403
        _, waiting = await get(client, f"{program.base}/dashboard/waiting")
        assert "赵强" not in waiting and "由协调员审核" in waiting
        async with client.get(f"{program.base}/dashboard/downloads/export.xlsx?unit=program") as response:
            assert response.status == 403
        async with client.get(f"{program.base}/dashboard/downloads/export.xlsx?unit=school:1") as response:
            assert response.status == 403, "another school's workbook"


async def test_tampered_expired_and_missing_passes_get_403_and_are_audited(program):
    link = await program.link_for("lead")
    body, mac = link.split("t=", 1)[1].split(".")
    widened = link.replace(body, body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1])
    async with browser() as client:
        for url in (widened, link.replace(mac, mac[::-1]), f"{program.base}/dashboard/login",
                    f"{program.base}/dashboard/people"):
            status, html = await get(client, url)
            assert status == 403 and "/dashboard 获取新的链接" in html and "陈静" not in html
    program.chat.clock.advance(minutes=15)
    async with browser() as client:
        status, _ = await get(client, link)
        assert status == 403
    refusals = [e for e in await program.chat.rows(AuditEntry) if e.action == "dashboard.refused"]
    assert [e.after["reason"] for e in refusals] == [
        "link tampered", "link tampered", "link malformed", "no session", "link expired"]


async def test_a_revoked_role_closes_an_open_session(program):
    async with browser() as client:
        status, _ = await get(client, await program.link_for("lead"))
        assert status == 200
        assert "已收回" in await program.chat.one("/revoke 周老师 组长", user="coord")
        status, _ = await get(client, f"{program.base}/dashboard/")
        assert status == 403
    assert "没有使用 /dashboard 的权限" in await program.chat.one("/dashboard", user="lead", private=True)


async def form_token_of(client, program) -> str:
    _, html = await get(client, f"{program.base}/dashboard/waiting")
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


async def test_approving_on_the_page_links_the_teacher_and_tells_her_in_chat(program):
    chat = program.chat
    async with browser() as client:
        await get(client, await program.link_for("coord"))
        token = await form_token_of(client, program)
        async with client.post(f"{program.base}/dashboard/waiting/1/approve",
                               data={"choice": BASE_SCHOOL}) as response:
            assert response.status == 403, "a form without its token is refused"
        assert (await chat.rows(JoinRequest))[0].decided_at is None
        async with client.post(f"{program.base}/dashboard/waiting/1/approve",
                               data={"choice": BASE_SCHOOL, "form_token": token}) as response:
            html = await response.text()
        assert response.status == 200 and "已批准申请 #1" in html and 'id="no-joins"' in html
        async with client.post(f"{program.base}/dashboard/waiting/1/approve",
                               data={"choice": BASE_SCHOOL, "form_token": token}) as response:
            assert "已经处理过了" in await response.text()
    notice = chat.adapter.sent[-1]
    assert notice.chat.chat_id == "u9" and "赵强老师，您的登记已通过审核（紫阳县第二小学）" in notice.text
    assert "赵强老师签到成功" in await chat.one("签到", user="u9", private=True)
    approvals = [e for e in await chat.rows(AuditEntry) if e.action in ("member.add", "join.approve")]
    assert [e.action for e in approvals] == ["member.add", "join.approve"]
    assert approvals[1].actor == "教研室 (memory:coord)" and approvals[1].after["name"] == "赵强"
    assert {a.user_id for a in await chat.rows(Account)} >= {"u9"}


async def test_rejecting_on_the_page_tells_the_requester_why(program):
    async with browser() as client:
        await get(client, await program.link_for("coord"))
        token = await form_token_of(client, program)
        async with client.post(f"{program.base}/dashboard/waiting/1/reject",
                               data={"reason": "不是本项目学员", "form_token": token}) as response:
            assert "已拒绝申请 #1（赵强）" in await response.text()
    assert "不是本项目学员" in program.chat.adapter.sent[-1].text
    assert "u9" not in {a.user_id for a in await program.chat.rows(Account)}


async def test_downloads_are_the_export_workbook_and_the_briefing(program):
    async with browser() as client:
        await get(client, await program.link_for("coord"))
        async with client.get(f"{program.base}/dashboard/downloads/export.xlsx?unit=school:2"
                              "&first=2026-11-01&last=2026-11-30") as response:
            body = await response.read()
            assert response.status == 200 and body[:2] == b"PK"
            assert "xlsx" in response.headers["Content-Disposition"]
        async with client.get(f"{program.base}/dashboard/downloads/briefing.docx?month=2026-11") as response:
            assert response.status == 200 and (await response.read())[:2] == b"PK"
    exports = [e for e in await program.chat.rows(AuditEntry) if e.action.startswith("export.")]
    assert [e.target for e in exports] == ["研修台账-紫阳中学-20261101-20261130.xlsx", "研修简报-2026年11月"]


@pytest.mark.parametrize("user", ["u1"])
async def test_teachers_get_no_link(program, user):
    assert "没有使用 /dashboard 的权限" in await program.chat.one("/dashboard", user=user, private=True)
    assert "只能在与我的私聊中使用" in await program.chat.one("/dashboard", user="coord")


async def test_without_the_settings_the_command_says_how_to_turn_it_on(chat):
    await chat.join("coord", "教研室")
    assert "已授予" in await chat.one("/grant 教研室 协调员", user="admin")
    assert "YANXIU_DASHBOARD_URL" in await chat.one("/dashboard", user="coord", private=True)


async def test_leave_is_decided_on_the_page_as_in_chat(program):
    chat = program.chat
    assert "已提交请假申请 #1" in await chat.one("请假 12月3日-12月5日 病假 发烧", user="u3")
    async with browser() as client:
        await get(client, await program.link_for("coord"))
        _, html = await get(client, f"{program.base}/dashboard/waiting")
        assert 'id="leave-1"' in html and "陈静" in html
        token = await form_token_of(client, program)
        async with client.post(f"{program.base}/dashboard/leave/1/approve",
                               data={"note": "注意休息", "form_token": token}) as response:
            html = await response.text()
        assert "已批准 #1 陈静" in html and 'id="no-leaves"' in html
    notice = chat.adapter.sent[-1]
    assert notice.chat.chat_id == "group-1" and "已批准" in notice.text and "注意休息" in notice.text
    assert "leave.approve" in await actions(program)
    async with browser() as client:
        await get(client, await program.link_for("lead"))
        _, html = await get(client, f"{program.base}/dashboard/waiting")
        assert "请假申请" not in html, "leave is decided by coordinators"


async def test_a_leader_posting_a_decision_directly_is_refused_and_nothing_changes(program):
    from bot.domain.dashboard import form_token
    from tests.web.scenario import SECRET

    assert "已提交请假申请 #1" in await program.chat.one("请假 12月3日 事假", user="u3")
    async with browser() as client:
        await get(client, await program.link_for("lead"))
        cookie = next(c.value for c in client.cookie_jar if c.key == "yanxiu_dashboard")
        token = form_token(cookie, SECRET.encode())
        for path in ("waiting/1/approve", "leave/1/approve"):
            async with client.post(f"{program.base}/dashboard/{path}",
                                   data={"choice": BASE_SCHOOL, "form_token": token}) as response:
                assert "没有使用" in await response.text()
    assert (await program.chat.rows(JoinRequest))[0].decided_at is None
    assert "u9" not in {a.user_id for a in await program.chat.rows(Account)}
    assert not {"join.approve", "leave.approve"} & set(await actions(program))


async def test_sessions_show_validity_per_school_and_who_attended(sqlite_url, clock):
    from datetime import datetime

    from tests.conftest import SHANGHAI
    from tests.sessions.conftest import BASE_GROUP, make_partnership
    from tests.web.scenario import open_program

    async def partnership(chat):
        return {"partnership": await make_partnership(chat)}

    async with open_program(sqlite_url, clock, partnership) as program:
        chat, together = program.chat, program.member_ids["partnership"]
        await chat.say("/session new 11月25日 19:00 | 60 | 单元整体教学设计 | 王芳", user="coord", chat=BASE_GROUP)
        async with browser() as client:
            await get(client, await program.link_for("coord"))
            _, upcoming = await get(client, f"{program.base}/dashboard/sessions")
            assert upcoming.index("单元整体教学设计") < upcoming.index("已举行"), "listed as upcoming"
            chat.clock.set(datetime(2026, 11, 25, 19, 0, tzinfo=SHANGHAI))
            await together.everyone_here(["host", *together.base, *together.partner])
            chat.clock.set(datetime(2026, 11, 25, 20, 1, tzinfo=SHANGHAI))
            await together.sweep()
            status, _ = await get(client, f"{program.base}/dashboard/sessions")
            assert status == 403, "two days later the session cookie has expired"
            await get(client, await program.link_for("coord"))
            _, held = await get(client, f"{program.base}/dashboard/sessions")
            past = held[held.index("已举行"):]
            assert "单元整体教学设计" in past and "有效" in past
            assert re.search(r"紫阳中学：<span class=\"good\">5/5</span>", past)
            assert "11人" in past and "合作5号" in past and "待提交" in past
            _, overview = await get(client, f"{program.base}/dashboard/")
            for school in ("紫阳县第二小学", "紫阳中学"):
                row = overview[overview.index(f'data-unit="{school}"'):]
                assert "11月✓" in row[:row.index("</tr>")]


async def test_operations_show_the_backlog_and_failed_sends_by_group(program):
    chat = program.chat
    assert "已将本群绑定" in await chat.one(f"/bind school {PARTNER_SCHOOL}", user="coord")
    assert "已提交请假申请 #1" in await chat.one("请假 12月3日 事假", user="u3")
    async with browser() as client:
        await get(client, await program.link_for("coord"))
        _, before = await get(client, f"{program.base}/dashboard/operations")
        assert re.search(r'id="backlog">0<', before) and "没有失败的发送" in before
        assert "校本研修群" in before and f"{PARTNER_SCHOOL}（学校）" in before
        chat.adapter.fail_next = True
        token = await form_token_of(client, program)
        async with client.post(f"{program.base}/dashboard/leave/1/approve", data={"form_token": token}) as response:
            assert "已批准 #1" in await response.text(), "the decision stands though the notice failed"
        _, after = await get(client, f"{program.base}/dashboard/operations")
    assert re.search(r'id="backlog">1<', after)
    failed = after[after.index('id="failed"'):]
    assert re.search(r"<td>校本研修群</td><td>1</td>", failed)


async def test_operations_show_when_the_scheduler_last_finished_a_sweep(program):
    from datetime import UTC, datetime

    from bot.kernel.metrics import LAST_SWEEP, record_sweep
    from tests.conftest import SHANGHAI

    record_sweep()
    finished = datetime.fromtimestamp(LAST_SWEEP.value(), UTC).astimezone(SHANGHAI)
    async with browser() as client:
        await get(client, await program.link_for("coord"))
        _, html = await get(client, f"{program.base}/dashboard/operations")
    assert re.search(rf'id="last-sweep">{finished:%m-%d %H:%M}<', html)


async def test_run_serves_the_dashboard_while_the_bot_runs_and_stops_after(sqlite_url, clock):
    from bot.adapters.memory import MemoryAdapter
    from bot.kernel.messages import ChatKind, ChatRef, IncomingMessage, Sender
    from bot.ops.app import build
    from storage.db import make_engine
    from storage.migrate import upgrade
    from tests.conftest import make_settings
    from tests.web.scenario import SECRET, free_port

    port = free_port()
    seen: list = []

    class Probing(MemoryAdapter):
        async def run(self, on_message) -> None:
            await on_message(IncomingMessage(
                chat=ChatRef("memory", "admin", ChatKind.PRIVATE), sender=Sender("admin", "管理员"),
                message_id="m1", text="/dashboard", sent_at=clock.now()))
            link = re.search(r"http\S+", self.sent[-1].text).group(0)
            async with browser() as client:
                seen.append((await get(client, link))[0])
                seen.append((await get(client, f"http://127.0.0.1:{port}/dashboard/operations"))[0])

    engine = make_engine(sqlite_url)
    await upgrade(engine)
    settings = make_settings(sqlite_url, admins="memory:admin", dashboard_url=f"http://127.0.0.1:{port}",
                             dashboard_port=port, dashboard_secret=SECRET)
    app = build(settings, Probing(), clock=clock, engine=engine)
    try:
        await app.run()
    finally:
        await app.close()
    assert seen == [200, 200]
    with pytest.raises(aiohttp.ClientConnectionError):
        async with browser() as client:
            await get(client, f"http://127.0.0.1:{port}/dashboard/")


async def test_every_page_and_a_decision_work_on_both_databases(program_any_db):
    program = program_any_db
    assert "已提交请假申请 #1" in await program.chat.one("请假 12月3日 事假", user="u3")
    async with browser() as client:
        await get(client, await program.link_for("coord"))
        for page in ("", "?by=workshop", "people", "people?q=紫阳", f"people/{program.member_ids['王芳']}",
                     "sessions", "waiting", "operations", "downloads"):
            status, html = await get(client, f"{program.base}/dashboard/{page}")
            assert status == 200 and "出错了" not in html, page
        token = await form_token_of(client, program)
        async with client.post(f"{program.base}/dashboard/waiting/1/approve",
                               data={"choice": BASE_SCHOOL, "form_token": token}) as response:
            assert "已批准申请 #1" in await response.text()
        async with client.get(f"{program.base}/dashboard/downloads/export.xlsx?unit=program") as response:
            assert response.status == 200 and (await response.read())[:2] == b"PK"
    assert "赵强老师签到成功" in await program.chat.one("签到", user="u9", private=True)


async def test_a_group_leader_downloads_her_groups_workbook_and_no_other(program):
    chat = program.chat
    for group, name in (("第一小组", "周老师"), ("第一小组", "陈静"), ("第二小组", "王芳")):
        await chat.one(f"/group add {group}", user="coord")
        assert "小组设为" in await chat.one(f"/assign {name} 小组 {group}", user="coord")
    async with browser() as client:
        _, html = await get(client, await program.link_for("lead"))
        assert 'id="scope">第一小组' in html
        _, downloads = await get(client, f"{program.base}/dashboard/downloads")
        assert "第一小组" in downloads and "第二小组" not in downloads
        async with client.get(f"{program.base}/dashboard/downloads/export.xlsx?unit=group:1") as response:
            assert response.status == 200 and (await response.read())[:2] == b"PK"
        async with client.get(f"{program.base}/dashboard/downloads/export.xlsx?unit=group:2") as response:
            assert response.status == 403, "another group's workbook"
        async with client.get(f"{program.base}/dashboard/downloads/briefing.docx?month=2026-11") as response:
            assert response.status == 403, "the briefing covers the whole program"
    exports = [e.target for e in await chat.rows(AuditEntry) if e.action == "export.workbook"]
    assert len(exports) == 1 and exports[0].startswith("研修台账-第一小组-")
