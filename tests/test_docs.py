"""The Chinese docs keep up with the bot: every chat command has an example in the manual, and every
command-line subcommand appears in the operators' guide."""

from __future__ import annotations

import re
from pathlib import Path

from handlers import build_router

ROOT = Path(__file__).resolve().parents[1]


def test_the_manual_shows_every_chat_command_with_an_example():
    manual = (ROOT / "docs" / "使用手册.md").read_text(encoding="utf-8")
    examples = set(re.findall(r"/([a-z_]+)", manual))
    commands = {name for name in build_router().commands if not name.startswith("__")}
    assert commands - examples == set(), "commands missing from docs/使用手册.md"


def test_the_operators_guide_covers_the_command_line_and_the_yearly_calendar():
    guide = (ROOT / "docs" / "部署.md").read_text(encoding="utf-8")
    for subcommand in ("--version", "db upgrade", "run", "console", "roster import", "export --briefing"):
        assert f"yanxiu {subcommand}" in guide, subcommand
    for topic in ("systemd", "docker compose", "PostgreSQL", "pg_dump", "chinesecalendar", "/metrics"):
        assert topic in guide, topic
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## 快速上手（中文）" in readme and "docs/使用手册.md" in readme and "docs/部署.md" in readme
