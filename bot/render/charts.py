"""Bar-chart images for score announcements (成绩公示) in group chats.

The chart must show Chinese on any machine, so the font comes with the project: a subset of the
OFL-licensed Noto Sans CJK SC (bot/render/fonts, licence in OFL.txt, rebuilt by
deploy/make_chart_font.py), registered with matplotlib's font manager once (``addfont``).

matplotlib is an optional extra (``pip install 'yanxiu[charts]'``): without it ``available()`` is
False and callers send ``text_chart`` instead, a bar chart drawn with block characters.

Rendering uses the object API (``Figure`` + ``FigureCanvasAgg``), never pyplot: no global figure
state, no display, and no change to global ``rcParams``.  Every text element gets its font
through a ``FontProperties`` pinned to the shipped file, so a same-named system font or another
module's rcParams cannot swap it out.
"""

from __future__ import annotations

import importlib.resources
import io
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

try:
    from matplotlib import font_manager
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.patches import Patch
except ImportError:  # the charts extra is not installed
    font_manager = None


from bot.render.bars import DEFAULT_LEGEND, GRADE_COLOURS, GRADES, MAX_BARS, Bar, check, format_value

__all__ = [
    "DEFAULT_LEGEND", "GRADES", "MAX_BARS", "Bar", "available", "chinese_font_name", "score_chart", "text_chart",
]

FONT_PACKAGE = "bot.render"
FONT_FILE = "NotoSansSC-Chart.otf"


DPI = 100
WIDTH_IN = 9.0  # 900 px at DPI
_BASE_HEIGHT_IN = 1.6  # title, x axis, legend and margins
_BAR_HEIGHT_IN = 0.3  # one row
_MIN_HEIGHT_IN = 2.2
#: Full blocks of the longest bar in a text chart (a phone screen shows about 20 wide characters).
TEXT_WIDTH = 12


@dataclass(frozen=True)
class _Font:
    path: Path
    family: str


_font: _Font | None = None
_font_lock = threading.Lock()


def available() -> bool:
    """True when matplotlib (the ``charts`` extra) is installed and PNG charts can be drawn."""
    return font_manager is not None


def _font_path() -> Path:
    path = Path(str(importlib.resources.files(FONT_PACKAGE) / "fonts" / FONT_FILE))
    if not path.is_file():
        raise RuntimeError(f"the chart font {FONT_FILE} is missing (looked at {path}); reinstall yanxiu")
    return path


def _registered_font() -> _Font:
    """Register the shipped CJK font with matplotlib once per process and return it."""
    global _font
    if not available():
        raise RuntimeError("charts need matplotlib: pip install 'yanxiu[charts]'")
    if _font is None:
        with _font_lock:
            if _font is None:
                path = _font_path()
                font_manager.fontManager.addfont(str(path))
                # The name matplotlib files the font under (FreeType's family name, as addfont uses).
                family = font_manager.get_font(str(path)).family_name
                _font = _Font(path=path, family=family)
    return _font


def chinese_font_name() -> str:
    """The family name registered for CJK text ("Noto Sans CJK SC")."""
    return _registered_font().family


def chinese_font_path() -> Path:
    """The shipped font file every chart text is drawn with."""
    return _registered_font().path


def _fp(size: float) -> FontProperties:
    return FontProperties(fname=str(chinese_font_path()), size=size)


def _figure(
    title: str,
    bars: Sequence[Bar],
    *,
    value_label: str = "积分",
    legend: Mapping[str, str] | None = None,
    scale: tuple[float, float] | None = (0.0, 100.0),
    thresholds: Sequence[tuple[str, float]] = (),
) -> Figure:
    """Build (but do not render) the chart; ``score_chart`` renders it.  Kept separate for tests."""
    check(bars)
    _registered_font()  # raises a clear RuntimeError without matplotlib
    legend = DEFAULT_LEGEND if legend is None else legend
    ordered = sorted(bars, key=lambda b: b.value, reverse=True)  # stable: ties keep caller order
    n = len(ordered)

    height = max(_MIN_HEIGHT_IN, _BASE_HEIGHT_IN + _BAR_HEIGHT_IN * n)
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, facecolor="white", layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()

    ys = range(n)
    container = ax.barh(
        ys,
        [b.value for b in ordered],
        color=[GRADE_COLOURS[b.grade] for b in ordered],
        height=0.7,
    )
    ax.set_yticks(ys, labels=[b.label for b in ordered], fontproperties=_fp(11))
    ax.set_ylim(n - 0.5, -0.5)  # best on top
    ax.bar_label(
        container, labels=[format_value(b.value) for b in ordered], padding=3, fontproperties=_fp(10)
    )

    # A fixed scale, so 58 never looks like a full bar; room for the value written past each bar.
    lo = min(0.0 if scale is None else scale[0], *(b.value for b in ordered))
    hi = max(0.0 if scale is None else scale[1], *(b.value for b in ordered))
    span = (hi - lo) or 1.0
    ax.set_xlim(lo - (0.12 * span if lo < 0 else 0.0), hi + 0.08 * span)
    for name, value in thresholds:
        ax.axvline(value, color="#444444", linewidth=1.2, linestyle="--", zorder=3)
        ax.annotate(f"{name} {format_value(value)}", xy=(value, 0), xycoords=("data", "axes fraction"),
                    xytext=(3, 3), textcoords="offset points", fontproperties=_fp(10), color="#444444")
    ax.set_xlabel(value_label, fontproperties=_fp(11))
    ax.tick_params(axis="x", labelfontfamily=chinese_font_name(), labelsize=10)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

    fig.suptitle(title, fontproperties=_fp(16))
    handles = [
        Patch(facecolor=GRADE_COLOURS[grade], label=legend[grade]) for grade in GRADES if grade in legend
    ]
    if handles:
        fig.legend(
            handles=handles,
            loc="outside lower center",
            ncols=len(handles),
            prop=_fp(11),
            frameon=False,
        )
    return fig


def score_chart(
    title: str,
    bars: Sequence[Bar],
    *,
    value_label: str = "积分",
    legend: Mapping[str, str] | None = None,
    scale: tuple[float, float] | None = (0.0, 100.0),
    thresholds: Sequence[tuple[str, float]] = (),
) -> bytes:
    """A PNG: horizontal bars, best first (top), value written at the end of each bar, a legend
    mapping grade → text (default {"excellent": "优秀", "pass": "合格", "fail": "不合格"}; grades
    missing from *legend* get no entry, ``{}`` means no legend), the title on top.

    The score axis is fixed to *scale* (0–100; None fits the values) and *thresholds* such as
    (("合格", 60), ("优秀", 90)) are drawn as dashed lines, so a phone shows at a glance who is near
    which line.  900 px wide; the height grows with the number of bars.  At most ``MAX_BARS`` (60) bars per
    image — the caller paginates.  Raises ValueError for no bars, more than 60, an unknown grade
    or a non-finite value; RuntimeError without matplotlib (check ``available()`` first).
    """
    fig = _figure(title, bars, value_label=value_label, legend=legend, scale=scale, thresholds=thresholds)
    buf = io.BytesIO()
    # print_png, not savefig: savefig consults global savefig.* rcParams (dpi, bbox) and could
    # change the image size.
    fig.canvas.print_png(buf, metadata={"Software": None})
    return buf.getvalue()


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_chart(
    title: str,
    bars: Sequence[Bar],
    *,
    legend: Mapping[str, str] | None = None,
) -> str:
    """The same chart as plain text, for servers without matplotlib: one line per bar, best first,
    a bar of block characters on the 0–100 scale (wider only for more points), the value and the
    grade's word."""
    check(bars)
    legend = DEFAULT_LEGEND if legend is None else legend
    ordered = sorted(bars, key=lambda b: b.value, reverse=True)
    top = max(100.0, *(b.value for b in ordered))  # the image's 0–100 axis: 58 points is not a full bar
    widest = max(_display_width(b.label) for b in ordered)
    lines = [title]
    for bar in ordered:
        eighths = round(TEXT_WIDTH * 8 * bar.value / top) if top > 0 and bar.value > 0 else 0
        blocks = "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]
        pad = " " * (widest - _display_width(bar.label))
        word = legend.get(bar.grade, "")
        lines.append(f"{bar.label}{pad} {blocks} {format_value(bar.value)}" + (f" {word}" if word else ""))
    return "\n".join(lines)
