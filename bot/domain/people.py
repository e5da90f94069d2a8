"""What a plausible person or school name looks like, so typos and pasted junk never reach the roster."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

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


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def match_school(typed: str, names: list[str]) -> list[str]:
    """The schools a teacher's typed school name may mean: the exact name, else those where one
    name contains the other (so 第二小学 finds 紫阳县第二小学), in the given order."""
    wanted = _folded(typed)
    exact = [name for name in names if _folded(name) == wanted]
    if exact or len(wanted) < 2:
        return exact
    return [name for name in names if wanted in _folded(name) or _folded(name) in wanted]


_MEMBER_REF = re.compile(
    r"^(?:[#＃](?P<id>\d{1,9})|(?P<name>[^(（@]+?)\s*(?:[(（](?P<school>[^)）]+)[)）]|@(?P<school2>.+))?)$"
)


@dataclass(frozen=True)
class MemberRef:
    """How a coordinator names a person: `#12`, `王芳`, `王芳（实验小学）` or `王芳@实验小学`."""

    member_id: int | None = None
    name: str = ""
    school: str = ""


def parse_member_ref(text: str) -> MemberRef | None:
    found = _MEMBER_REF.match(unicodedata.normalize("NFKC", text).strip())
    if found is None:
        return None
    if found["id"]:
        return MemberRef(member_id=int(found["id"]))
    return MemberRef(name=found["name"].strip(), school=(found["school"] or found["school2"] or "").strip())
