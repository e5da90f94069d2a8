"""Pure parsing of what a chat message asks for: slash commands, Chinese keywords, arguments."""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMMAND = re.compile(r"^[/／](?P<name>[A-Za-z][A-Za-z0-9_]{0,31})(?:@(?P<bot>[A-Za-z0-9_]+))?(?=\s|$)")


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
