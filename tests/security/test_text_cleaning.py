"""Boundary cleaning and strict numbers: pure functions, checked on generated text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.text import BadNumber, clean_text, is_clean, parse_number, try_number

ANY_TEXT = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=200)
"""Every code point, surrogates and controls included: what a platform may hand us."""


@given(ANY_TEXT)
@settings(max_examples=500)
def test_cleaning_is_idempotent_and_leaves_clean_text(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    assert is_clean(once)


@given(ANY_TEXT)
@settings(max_examples=500)
def test_cleaned_text_encodes_and_has_no_control_or_bidi(text: str) -> None:
    cleaned = clean_text(text)
    cleaned.encode("utf-8")  # lone surrogates would raise here
    assert "\x00" not in cleaned and "\r" not in cleaned
    for char in cleaned:
        assert char in "\n\t" or ord(char) >= 0x20 and not 0x7F <= ord(char) <= 0x9F
        assert char not in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@given(st.text(alphabet=st.characters(categories=["L", "N", "P", "Zs"]), max_size=200))
def test_ordinary_chinese_text_is_untouched(text: str) -> None:
    assert clean_text(text) == text


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("反思\x00：今天", "反思：今天"),
        ("\u202e王芳\u202c", "王芳"),
        ("a\r\nb\rc\u2028d", "a\nb\nc\nd"),
        ("\x07=HYPERLINK(\"x\")", "=HYPERLINK(\"x\")"),
        ("附件\ud800.jpg", "附件.jpg"),
        ("\ufeff签到", "签到"),
    ],
)
def test_examples(dirty: str, clean: str) -> None:
    assert clean_text(dirty) == clean


@pytest.mark.parametrize(("typed", "number"), [("12", 12), ("#12", 12), ("＃１２", 12), (" 007 ", 7), ("0", 0)])
def test_numbers_as_teachers_type_them(typed: str, number: int) -> None:
    assert parse_number(typed) == number


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("²", "number_invalid"),  # str.isdigit() says yes, int() raises
        ("١٢", "number_invalid"),  # Arabic-Indic digits: int() would accept them silently
        ("-3", "number_invalid"),
        ("", "number_invalid"),
        ("12a", "number_invalid"),
        ("1" * 23, "number_too_large"),  # overflows a database integer
        ("2147483648", "number_too_large"),
    ],
)
def test_numbers_refused_with_a_reason(typed: str, key: str) -> None:
    with pytest.raises(BadNumber) as refused:
        parse_number(typed)
    assert refused.value.key == key
    assert try_number(typed) is None


@given(st.text(max_size=30))
def test_parse_number_never_crashes(text: str) -> None:
    try:
        value = parse_number(text)
    except BadNumber:
        return
    assert 0 <= value < 2**31
