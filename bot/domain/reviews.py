"""Who may review whose records, and reading a grade off the program's scale. Where a human judges
(is this lesson 优质 or 精品?), the bot only routes the work to the right person and keeps the verdict."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.domain.roles import LEADER, MENTOR, WORKSHOP_LEADER
from bot.domain.text import normalize


@dataclass(frozen=True)
class Unit:
    """Where a member sits: workshop and group ids (None when not in one)."""

    member_id: int
    workshop_id: int | None
    group_id: int | None


def reviews(reviewer: Unit, roles: Collection[str], author: Unit, *, apprentices: Collection[int],
            allowed: Collection[str], organiser: bool = False) -> bool:
    """Whether `reviewer` may review `author`'s records: coordinators anyone's; a 坊主 her workshop's,
    a 组长 his group's, a 导师 his apprentices' (each only if the policy lets that role review);
    nobody their own."""
    if reviewer.member_id == author.member_id:
        return False
    if organiser:
        return True
    if WORKSHOP_LEADER in roles and WORKSHOP_LEADER in allowed and reviewer.workshop_id is not None:
        if reviewer.workshop_id == author.workshop_id:
            return True
    if LEADER in roles and LEADER in allowed and reviewer.group_id is not None:
        if reviewer.group_id == author.group_id:
            return True
    return MENTOR in roles and MENTOR in allowed and author.member_id in apprentices


def grade_of(word: str, scale: Sequence[str]) -> str | None:
    """The scale's grade `word` names: exactly, or with 课 after it (优质课 → 优质), or by its position
    (1 → the first grade)."""
    text = normalize(word).strip()
    for grade in scale:
        if text in (grade, f"{grade}课", f"{grade}作品"):
            return grade
    if text.isdigit() and 1 <= int(text) <= len(scale):
        return scale[int(text) - 1]
    return None
