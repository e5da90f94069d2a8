"""Malformed platform input gets a 4xx, and a reverse WebSocket is never open to anyone (finding 8)."""

from __future__ import annotations

import aiohttp
import pytest

from bot.adapters.onebot import OneBotAdapter, is_loopback
from bot.ops.config import ConfigError, load_settings
from tests.e2e.test_telegram import api, free_port, running_bot  # noqa: F401 (api is a fixture)

SECRET = "s3cret-token"


async def post_raw(url: str, body: bytes) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as response:
        return response.status


async def test_a_telegram_webhook_body_that_is_no_update_gets_400(api, sqlite_url):  # noqa: F811
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    async with running_bot(api, sqlite_url, telegram_webhook_url=url, telegram_webhook_secret=SECRET,
                           telegram_webhook_port=port):
        for body in (b"[]", b"[{\"update_id\": 1}]", b"42", b"\"x\"", b"null", b"{}", b"{\"update_id\": \"1\"}",
                     b"not json", b"\xff\xfe"):
            assert await post_raw(url, body) == 400, body


@pytest.mark.parametrize("listen", ["0.0.0.0", "::", "192.168.1.10", "bot.example.cn"])
def test_a_reverse_websocket_without_a_token_refuses_to_listen_beyond_this_machine(listen):
    with pytest.raises(ValueError, match="access token"):
        OneBotAdapter(reverse_listen=listen, reverse_port=8080)
    with pytest.raises(ConfigError, match="YANXIU_ONEBOT_ACCESS_TOKEN"):
        load_settings(_env_file=None, platform="onebot", onebot_reverse_port=8080, onebot_reverse_listen=listen)


@pytest.mark.parametrize("listen", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_loopback_without_a_token_and_anywhere_with_one_are_allowed(listen):
    assert is_loopback(listen)
    OneBotAdapter(reverse_listen=listen, reverse_port=8080)
    OneBotAdapter(reverse_listen="0.0.0.0", reverse_port=8080, access_token="t0ken")
