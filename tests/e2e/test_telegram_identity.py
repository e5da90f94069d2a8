"""On the fake Bot API: a roster row naming a Telegram @username links that account on its first
message, through the real adapter (which reports the sender's user name)."""

from __future__ import annotations

from storage.models import Account
from tests.e2e.test_telegram import LI, WANG, api, rows, running_bot, say  # noqa: F401 (api is a fixture)


async def test_a_rostered_username_links_on_its_first_message(api, sqlite_url):
    roster = (("王芳", "紫阳县第二小学", ("teacher",), "@wang_fang"), ("李明", "紫阳县第二小学", ("teacher",)))
    async with running_bot(api, sqlite_url, roster=roster) as app:
        [checked] = await say(api, "签到", user=WANG, username="Wang_Fang")
        assert "王芳老师签到成功" in checked
        [refused] = await say(api, "签到", user=LI, username="li_ming")
        assert "请先登记身份" in refused
        [account] = await rows(app, Account)
        assert (account.user_id, account.via) == (str(WANG), "roster")
        [listed] = await say(api, "/join", user=WANG, username="wang_fang")
        assert f"Telegram {WANG}" in listed and "经名单登记的账号关联" in listed
