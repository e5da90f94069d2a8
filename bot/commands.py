"""Pure parsing of what a chat message asks for: slash commands, Chinese keywords, arguments."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_COMMAND = re.compile(r"^[/／](?P<name>[A-Za-z][A-Za-z0-9_]{0,31})(?:@(?P<bot>[A-Za-z0-9_]+))?(?=\s|$)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


@dataclass(frozen=True)
class ParsedCommand:
    name: str
    args: str
    addressed_to: str | None = None


def parse_command(text: str) -> ParsedCommand | None:
    """`/Join@yanxiu_bot 王芳 学校` → ParsedCommand("join", "王芳 学校", "yanxiu_bot")."""
    stripped = text.strip()
    match = _COMMAND.match(stripped)
    if match is None:
        return None
    return ParsedCommand(
        name=match["name"].lower(),
        args=stripped[match.end():].strip(),
        addressed_to=match["bot"],
    )


def split_args(args: str) -> list[str]:
    """Fields separated by `|` when present (a field may then hold spaces), else by whitespace."""
    args = args.replace("｜", "|")
    if "|" in args:
        return [field.strip() for field in args.split("|")]
    return args.split()


def clean_text(text: str) -> str:
    """Drop invisible control characters; keep line breaks and tabs."""
    return _CONTROL.sub("", text)


def normalize(text: str) -> str:
    """Width-folded text for matching keywords (full-width ＃ and letters become ASCII)."""
    return unicodedata.normalize("NFKC", text).strip()
