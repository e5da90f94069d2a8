"""Text as teachers type it, made comparable: control characters dropped, widths folded, Traditional
characters read as Simplified, fields split."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

try:
    from opencc import OpenCC

    _TO_SIMPLIFIED = OpenCC("t2s").convert
except ImportError:  # pragma: no cover - without OpenCC, Traditional text is matched as written
    def _TO_SIMPLIFIED(text: str) -> str:
        return text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_EMOJI = re.compile(
    "[\u2190-\u21ff\u2300-\u23ff\u2460-\u24ff\u25a0-\u27bf\u2b00-\u2bff\u3030\u303d\u3297\u3299"
    "\ufe0e\ufe0f\u20e3\U0001f000-\U0001faff\U000e0020-\U000e007f]"
)
_TILDES = re.compile(r"[~〜∼～]+")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


def split_args(args: str) -> list[str]:
    """Fields separated by `|` when present (a field may then hold spaces), else by whitespace."""
    args = args.replace("｜", "|")
    if "|" in args:
        return [field.strip() for field in args.split("|")]
    return args.split()


def clean_text(text: str) -> str:
    """Drop invisible control characters; keep line breaks and tabs."""
    return _CONTROL.sub("", text)


def to_simplified(text: str) -> str:
    return _TO_SIMPLIFIED(text) if text else text


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Text for matching keywords: width-folded (full-width ＃ and letters become ASCII), Traditional
    characters as Simplified, invisible characters gone. Repeated until stable, so it is idempotent."""
    for _ in range(4):
        folded = to_simplified(unicodedata.normalize("NFKC", clean_text(text))).strip()
        if folded == text:
            break
        text = folded
    return text


def fold(text: str) -> str:
    """`normalize`, then emoji, tildes and repeated spaces gone, lower case: what a post *says*."""
    text = _EMOJI.sub(" ", normalize(text))
    text = _TILDES.sub(" ", text).lower()
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(lines).strip()
