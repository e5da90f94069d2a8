"""With two partnerships, the dashboard's overview and the monthly 简报 report compliance per partnership,
in the same lines as /compliance."""

from __future__ import annotations

import io
from datetime import datetime

from docx import Document

from tests.conftest import SHANGHAI
from tests.sessions.conftest import BASE_GROUP, make_partnership
from tests.sessions.test_partnerships import SESSION_A, make_second_partnership
from tests.web.scenario import open_program
from tests.web.test_dashboard_http import browser, get


async def test_overview_and_briefing_name_each_base_school(sqlite_url, clock):
    async def two(chat):
        partnership = await make_partnership(chat)
        await make_second_partnership(partnership)
        return {"partnership": partnership}

    async with open_program(sqlite_url, clock, two) as program:
        chat, first = program.chat, program.member_ids["partnership"]
        await chat.say(SESSION_A, user="coord", chat=BASE_GROUP)
        chat.clock.set(datetime(2026, 11, 25, 19, 0, tzinfo=SHANGHAI))
        await first.everyone_here(["host", *first.base, *first.partner])
        chat.clock.set(datetime(2026, 11, 25, 20, 1, tzinfo=SHANGHAI))
        await first.sweep()
        async with browser() as client:
            await get(client, await program.link_for("coord"))
            _, overview = await get(client, f"{program.base}/dashboard/")
            card = overview[overview.index('id="partnerships"'):]
            card = card[:card.index("</ul>")]
            assert "<li>城关小学（基地校）与 1 所结对学校：</li>" in card
            assert "<li>紫阳县第二小学（基地校）与 1 所结对学校：</li>" in card
            assert "<li>· 紫阳中学：参加1次，计入到场5人次</li>" in card
            async with client.get(f"{program.base}/dashboard/downloads/briefing.docx?month=2026-11") as response:
                document = Document(io.BytesIO(await response.read()))
        text = "\n".join(paragraph.text for paragraph in document.paragraphs)
        assert "城关小学（基地校）与 1 所结对学校：" in text and "紫阳县第二小学（基地校）与 1 所结对学校：" in text
        assert "向阳小学：参加0次，计入到场0人次" in text and "紫阳中学：参加1次，计入到场5人次" in text


async def test_one_partnership_keeps_the_single_strip(program):
    async with browser() as client:
        await get(client, await program.link_for("coord"))
        _, overview = await get(client, f"{program.base}/dashboard/")
    assert 'id="partnerships"' not in overview and "网络研讨（按月，全项目）" in overview
