"""WeCom callbacks (findings 4 and 8): XML through defusedxml in any encoding, malformed numbers → 4xx."""

from __future__ import annotations

import asyncio
import time

import aiohttp

from bot.adapters import wecom_crypto
from bot.adapters.wecom_messages import parse_xml, to_incoming
from tests.adapters.test_wecom_adapter import WANG, api, running  # noqa: F401 (api is a fixture)
from tests.fakes.wecom import text_xml

DTD = '<!DOCTYPE xml [<!ENTITY a "{a}">' + "".join(
    f'<!ENTITY {n} "{"&" + p + ";" * 1}{("&" + p + ";") * 9}">' for p, n in zip("abcde", "bcdef", strict=True)
) + "]>"
BOMB_UTF16 = ('<?xml version="1.0" encoding="UTF-16"?>' + DTD.replace("{a}", "a" * 10)
              + "<xml><Encrypt>&f;</Encrypt></xml>").encode("utf-16")
"""A billion-laughs document (10 × 10⁵ characters once expanded) in UTF-16: no ASCII `<!DOCTYPE` in its bytes."""


def test_a_utf16_entity_bomb_is_refused_without_expanding():
    assert b"<!DOCTYPE" not in BOMB_UTF16.upper()
    started = time.monotonic()
    assert parse_xml(BOMB_UTF16) is None
    assert time.monotonic() - started < 0.5


def test_plain_utf16_and_utf8_envelopes_still_parse():
    envelope = "<xml><ToUserName>ww</ToUserName><Encrypt>abc</Encrypt></xml>"
    assert parse_xml(envelope.encode())["Encrypt"] == "abc"
    assert parse_xml(('<?xml version="1.0" encoding="UTF-16"?>' + envelope).encode("utf-16"))["Encrypt"] == "abc"


def test_malformed_numbers_in_a_decrypted_callback_do_not_crash():
    fields = {"FromUserName": WANG, "MsgType": "file", "MsgId": "1", "MediaId": "m",
              "CreateTime": "²", "FileSize": "1" * 23, "FileName": "a.pdf"}
    message = to_incoming(fields)
    assert message is not None and message.attachments[0].size is None
    assert to_incoming({**fields, "CreateTime": "9" * 30}) is not None


async def post(url: str, body: bytes, params: dict) -> int:
    async with aiohttp.ClientSession() as session, session.post(url, params=params, data=body) as response:
        return response.status


async def test_the_callback_server_answers_4xx_to_hostile_input(api):
    async with running(api) as (adapter, inbox):
        url = adapter.callback_url
        started = time.monotonic()
        assert await post(url, BOMB_UTF16, api.signed_params("x")) == 400
        assert time.monotonic() - started < 2
        encrypted = api.encrypt(text_xml(WANG, "/help", "7900"))
        params = api.signed_params(encrypted)
        for timestamp in ("²", "1" * 23, "-5", ""):
            signature = wecom_crypto.signature(api.token, timestamp, params["nonce"], encrypted)
            status = await post(url, api.envelope(encrypted).encode(),
                                {**params, "timestamp": timestamp, "msg_signature": signature})
            assert status == 403, timestamp
        await asyncio.sleep(0.05)
    assert inbox.messages == []
