"""Who a chat account is: roster account columns and one-time invitation codes, as pure rules.

A roster row may name a teacher's account per platform; such an account links on its first
message. Everyone else links with a one-time code a coordinator hands out, or by approval.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime, timedelta

ACCOUNT_PLATFORMS = {"telegram": "telegram", "qq": "onebot", "wecom": "wecom", "dingtalk": "dingtalk"}
"""Roster column field -> the platform whose accounts it names (QQ arrives through OneBot)."""

PLATFORM_NAMES = {
    "telegram": "Telegram", "onebot": "QQ", "wecom": "企业微信", "dingtalk": "钉钉", "console": "控制台", "cli": "命令行",
}
"""A platform as users call it (in /join's account list, exports' sources)."""


def platform_name(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform)

_TELEGRAM_ID = re.compile(r"[0-9]{1,20}")
_TELEGRAM_USERNAME = re.compile(r"@?([A-Za-z][A-Za-z0-9_]{3,31})")
_QQ = re.compile(r"[1-9][0-9]{4,11}")
_USERID = re.compile(r"[A-Za-z0-9_.@-]{1,64}")


def account_handle(field: str, text: str) -> str | None:
    """The stored form of an account cell (`123456`, `@wangfang`), or None if it cannot be one.

    Telegram user names are compared in lower case, as Telegram treats them.
    """
    value = unicodedata.normalize("NFKC", text).strip()
    if field == "telegram":
        if _TELEGRAM_ID.fullmatch(value):
            return value
        found = _TELEGRAM_USERNAME.fullmatch(value)
        return f"@{found[1].lower()}" if found else None
    if field == "qq":
        return value if _QQ.fullmatch(value) else None
    return value if _USERID.fullmatch(value) else None


CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""No 0/O, 1/I/L: a code is read off paper or a phone screen and typed again."""
CODE_LENGTH = 8


def format_code(raw: str) -> str:
    """`ABCDEFGH` as handed out: `ABCD-EFGH`."""
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(text: str) -> str | None:
    """The code a teacher typed (any case, with or without the dash, full-width), or None if the
    text cannot be a code at all."""
    value = unicodedata.normalize("NFKC", text).upper().replace("-", "").replace(" ", "")
    if len(value) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in value):
        return None
    return value


def code_expired(issued_at: datetime, now: datetime, valid_days: int) -> bool:
    """A code is a key only for `valid_days` after it was issued."""
    return now >= issued_at + timedelta(days=valid_days)


def code_hash(code: str) -> str:
    """What is stored: a code is never kept in clear, so a copy of the database hands out no links."""
    return hashlib.sha256(f"yanxiu-invitation:{code}".encode()).hexdigest()
