"""Ten thousand generated messages through the dispatcher: no internal error, no unclean row.

Inputs are drawn (with a fixed seed, so a failure reproduces) from every command and keyword, with
arguments made of ids, names, numbers and hostile text: control and bidi characters, NUL, lone
surrogates, superscript digits, 23-digit numbers, spreadsheet formulas, very long words.
"""

from __future__ import annotations

import logging
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from sqlalchemy import select

from bot.domain.text import is_clean
from bot.kernel.messages import Attachment, AttachmentKind
from storage.models import Base
from tests.conftest import open_chat

INPUTS = 10_000
SEED = 20261123
HOSTILE = [
    "\x00", "\u202e", "\u2066", "\ud800", "\udfff", "\x07", "\x1b[31m", "\r", "\u2028", "\ufeff", "\u200b",
    "²", "³", "١٢", "１２", "1" * 23, "-1", "0", "#0", "＃１", "99999999999", "2147483648",
    "=HYPERLINK(\"http://x\",\"y\")", "+1", "@SUM(A1)", "-2+3", "|", "｜", "《", "》", "：", "#",
    "'; DROP TABLE members; --", "%s", "{name}", "<!DOCTYPE x>", "&amp;", "\\", "..", "/", "🙂", "👩‍🏫",
]
WORDS = ["王芳", "李雷", "紫阳县第二小学", "校本", "线上", "县级", "school", "workshop", "group", "program",
         "teacher", "coordinator", "host", "import", "leave", "add", "list", "new", "start", "end", "cancel",
         "12:00", "明天 19:30", "2026-11-30", "45", "1", "2", "3", "反思", "案例", "听课", "签到", "确认"]


def hostile_text(rng: random.Random, max_parts: int = 6) -> str:
    parts = []
    for _ in range(rng.randint(0, max_parts)):
        roll = rng.random()
        if roll < 0.4:
            parts.append(rng.choice(HOSTILE))
        elif roll < 0.8:
            parts.append(rng.choice(WORDS))
        else:
            parts.append("".join(chr(rng.randint(0, 0x2FFFF)) for _ in range(rng.randint(1, 8))))
    separator = rng.choice([" ", "", " | ", "\n", "\t"])
    return separator.join(parts)


def generate(rng: random.Random, commands: list[str], keywords: list[str]) -> tuple[str, bool, tuple]:
    roll = rng.random()
    if roll < 0.55:
        text = f"/{rng.choice(commands)} {hostile_text(rng)}"
    elif roll < 0.75:
        text = f"{rng.choice(keywords)}{rng.choice(['：', ' ', '', '#'])}{hostile_text(rng)}"
    else:
        text = hostile_text(rng, 10)
    if rng.random() < 0.03:
        text = text + "长" * rng.randint(1000, 25000)
    attachments = ()
    if rng.random() < 0.05:
        name = hostile_text(rng, 2) + rng.choice([".jpg", ".docx", "", ".exe"])
        attachments = (Attachment(rng.choice(list(AttachmentKind)), f"ref-{rng.randint(0, 3)}", name),)
    return text, rng.random() < 0.4, attachments


@pytest.fixture
def fast_sqlite_url(tmp_path):
    """SQLite in memory-backed storage when the machine has it: the run tests logic, not the disk."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield f"sqlite+aiosqlite:///{tmp_path / 'fuzz.db'}"
        return
    directory = tempfile.mkdtemp(prefix="yanxiu-fuzz-", dir=shm)
    try:
        yield f"sqlite+aiosqlite:///{directory}/fuzz.db"
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.mark.timeout(600)
async def test_ten_thousand_hostile_messages_leave_no_error_and_no_unclean_row(fast_sqlite_url, clock, caplog):
    rng = random.Random(SEED)
    caplog.set_level(logging.ERROR, logger="yanxiu")
    async with open_chat(fast_sqlite_url, clock) as chat:
        chat.adapter.files.update({"ref-0": b"\xff\xd8\xff\xe0 photo", "ref-1": b"%PDF-1.4 x", "ref-2": b"MZ\x90"})
        await chat.join("teacher", "王芳")
        await chat.join("coordinator", "李雷", roles=("coordinator",))
        await chat.join("host", "张伟", roles=("teacher", "host"))
        router = chat.app.dispatcher.router
        commands = sorted(router.commands) + ["nosuchcommand", "", "/", "start@other_bot"]
        keywords = sorted({word for rule in router.text_rules for word in WORDS if word})
        users = ["teacher", "coordinator", "host", "admin", "stranger"]
        started = time.monotonic()
        errors = 0
        for number in range(INPUTS):
            text, private, attachments = generate(rng, commands, keywords)
            user = rng.choice(users)
            replies = await chat.send(chat.message(text, user=user, private=private, attachments=attachments,
                                                   message_id=f"fuzz-{number}"))
            if any("错误编号" in reply for reply in replies):
                errors += 1
                if errors == 1:
                    first = (number, user, text)
            chat.clock.advance(seconds=rng.randint(0, 600))
        elapsed = time.monotonic() - started
        unclean = await unclean_values(chat)
    print(f"fuzz: {INPUTS} inputs in {elapsed:.1f} s")
    assert errors == 0, f"{errors} internal errors; first: {first!r}\n{caplog.text[-3000:]}"
    assert unclean == [], unclean[:10]


async def unclean_values(chat) -> list[tuple[str, str, str]]:
    """Every stored text (and text inside JSON) that boundary cleaning would still change."""
    found = []
    async with chat.app.session_factory() as session:
        for table in Base.metadata.sorted_tables:
            for row in await session.execute(select(table)):
                for column, value in zip(table.columns, row, strict=True):
                    for text in _texts(value):
                        if not is_clean(text):
                            found.append((table.name, column.name, text[:40]))
    return found


def _texts(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for key, item in value.items() for t in _texts(key) + _texts(item)]
    if isinstance(value, list | tuple):
        return [t for item in value for t in _texts(item)]
    return []
