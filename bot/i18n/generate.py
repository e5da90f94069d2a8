"""Regenerate the zh_TW catalogue from zh_CN: `python -m bot.i18n.generate`.

Traditional Chinese is the Simplified catalogue through OpenCC's s2twp (Taiwan phrasing: 群組,
訊息, 軟體). Commands, placeholders and the Chinese keywords teachers type stay as they are, so a
command written in a zh_TW reply still works when typed back.
"""

from __future__ import annotations

import re
from pathlib import Path

from opencc import OpenCC

from bot.i18n import zh_CN

TARGET = Path(__file__).with_name("zh_TW.py")
_KEPT = re.compile(r"\{[^{}]*\}|/[A-Za-z_]+")
"""Placeholders and slash commands are copied through unconverted."""


def to_traditional(text: str, convert=OpenCC("s2twp").convert) -> str:
    kept: list[str] = []

    def hold(match: re.Match[str]) -> str:
        kept.append(match.group())
        return f"\uE000{len(kept) - 1}\uE001"

    converted = convert(_KEPT.sub(hold, text))
    return re.sub("\uE000(\\d+)\uE001", lambda m: kept[int(m.group(1))], converted)


def catalogue() -> dict[str, str]:
    return {key: to_traditional(value) for key, value in zh_CN.MESSAGES.items()}


def render(messages: dict[str, str]) -> str:
    lines = [
        '"""繁體中文：由 bot/i18n/generate.py 從簡體中文目錄以 OpenCC（s2twp）產生，請勿手改。"""',
        "",
        "MESSAGES: dict[str, str] = {",
    ]
    lines += [f"    {key!r}: {value!r}," for key, value in messages.items()]
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    TARGET.write_text(render(catalogue()), encoding="utf-8")
    print(f"wrote {TARGET} ({len(zh_CN.MESSAGES)} keys)")


if __name__ == "__main__":
    main()
