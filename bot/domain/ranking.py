"""Ranks as a 公示 must show them: equal points share a rank (并列), and order within a tie is by
the pinyin of the name, never by an internal id, so nobody is placed above an equal by accident.
"""

from __future__ import annotations

import os

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Ranked(Generic[T]):
    rank: int
    tied: bool
    """Someone else has the same rank."""
    item: T


def pinyin_key(name: str) -> tuple[str, ...]:
    """A sort key that puts 安 before 白 before 陈 (Latin-letter pinyin, then the characters themselves).

    pypinyin is told to skip its phrase dictionary: names are read character by character anyway, and
    the phrases cost a worker about 40 MB of memory the moment it ranks anyone."""
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(name, style=Style.TONE3, errors="default")
    return (*(s.lower() for s in syllables), "\x00", name)


def rank_with_ties(
    items: Sequence[T], points: Callable[[T], float], name: Callable[[T], str]
) -> list[Ranked[T]]:
    """Best first; equal points (to a tenth) get the same rank, and the next rank skips (1, 1, 3)."""
    ordered = sorted(items, key=lambda item: (-round(points(item), 1), pinyin_key(name(item))))
    ranked: list[Ranked[T]] = []
    for position, item in enumerate(ordered, start=1):
        previous = ranked[-1] if ranked else None
        if previous is not None and round(points(previous.item), 1) == round(points(item), 1):
            rank = previous.rank
        else:
            rank = position
        ranked.append(Ranked(rank, False, item))
    counts: dict[int, int] = {}
    for entry in ranked:
        counts[entry.rank] = counts.get(entry.rank, 0) + 1
    return [Ranked(entry.rank, counts[entry.rank] > 1, entry.item) for entry in ranked]
