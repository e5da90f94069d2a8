from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.kernel.adapter import split_text
from bot.kernel.commands import ParsedCommand, parse_command
from bot.domain.text import split_args


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/start", ParsedCommand("start", "")),
        ("/join 王芳 紫阳县第二小学", ParsedCommand("join", "王芳 紫阳县第二小学")),
        ("  /Join   王芳  ", ParsedCommand("join", "王芳")),
        ("／join 王芳 学校", ParsedCommand("join", "王芳 学校")),
        ("/join@yanxiu_bot 王芳 学校", ParsedCommand("join", "王芳 学校", "yanxiu_bot")),
        ("/checkin\n今天备课", ParsedCommand("checkin", "今天备课")),
        ("签到", None),
        ("/ 签到", None),
        ("/签到", None),
        ("http://example.org", None),
        ("", None),
    ],
)
def test_parse_command(text, expected):
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("王芳 紫阳县第二小学", ["王芳", "紫阳县第二小学"]),
        ("王芳 | 紫阳县 第二小学", ["王芳", "紫阳县 第二小学"]),
        ("李明｜三年级数学｜分数", ["李明", "三年级数学", "分数"]),
        ("", []),
    ],
)
def test_split_args(args, expected):
    assert split_args(args) == expected


@given(st.text())
def test_parse_command_never_raises(text):
    parsed = parse_command(text)
    if parsed is not None:
        assert parsed.name == parsed.name.lower() and parsed.name.isascii()


@given(st.text(min_size=0, max_size=3000), st.integers(min_value=5, max_value=500))
def test_split_text_respects_the_limit_and_keeps_the_words(text, limit):
    pieces = split_text(text, limit)
    assert all(len(piece) <= limit for piece in pieces)
    assert "".join("".join(p.split()) for p in pieces) == "".join(text.split())


def test_split_text_prefers_line_breaks():
    text = "\n".join(f"{i:02d} 王芳 96分 优秀" for i in range(40))
    pieces = split_text(text, 100)
    assert all(piece.splitlines()[-1].endswith("优秀") for piece in pieces)
