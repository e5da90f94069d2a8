"""Text as teachers type it, made comparable: control characters dropped, widths folded, fields split."""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


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
