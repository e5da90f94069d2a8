"""What a score announcement (成绩公示) may show in a group, and for how long it can be objected to.

Private by default: the group sees how many teachers reached each grade, who is outstanding and how
far each school has got; every teacher's own points and missing items go to her privately. The full
ranked table goes to the group only when the policy asks for it (`[announcements] table = true`).
`show` says how people are named wherever they are: `names`, `initials` (masked — and two people are
never merged into one mask: 王芳 and 王明 are 王*① and 王*②) or `grades` (nobody named at all).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.ranking import Ranked, pinyin_key, rank_with_ties
from bot.domain.scoring import initials

GRADES = ("excellent", "pass", "fail")
SHOW_MODES = ("names", "initials", "grades")

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


@dataclass(frozen=True)
class Entry:
    """One assessed teacher as the announcement sees her."""

    member_id: int
    name: str
    school: str
    points: float
    grade: str
    complete: bool
    """Nothing is missing for the period so far."""


@dataclass(frozen=True)
class SchoolProgress:
    school: str
    complete: int
    total: int

    @property
    def share(self) -> float:
        return self.complete / self.total if self.total else 0.0


@dataclass(frozen=True)
class GroupNotice:
    grade_counts: dict[str, int]
    outstanding: tuple[str, ...]
    """Names of the teachers graded excellent, in rank order (ties in pinyin order)."""
    schools: tuple[SchoolProgress, ...]
    table: tuple[Ranked[Entry], ...]
    """The ranked rows to show in the group: empty unless the policy shows names or masks."""
    labels: dict[int, str]
    """member id → the name as shown (full or masked, never two people with one label)."""


def distinct_masks(names: Sequence[str], mask: Callable[[str], str] = initials) -> dict[str, str]:
    """Each distinct name → its mask; masks that would collide get circled numbers in pinyin order."""
    unique = sorted(set(names), key=pinyin_key)
    by_mask: dict[str, list[str]] = {}
    for name in unique:
        by_mask.setdefault(mask(name), []).append(name)
    result: dict[str, str] = {}
    for masked, group in by_mask.items():
        if len(group) == 1:
            result[group[0]] = masked
            continue
        for number, name in enumerate(group, start=1):
            suffix = _CIRCLED[number - 1] if number <= len(_CIRCLED) else f"({number})"
            result[name] = masked + suffix
    return result


def group_notice(entries: Sequence[Entry], show: str, *, table: bool = False) -> GroupNotice:
    if show not in SHOW_MODES:
        raise ValueError(f"unknown announcement mode {show!r}; expected one of {SHOW_MODES}")
    ranked = rank_with_ties(entries, points=lambda e: e.points, name=lambda e: e.name)
    counts = Counter(entry.grade for entry in entries)
    schools: dict[str, list[bool]] = {}
    for entry in entries:
        schools.setdefault(entry.school, []).append(entry.complete)
    progress = tuple(
        SchoolProgress(school, sum(done), len(done)) for school, done in sorted(schools.items())
    )
    # namesakes stay apart: a full name shared by two teachers gets its school in brackets
    full_counts = Counter(entry.name for entry in entries)
    full = {e.member_id: e.name if full_counts[e.name] == 1 else f"{e.name}（{e.school}）" for e in entries}
    if show == "initials":
        masks = distinct_masks([full[e.member_id] for e in entries])
        labels = {e.member_id: masks[full[e.member_id]] for e in entries}
    else:
        labels = full
    outstanding = tuple(labels[r.item.member_id] for r in ranked if r.item.grade == "excellent")
    if show == "grades":
        outstanding = ()
    rows = tuple(ranked) if table and show != "grades" else ()
    return GroupNotice({grade: counts.get(grade, 0) for grade in GRADES}, outstanding, progress, rows, labels)


@dataclass(frozen=True)
class ObjectionWindow:
    first: date
    last: date

    def open_on(self, day: date) -> bool:
        return self.first <= day <= self.last


def objection_window(published_on: date, days: int) -> ObjectionWindow:
    """The 公示期: from the day of publication for `days` days; scores freeze the day after it ends."""
    if days < 1:
        raise ValueError("an objection period lasts at least one day")
    return ObjectionWindow(published_on, published_on + timedelta(days=days - 1))


FREEZE, WAIT_FOR_OBJECTIONS = "freeze", "wait_for_objections"


def freezing_verdict(published_on: date | None, today: date, days: int, open_objections: int) -> str | None:
    """What the end of the final 公示期 asks for: nothing before it (or with nothing published),
    `FREEZE` once it is over and every objection is settled, `WAIT_FOR_OBJECTIONS` while some are open."""
    if published_on is None or today <= objection_window(published_on, days).last:
        return None
    return WAIT_FOR_OBJECTIONS if open_objections else FREEZE
