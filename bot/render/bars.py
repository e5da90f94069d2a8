"""What a score chart shows, whichever renderer draws it (Pillow in score_png, matplotlib in charts):
the bars, their grades and colours, and the checks every chart makes before drawing."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: The grades a bar can have, best first (the legend's order), their default words and colours
#: (Okabe–Ito: distinct in hue and lightness for the common colour-vision deficiencies).
GRADES: tuple[str, ...] = ("excellent", "pass", "fail")
DEFAULT_LEGEND: Mapping[str, str] = {"excellent": "优秀", "pass": "合格", "fail": "不合格"}
GRADE_COLOURS: Mapping[str, str] = {"excellent": "#009E73", "pass": "#56B4E9", "fail": "#D55E00"}
MAX_BARS = 60
"""One image holds at most this many bars; the caller paginates."""


@dataclass(frozen=True)
class Bar:
    label: str  # a name (or initials), Chinese
    value: float  # points
    grade: str  # "excellent" | "pass" | "fail": colours the bar


def check(bars: Sequence[Bar]) -> None:
    if not bars:
        raise ValueError("a score chart needs at least one bar")
    if len(bars) > MAX_BARS:
        raise ValueError(f"a score chart holds at most {MAX_BARS} bars, got {len(bars)}: paginate")
    for bar in bars:
        if bar.grade not in GRADE_COLOURS:
            raise ValueError(f"unknown grade {bar.grade!r} for {bar.label!r}; expected one of {GRADES}")
        if not math.isfinite(bar.value):
            raise ValueError(f"value for {bar.label!r} is not a finite number: {bar.value!r}")


def format_value(value: float) -> str:
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text
