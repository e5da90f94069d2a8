"""The dashboard in a real headless Chromium: a coordinator on a phone and on a PC, a school's
组长, a tampered link. Screenshots go to tests/artifacts/dashboard/ (git-ignored)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from openpyxl import load_workbook

from storage.models import Account, AuditEntry
from tests.support.browser import DESKTOP, PHONE, Browser, skip_without_chromium, start_browser
from tests.web.scenario import BASE_SCHOOL, PARTNER_SCHOOL

pytestmark = pytest.mark.timeout(240)


def names_in(sheet) -> list[str]:
    """The 姓名 column of a sheet, wherever the header row puts it."""
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if "姓名" in row)
    column = rows[header].index("姓名")
    return [row[column] for row in rows[header + 1:] if row[column]]


@pytest.fixture
async def chromium() -> AsyncIterator:
    paths = skip_without_chromium()
    opened: list[Browser] = []

    async def launch(size=DESKTOP) -> Browser:
        browser = await start_browser(paths, size)
        opened.append(browser)
        return browser

    yield launch
    for browser in opened:
        await browser.close()


async def test_a_coordinator_on_a_phone_sees_who_is_behind_approves_and_downloads(program, chromium):
    phone = await chromium(PHONE)
    await phone.open(await program.link_for("coord"))
    assert await phone.text("#scope") == "教师研修项目"
    assert await phone.attributes("#units tbody tr", "data-unit") == [PARTNER_SCHOOL, BASE_SCHOOL]
    assert await phone.text("#behind") == PARTNER_SCHOOL
    assert not await phone.overflows_sideways(), "the page fits a phone; wide tables scroll inside"
    await phone.screenshot("coordinator-overview-phone")

    await phone.click_link("待办")
    assert "#1 赵强" in await phone.text("#join-1")
    await phone.choose("#join-1 select[name=choice]", f"新建为学员：{BASE_SCHOOL}")
    await phone.screenshot("coordinator-waiting-phone")
    await phone.click("#join-1 button.approve")
    assert "已批准申请 #1" in await phone.text("#flash")
    assert await phone.texts("#no-joins") == ["没有待审核的登记申请。"]
    await phone.screenshot("coordinator-approved-phone")

    chat = program.chat
    notice = chat.adapter.sent[-1]
    assert notice.chat.chat_id == "u9" and "赵强老师，您的登记已通过审核" in notice.text
    assert "赵强老师签到成功" in await chat.one("签到", user="u9", private=True)
    assert "u9" in {account.user_id for account in await chat.rows(Account)}

    await phone.click_link("概览")
    await phone.click("#month-export")
    month = load_workbook(await phone.wait_for_download(".xlsx", "-20261101-20261123"))
    assert sorted(names_in(month["研修记录"])) == ["李明", "李明", "王芳", "王芳"], "this month's records"

    await phone.click_link("下载")
    await phone.choose("#export-form select[name=unit]", PARTNER_SCHOOL)
    await phone.click("#export-button")
    workbook = load_workbook(await phone.wait_for_download(".xlsx", PARTNER_SCHOOL))
    scores = next(sheet for sheet in workbook.worksheets if sheet.title.startswith("积分"))
    assert set(names_in(scores)) == {"陈静", "刘洋", "周老师"}

    actions = [entry.action for entry in await chat.rows(AuditEntry)]
    assert {"dashboard.login", "dashboard.view", "join.approve", "export.workbook"} <= set(actions)


async def test_the_overview_on_an_office_pc(program, chromium):
    pc = await chromium(DESKTOP)
    await pc.open(await program.link_for("coord"))
    assert "紫阳中学 落后" in await pc.text("#units")
    await pc.screenshot("coordinator-overview-pc")
    await pc.click_link("人员")
    assert {"王芳", "李明", "陈静", "刘洋"} <= set(await pc.texts("#people tbody td:first-child a"))
    await pc.click_link("王芳")
    assert await pc.text("#teacher-name") == "王芳"
    assert "积分明细" in await pc.text("main") and "教学反思" in await pc.text("#records")
    await pc.click("#records details:last-of-type summary")
    assert "分数的初步认识" in await pc.text("#records")
    await pc.screenshot("teacher-page-pc")


async def test_a_school_leader_cannot_see_another_school(program, chromium):
    leader = await chromium(PHONE)
    await leader.open(await program.link_for("lead"))
    assert await leader.text("#scope") == PARTNER_SCHOOL
    assert await leader.attributes("#units tbody tr", "data-unit") == [PARTNER_SCHOOL]
    await leader.screenshot("leader-overview-phone")
    await leader.click_link("人员")
    people = set(await leader.texts("#people tbody td:first-child a"))
    assert people == {"陈静", "刘洋", "周老师"}
    await leader.open(f"{program.base}/dashboard/people/{program.member_ids['王芳']}")
    assert "不在您负责的范围内" in await leader.text("#problem")
    assert "王芳" not in await leader.text("body")
    await leader.screenshot("leader-refused-other-school")


async def test_a_tampered_link_is_refused(program, chromium):
    link = await program.link_for("lead")
    payload = link.split("t=", 1)[1].split(".")[0]
    tampered = link.replace(payload, payload[:-3] + ("xyz" if payload[-3:] != "xyz" else "abc"))
    browser = await chromium(PHONE)
    await browser.open(tampered)
    assert "无法打开看板" in await browser.text("#problem")
    assert PARTNER_SCHOOL not in await browser.text("body")
    await browser.screenshot("tampered-link-refused")
    await browser.open(f"{program.base}/dashboard/")
    assert "无法打开看板" in await browser.text("#problem"), "no session was opened"
