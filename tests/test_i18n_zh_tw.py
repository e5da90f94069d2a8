"""The Traditional catalogue is the Simplified one through OpenCC, key for key, placeholder for placeholder."""

from __future__ import annotations

import re
import string

from bot.i18n import Translator, en, zh_CN, zh_TW
from bot.i18n.generate import catalogue, render

FIELDS = string.Formatter()


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in FIELDS.parse(template) if name}


def test_every_key_is_translated():
    assert zh_TW.MESSAGES.keys() == zh_CN.MESSAGES.keys()
    assert en.MESSAGES.keys() <= zh_CN.MESSAGES.keys()


def test_the_file_is_what_the_generator_writes():
    assert zh_TW.MESSAGES == catalogue(), "run python -m bot.i18n.generate"
    assert render(zh_TW.MESSAGES).count("\n") == len(zh_TW.MESSAGES) + 4


def test_placeholders_and_commands_survive_conversion():
    for key, simplified in zh_CN.MESSAGES.items():
        traditional = zh_TW.MESSAGES[key]
        assert _placeholders(traditional) == _placeholders(simplified), key
        assert re.findall(r"/[A-Za-z_]+", traditional) == re.findall(r"/[A-Za-z_]+", simplified), key


def test_a_reply_reads_in_traditional():
    t = Translator("zh_TW")
    assert t("checkin_ok", name="王芳", date="11月23日", month_days=3, streak=2).startswith("王芳老師簽到成功")
