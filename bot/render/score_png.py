"""Score-announcement bar charts drawn straight with Pillow: the same picture as bot.render.charts
(horizontal bars best first, value past each bar, a fixed 0–100 axis with grid, dashed grade lines,
a legend, the title on top, 900 px wide), in a few milliseconds instead of half a second.

A fan-out sends a chart to every group: at matplotlib's pace a thousand groups take many minutes of
CPU, far behind the 30 messages a second Telegram allows. Drawing rectangles and text directly is
all these charts need. The font is the project's shipped Noto Sans subset (bot/render/fonts); one
FreeType face per size and thread, since a face must not be shared by threads drawing at the same time.
"""

from __future__ import annotations

import importlib.resources
import io
import math
import threading
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

try:
    from PIL import Image, ImageDraw, ImageFont
except ImportError:  # the charts extra is not installed: available() says so
    Image = ImageDraw = ImageFont = None

from bot.render.bars import DEFAULT_LEGEND, GRADE_COLOURS, GRADES, MAX_BARS, Bar, check, format_value

__all__ = ["MAX_BARS", "Bar", "available", "score_png"]

FONT_PACKAGE, FONT_FILE = "bot.render", "NotoSansSC-Chart.otf"
WIDTH = 900
ROW = 30  # px per bar, as 0.3 in at 100 dpi
BAR = 21  # the bar's thickness within its row (0.7)
BASE, MIN_HEIGHT = 160, 220  # title, axis, legend and margins; the least height
TITLE_PX, LABEL_PX, SMALL_PX = 22, 15, 14  # 16 pt, 11 pt, 10 pt at 100 dpi
INK, MUTED, GRID, AXIS = "#222222", "#444444", "#dddddd", "#333333"


_local = threading.local()


def available() -> bool:
    """True when Pillow (the ``charts`` extra) is installed and PNG charts can be drawn."""
    return Image is not None


@cache
def font_path() -> Path:
    """The shipped CJK font file (the one bot.render.charts registers with matplotlib)."""
    path = Path(str(importlib.resources.files(FONT_PACKAGE) / "fonts" / FONT_FILE))
    if not path.is_file():
        raise RuntimeError(f"the chart font {FONT_FILE} is missing from {FONT_PACKAGE}/fonts; reinstall yanxiu")
    return path


def _font(size: int) -> ImageFont.FreeTypeFont:
    fonts = _local.__dict__.setdefault("fonts", {})
    if size not in fonts:
        fonts[size] = ImageFont.truetype(str(font_path()), size)
    return fonts[size]


def _ticks(lo: float, hi: float) -> list[float]:
    """Round tick values across [lo, hi], about six of them (1, 2 or 5 times a power of ten apart)."""
    raw = (hi - lo) / 6 or 1.0
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]


def _dashed(draw: ImageDraw.ImageDraw, x: int, top: int, bottom: int, colour: str) -> None:
    for y in range(top, bottom, 9):
        draw.line([(x, y), (x, min(y + 5, bottom))], fill=colour, width=2)


def score_png(
    title: str,
    bars: Sequence[Bar],
    *,
    value_label: str = "积分",
    legend: Mapping[str, str] | None = None,
    scale: tuple[float, float] | None = (0.0, 100.0),
    thresholds: Sequence[tuple[str, float]] = (),
) -> bytes:
    """A PNG of the bars, best on top; same arguments and errors as bot.render.charts.score_chart."""
    check(bars)
    legend = DEFAULT_LEGEND if legend is None else legend
    ordered = sorted(bars, key=lambda b: b.value, reverse=True)
    n = len(ordered)
    height = max(MIN_HEIGHT, BASE + ROW * n)
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    label_font, small_font, title_font = _font(LABEL_PX), _font(SMALL_PX), _font(TITLE_PX)

    draw.text((WIDTH // 2, 10), title, font=title_font, fill=INK, anchor="mt")
    left = 16 + max(draw.textlength(b.label, font=label_font) for b in ordered)
    left, right, top = int(left) + 8, WIDTH - 24, 48
    bottom = top + max(ROW * n, MIN_HEIGHT - BASE)

    lo = min(0.0 if scale is None else scale[0], *(b.value for b in ordered))
    hi = max(0.0 if scale is None else scale[1], *(b.value for b in ordered))
    span = (hi - lo) or 1.0
    x_min, x_max = lo - (0.12 * span if lo < 0 else 0.0), hi + 0.08 * span

    def x_of(value: float) -> int:
        return round(left + (value - x_min) / (x_max - x_min) * (right - left))

    for tick in _ticks(x_min, x_max):
        x = x_of(tick)
        draw.line([(x, top), (x, bottom)], fill=GRID, width=1)
        draw.line([(x, bottom), (x, bottom + 4)], fill=AXIS, width=1)
        draw.text((x, bottom + 6), format_value(tick), font=small_font, fill=INK, anchor="mt")
    zero = x_of(max(x_min, 0.0))
    row_top = top + (bottom - top - ROW * n) // 2
    for i, bar in enumerate(ordered):
        middle = row_top + ROW * i + ROW // 2
        end = x_of(bar.value)
        x0, x1 = sorted((zero, end))
        draw.rectangle([x0, middle - BAR // 2, max(x1, x0 + 1), middle + BAR // 2], fill=GRADE_COLOURS[bar.grade])
        draw.text((left - 8, middle), bar.label, font=label_font, fill=INK, anchor="rm")
        if bar.value >= 0:
            draw.text((x1 + 4, middle), format_value(bar.value), font=small_font, fill=INK, anchor="lm")
        else:
            draw.text((x0 - 4, middle), format_value(bar.value), font=small_font, fill=INK, anchor="rm")
    for name, value in thresholds:
        x = x_of(value)
        _dashed(draw, x, top, bottom, MUTED)
        draw.text((x + 4, bottom - 4), f"{name} {format_value(value)}", font=small_font, fill=MUTED, anchor="ld")
    draw.line([(left, top), (left, bottom)], fill=AXIS, width=1)
    draw.line([(left, bottom), (right, bottom)], fill=AXIS, width=1)
    draw.text(((left + right) // 2, bottom + 28), value_label, font=label_font, fill=INK, anchor="mt")

    entries = [(GRADE_COLOURS[grade], legend[grade]) for grade in GRADES if grade in legend]
    if entries:
        widths = [26 + draw.textlength(text, font=label_font) for _, text in entries]
        x, y = (WIDTH - sum(widths) - 24 * (len(entries) - 1)) / 2, height - 30
        for (colour, text), width in zip(entries, widths, strict=True):
            draw.rectangle([x, y - 7, x + 18, y + 7], fill=colour)
            draw.text((x + 26, y), text, font=label_font, fill=INK, anchor="lm")
            x += width + 24
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()

