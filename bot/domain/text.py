"""Text as teachers type it, made safe and comparable.

`clean_text` is applied once, where a message enters the bot: whatever a platform delivers
(control characters, bidi overrides that make a name read backwards, NUL bytes PostgreSQL refuses,
lone surrogates no encoder can write) is removed before anything is matched, stored or exported.
`normalize` then folds widths (and Traditional characters) for matching keywords; `parse_number`
reads ids strictly.
"""

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

_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_UNSAFE = re.compile(
    "["
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0/C1 controls except tab and line feed
    "\u061c\u180e"  # Arabic letter mark, Mongolian vowel separator
    "\u200b-\u200f"  # zero-width space/joiners, LRM/RLM
    "\u202a-\u202e"  # bidi embeddings and overrides
    "\u2060-\u206f"  # word joiner, invisible operators, bidi isolates
    "\ufeff"  # byte-order mark / zero-width no-break space
    "\ufff9-\ufffb"  # interlinear annotation controls
    "\ufffe\uffff"  # noncharacters
    "\ud800-\udfff"  # surrogates: in a str they are always unpaired and cannot be encoded
    "]"
)
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_ASCII_DIGITS = re.compile(r"[0-9]+")

MAX_ID_DIGITS = 9
"""Ids are database integers (at most 2,147,483,647); nine digits always fit."""
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
    """Remove invisible and unsafe characters; keep line breaks (as `\\n`) and tabs.

    Idempotent: cleaning a cleaned text changes nothing, so the boundary and any later stage agree.
    """
    return _UNSAFE.sub("", _NEWLINES.sub("\n", text))


def is_clean(text: str) -> bool:
    """True when `clean_text` would leave the text as it is (what every stored text must satisfy)."""
    return _UNSAFE.search(text) is None and _NEWLINES.search(text) is None


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


class BadNumber(ValueError):
    """A number a user typed that is not one we can use; `key` names the message that says why."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def parse_number(text: str, *, max_digits: int = MAX_ID_DIGITS) -> int:
    """A whole number as typed: `12`, `#12`, `＃１２`. Superscripts (`²`), other scripts' digits,
    signs and anything longer than `max_digits` are refused with a clear reason, never a crash."""
    raw = text.strip().lstrip("#＃").translate(_FULL_WIDTH_DIGITS)
    if not _ASCII_DIGITS.fullmatch(raw):
        raise BadNumber("number_invalid", text=text.strip()[:20])
    digits = raw.lstrip("0") or "0"
    if len(digits) > max_digits:
        raise BadNumber("number_too_large", text=text.strip()[:20])
    return int(digits)


def bounded_key(prefix: str, *parts: str, limit: int = 60) -> str:
    """`prefix:part:part` when it fits in `limit` characters, else `prefix:` and a digest of the
    whole: two long platform ids never shorten into the same key (a cut would make them collide)."""
    import hashlib

    key = ":".join((prefix, *parts))
    if len(key) <= limit:
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{prefix}:#{digest[:max(16, limit - len(prefix) - 2)]}"[:limit]


def try_number(text: str, *, max_digits: int = MAX_ID_DIGITS) -> int | None:
    """`parse_number`, or None for anything that is not a usable number."""
    try:
        return parse_number(text, max_digits=max_digits)
    except BadNumber:
        return None
