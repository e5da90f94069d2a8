"""The Pillow score chart announcements send: the picture's promises (size, best on top, grade
colours, Chinese glyphs, the grade lines) checked on its pixels, and the errors the caller relies on."""

from __future__ import annotations

import io
import math
import subprocess
import sys

import pytest
from PIL import Image

from bot.render.score_png import GRADE_COLOURS, MAX_BARS, ROW, Bar, score_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def decode(png: bytes) -> Image.Image:
    assert png.startswith(PNG_SIGNATURE)
    return Image.open(io.BytesIO(png)).convert("RGB")


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def bars(n: int) -> list[Bar]:
    values = [20 + (i * 37) % 80 + 0.5 * (i % 2) for i in range(n)]
    return [Bar(f"教师{i}", v, "excellent" if v >= 90 else "pass" if v >= 60 else "fail") for i, v in enumerate(values)]


def colours_in_row(image: Image.Image, y: int) -> set[tuple[int, int, int]]:
    return {image.getpixel((x, y)) for x in range(image.width)}


def bar_rows(image: Image.Image) -> list[tuple[int, int, int]]:
    """The grade colour of each bar, top to bottom (the legend, at the bottom, left out)."""
    grade_colours = {rgb(c) for c in GRADE_COLOURS.values()}
    found = []
    for y in range(image.height - 50):
        row = colours_in_row(image, y) & grade_colours
        assert len(row) <= 1, "two bars on one row"
        if row and (not found or found[-1][1] != y - 1):
            found.append((row.pop(), y))
        elif row:
            found[-1] = (found[-1][0], y)
    return [colour for colour, _ in found]


def test_900_wide_and_taller_with_more_bars() -> None:
    heights = [decode(score_png("成绩公示", bars(n))).height for n in (3, 20, MAX_BARS)]
    assert decode(score_png("成绩公示", bars(3))).width == 900
    assert heights[0] < heights[1] < heights[2] <= 2000
    assert heights[2] - heights[1] == (MAX_BARS - 20) * ROW


def test_best_on_top_in_its_grade_colour() -> None:
    chart = [Bar("李娜", 61, "pass"), Bar("王芳", 92.5, "excellent"), Bar("张伟", 40, "fail")]
    image = decode(score_png("成绩公示", chart, legend={}))
    assert bar_rows(image) == [rgb(GRADE_COLOURS[g]) for g in ("excellent", "pass", "fail")]


def test_longer_score_longer_bar() -> None:
    image = decode(score_png("成绩", [Bar("王芳", 90, "excellent"), Bar("李娜", 45, "fail")], legend={}))
    lengths = {colour: 0 for colour in (rgb(GRADE_COLOURS["excellent"]), rgb(GRADE_COLOURS["fail"]))}
    for colour in lengths:
        lengths[colour] = max(sum(1 for x in range(image.width) if image.getpixel((x, y)) == colour)
                              for y in range(image.height))
    assert lengths[rgb(GRADE_COLOURS["excellent"])] == pytest.approx(2 * lengths[rgb(GRADE_COLOURS["fail"])], rel=0.02)


def test_different_chinese_names_draw_different_pixels() -> None:
    """A font without Chinese draws every character as the same box: only the CJK font tells 王芳 from 李娜."""
    one = decode(score_png("成绩", [Bar("王芳", 80, "pass")], legend={}))
    other = decode(score_png("成绩", [Bar("李娜", 80, "pass")], legend={}))
    assert one.size == other.size and one.tobytes() != other.tobytes()
    legend_a = decode(score_png("成绩", [Bar("王芳", 80, "pass")], legend={"pass": "合格"}))
    legend_b = decode(score_png("成绩", [Bar("王芳", 80, "pass")], legend={"pass": "达标"}))
    assert legend_a.tobytes() != legend_b.tobytes()


def test_thresholds_and_legend_are_drawn() -> None:
    plain = decode(score_png("成绩", bars(5), legend={}))
    lined = decode(score_png("成绩", bars(5), legend={}, thresholds=(("合格", 60),)))
    legend = decode(score_png("成绩", bars(5)))
    assert plain.tobytes() != lined.tobytes()
    assert (68, 68, 68) in {lined.getpixel((x, y)) for x in range(lined.width) for y in range(0, lined.height, 3)}
    bottom = legend.height - 30
    assert rgb(GRADE_COLOURS["excellent"]) in colours_in_row(legend, bottom)
    assert rgb(GRADE_COLOURS["excellent"]) not in colours_in_row(plain, plain.height - 30)


def test_negative_values_render() -> None:
    image = decode(score_png("扣分", [Bar("王芳", -5, "fail"), Bar("李娜", 3, "pass")]))
    assert image.width == 900 and bar_rows(image) == [rgb(GRADE_COLOURS["pass"]), rgb(GRADE_COLOURS["fail"])]


@pytest.mark.parametrize("n", [0, MAX_BARS + 1])
def test_rejects_empty_and_oversized(n: int) -> None:
    with pytest.raises(ValueError):
        score_png("成绩", bars(n))


@pytest.mark.parametrize("bar", [Bar("王芳", 80, "good"), Bar("王芳", math.nan, "pass"), Bar("王芳", math.inf, "pass")])
def test_rejects_bad_bars(bar: Bar) -> None:
    with pytest.raises(ValueError):
        score_png("成绩", [bar])


def test_does_not_load_matplotlib() -> None:
    code = ("import sys; from bot.render.score_png import Bar, score_png; score_png('成绩', [Bar('王芳', 80, 'pass')]);"
            "print('matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "False"
