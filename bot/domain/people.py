"""What a plausible person or school name looks like, so typos and pasted junk never reach the roster."""

from __future__ import annotations

import re
import unicodedata

NAME_MAX = 20
SCHOOL_MIN, SCHOOL_MAX = 2, 50
_LETTERS = re.compile(r"[^\W\d_]")


def name_problem(name: str) -> str | None:
    """None if `name` can be a person's name, else the i18n key of the reason."""
    return _problem(name, 1, NAME_MAX, "name")


def school_problem(school: str) -> str | None:
    return _problem(school, SCHOOL_MIN, SCHOOL_MAX, "school")


def _problem(value: str, shortest: int, longest: int, what: str) -> str | None:
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs"} for ch in value):
        return f"{what}_control_chars"
    if len(value) < shortest:
        return f"{what}_too_short"
    if len(value) > longest:
        return f"{what}_too_long"
    if not _LETTERS.search(value):
        return f"{what}_no_letters"
    return None
