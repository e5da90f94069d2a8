"""The dashboards of a deployment of two programs over HTTP: one listener, each program under its own
path, a link from a program's chat opening that program only, and nothing of one program opening the
other's pages — neither its cookie nor its link, even for a person who coordinates both."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import quote

import aiohttp
import pytest
from openpyxl import load_workbook
from yarl import URL

from bot.adapters.memory import MemoryAdapter
from bot.domain.dashboard import PROGRAM, BadToken, LinkIssuer, dashboard_path, program_secret, verify
from bot.ops.app import dashboard_server
from bot.ops.config import Settings
from bot.ops.deployment import build_deployment
from bot.web.server import COOKIE, DashboardServer
from storage.models import Account, AuditEntry, JoinRequest
from tests.programs.test_deployment import PEIYUZHAN, SCHOOL, XIAOBEN, Chats, programs_file
from tests.web.scenario import SECRET, free_port

FIRST, SECOND = "/p/chengguan/dashboard", "/p/shexian/dashboard"
LINK = re.compile(r"https?://\S+/login\?t=\S+")


@dataclass
class Deployed:
    chats: Chats
    server: DashboardServer

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    async def link_for(self, user: str, program: str) -> str:
        """The link `user` gets by sending /dashboard in private after choosing `program` there."""
        assert "私聊消息今后交给" in await self.chats.one(f"/program {program}", user=user)
        reply = await self.chats.one("/dashboard", user=user)
        found = LINK.search(reply)
        assert found, reply
        return found.group(0)

    async def refusals(self, key: str) -> list[AuditEntry]:
        return [entry for entry in await self.chats.rows(key, AuditEntry) if entry.action == "dashboard.refused"]


@pytest.fixture
async def deployed(tmp_path, clock) -> AsyncIterator[Deployed]:
    port = free_port()
    settings = Settings(_env_file=None, platform="console", database_url=f"sqlite+aiosqlite:///{tmp_path / 'yanxiu.db'}",
                        programs=programs_file(tmp_path), files_dir=tmp_path / "files",
                        dashboard_url=f"http://127.0.0.1:{port}", dashboard_port=port, dashboard_secret=SECRET)
    adapter = MemoryAdapter()
    deployment = build_deployment(settings, adapter, clock=clock)
    await deployment.prepare()
    server = dashboard_server(deployment.apps)
    await server.start()
    chats = Chats(deployment, adapter, clock)
    # the same chat account coordinates both programs; each program has a teacher of its own
    for key, teacher, account in (("chengguan", "王芳", "wang"), ("shexian", "陈静", "chen")):
        await chats.enrol(key, "教研员", "coord", roles=("coordinator",))
        await chats.enrol(key, teacher, account)
    try:
        yield Deployed(chats, server)
    finally:
        await server.stop()
        await deployment.close()


def test_each_program_signs_with_its_own_key_and_the_only_program_keeps_todays(clock):
    secret, now = SECRET.encode(), clock.now()
    assert program_secret(secret, None) == secret and dashboard_path(None) == "/dashboard"
    assert dashboard_path("shexian") == SECOND
    keys = {key: program_secret(secret, key) for key in ("chengguan", "shexian")}
    assert len({secret, *keys.values()}) == 3
    url, _ = LinkIssuer("https://yx.example.org/", keys["chengguan"], FIRST).link("memory:coord", 1, PROGRAM, now)
    assert url.startswith(f"https://yx.example.org{FIRST}/login?t=")
    token, moment = url.split("?t=", 1)[1], int(now.timestamp())
    assert verify(token, keys["chengguan"], moment, "link").account == "memory:coord"
    for other in (keys["shexian"], secret):
        with pytest.raises(BadToken, match="tampered"):
            verify(token, other, moment, "link")


def browser() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def get(client: aiohttp.ClientSession, url: str, **options) -> tuple[int, str]:
    async with client.get(url, **options) as response:
        return response.status, await response.text()


async def test_a_coordinator_of_the_second_program_sees_its_people_only_under_its_path(deployed):
    link = await deployed.link_for("coord", "shexian")
    assert link.startswith(f"{deployed.base}{SECOND}/login?t=")
    async with browser() as client:
        async with client.get(link, allow_redirects=False) as response:
            assert response.status == 303 and response.headers["Location"] == f"{SECOND}/"
            assert f"Path={SECOND}" in response.headers["Set-Cookie"]
        status, html = await get(client, link)
        assert status == 200 and f"{XIAOBEN} · 研修看板" in html
        # every link and form of the page stays inside the program's path
        targets = re.findall(r'(?:href|action)="([^"]+)"', html)
        assert targets and all(target.startswith(f"{SECOND}/") for target in targets), targets
        status, people = await get(client, f"{deployed.base}{SECOND}/people")
        assert status == 200 and "陈静" in people and "王芳" not in people
        async with client.get(f"{deployed.base}{SECOND}", allow_redirects=False) as response:
            assert response.status == 302 and response.headers["Location"] == f"{SECOND}/"

        # the browser keeps the cookie to the second program's path: the first program's pages ask for a link
        status, page = await get(client, f"{deployed.base}{FIRST}/people")
        assert status == 403 and "/dashboard" in page and "王芳" not in page
        # and the same cookie sent there by hand is refused as well, though she coordinates both programs
        session = client.cookie_jar.filter_cookies(URL(f"{deployed.base}{SECOND}/"))[COOKIE].value
        async with aiohttp.ClientSession() as bare:
            status, page = await get(bare, f"{deployed.base}{FIRST}/people", headers={"Cookie": f"{COOKIE}={session}"})
            assert status == 403 and "王芳" not in page
            status, people = await get(bare, f"{deployed.base}{SECOND}/people", headers={"Cookie": f"{COOKIE}={session}"})
            assert status == 200 and "陈静" in people
    refused = await deployed.refusals("chengguan")
    assert [(entry.target, entry.after["reason"]) for entry in refused] == [
        (f"{FIRST}/people", "no session"), (f"{FIRST}/people", "session invalid")]
    assert await deployed.refusals("shexian") == []


async def test_a_link_signed_for_the_first_program_is_refused_on_the_seconds_path_and_audited_there(deployed):
    link = await deployed.link_for("coord", "chengguan")
    assert link.startswith(f"{deployed.base}{FIRST}/login?t=")
    token = link.split("?t=", 1)[1]
    async with browser() as client:
        status, page = await get(client, f"{deployed.base}{SECOND}/login?t={token}")
        assert status == 403 and "链接无效" in page and not client.cookie_jar.filter_cookies(URL(f"{deployed.base}{SECOND}/"))
    (refusal,) = await deployed.refusals("shexian")
    assert refusal.target == f"{SECOND}/login" and refusal.after == {"reason": "link tampered"}
    assert await deployed.refusals("chengguan") == []
    # the same link on its own program's path opens that program
    async with browser() as client:
        status, html = await get(client, link)
        assert status == 200 and f"{PEIYUZHAN} · 研修看板" in html and "王芳" in (
            await get(client, f"{deployed.base}{FIRST}/people"))[1]


async def test_a_join_is_approved_on_the_second_programs_page_and_stays_in_its_database(deployed):
    chats = deployed.chats
    await chats.enrol("shexian", "赵丽", None)
    await chats.say(f"/join 赵丽 {SCHOOL}", user="zhao")
    (request,) = await chats.rows("shexian", JoinRequest)
    async with browser() as client:
        await get(client, await deployed.link_for("coord", "shexian"))
        _, html = await get(client, f"{deployed.base}{SECOND}/waiting")
        form = re.search(r'action="([^"]+/approve)">\s*<input type="hidden" name="form_token" value="([^"]+)"', html)
        choice = re.search(r'<option value="(#\d+)">关联到 #\d+ 赵丽', html)
        assert form and choice and form.group(1) == f"{SECOND}/waiting/{request.id}/approve"
        async with client.post(f"{deployed.base}{form.group(1)}", allow_redirects=False,
                               data={"choice": choice.group(1), "form_token": form.group(2)}) as response:
            assert response.status == 303 and response.headers["Location"] == f"{SECOND}/waiting"
        _, after = await get(client, f"{deployed.base}{SECOND}/waiting")
        assert f"已批准申请 #{request.id}" in after
    assert (await chats.rows("shexian", JoinRequest))[0].decided_at is not None
    assert "zhao" in {account.user_id for account in await chats.rows("shexian", Account)}
    assert "zhao" not in {account.user_id for account in await chats.rows("chengguan", Account)}
    assert "您的登记已通过审核" in chats.adapter.sent[-1].text


async def test_downloads_are_named_after_their_program(deployed):
    async with browser() as client:
        await get(client, await deployed.link_for("coord", "shexian"))
        async with client.get(f"{deployed.base}{SECOND}/downloads/export.xlsx?unit=program") as response:
            assert response.status == 200
            disposition = response.headers["Content-Disposition"]
            workbook = load_workbook(io.BytesIO(await response.read()))
        async with client.get(f"{deployed.base}{SECOND}/downloads/briefing.docx") as response:
            assert response.status == 200
            briefing = response.headers["Content-Disposition"]
    assert disposition.startswith(f"attachment; filename*=UTF-8''{quote(XIAOBEN + '-研修台账-')}")
    assert briefing.startswith(f"attachment; filename*=UTF-8''{quote(XIAOBEN + '-研修简报-')}")
    assert XIAOBEN in workbook.worksheets[0].oddHeader.center.text


async def test_the_bare_dashboard_path_names_no_program(deployed):
    async with browser() as client:
        for path in ("/dashboard", "/dashboard/", "/dashboard/people", "/p/other/dashboard/"):
            status, page = await get(client, f"{deployed.base}{path}")
            assert status == 404, path
            assert PEIYUZHAN not in page and XIAOBEN not in page
