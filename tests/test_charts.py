from __future__ import annotations

import importlib.resources
import io
import math
import warnings
from pathlib import Path

import matplotlib
import matplotlib.image
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, fontManager

from bot.render import charts
from bot.render.charts import MAX_BARS, Bar, chinese_font_name, score_chart

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def shipped_font() -> Path:
    return Path(str(importlib.resources.files("bot.render") / "fonts" / "NotoSansSC-Chart.otf")).resolve()


NAMES = ["王芳", "李娜", "张伟", "刘洋", "陈静", "杨敏", "赵磊", "黄丽", "周杰", "吴婷"]


def grade_of(value: float) -> str:
    return "excellent" if value >= 85 else "pass" if value >= 60 else "fail"


def make_bars(n: int) -> list[Bar]:
    values = [20 + (i * 37) % 80 + 0.5 * (i % 2) for i in range(n)]
    return [Bar(f"{NAMES[i % len(NAMES)]}{i}", v, grade_of(v)) for i, v in enumerate(values)]


def decode(png: bytes) -> np.ndarray:
    return matplotlib.image.imread(io.BytesIO(png), format="png")


def glyph_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "missing from" in str(w.message) and "Glyph" in str(w.message)]


@pytest.fixture(scope="module")
def page_of_60() -> bytes:
    return score_chart("第三期研修 成绩公示（第1页）", make_bars(MAX_BARS))


def test_png_size_and_height_grows(page_of_60: bytes) -> None:
    small = score_chart("成绩公示", make_bars(3))
    medium = score_chart("成绩公示", make_bars(20))
    heights = []
    for png in (small, medium, page_of_60):
        assert png.startswith(PNG_SIGNATURE)
        image = decode(png)
        assert image.shape[1] == 900
        heights.append(image.shape[0])
    assert heights[0] < heights[1] < heights[2] <= 2000
    assert len(page_of_60) < 300 * 1024


def test_font_is_the_shipped_file() -> None:
    """Chart text is drawn from the shipped file; a system font of the same family (Debian's
    fonts-noto-cjk) may answer a lookup by name, which is just as good for the tick numbers."""
    assert chinese_font_name() == "Noto Sans CJK SC"
    assert charts.chinese_font_path().resolve() == shipped_font()
    registered = {Path(entry.fname).resolve() for entry in fontManager.ttflist if entry.name == chinese_font_name()}
    assert shipped_font() in registered
    found = findfont(FontProperties(family=chinese_font_name()), fallback_to_default=False)
    assert Path(found).resolve() in registered


def test_chinese_renders_without_missing_glyph_warnings() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        score_chart(
            "研修成绩公示：王芳、李娜",
            [Bar("王芳", 95, "excellent"), Bar("欧阳娜娜", 70.5, "pass"), Bar("ZW", 12, "fail")],
            value_label="积分（分）",
        )
    assert glyph_warnings(caught) == []


def test_missing_glyph_detection_works() -> None:
    """Control for the test above: the default font really does warn on Chinese."""
    fig = Figure(figsize=(2, 1), dpi=50)
    FigureCanvasAgg(fig)
    fig.text(0.1, 0.5, "中文", family="DejaVu Sans")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.print_png(io.BytesIO())
    assert glyph_warnings(caught)


def test_different_chinese_names_draw_different_pixels() -> None:
    """Missing glyphs all draw as the same box, so two names of equal length only differ when the
    CJK font really is used."""
    one = decode(score_chart("成绩", [Bar("王芳", 80, "pass")], legend={}))
    other = decode(score_chart("成绩", [Bar("李娜", 80, "pass")], legend={}))
    assert one.shape == other.shape
    assert not np.array_equal(one, other)

    legend_a = decode(score_chart("成绩", [Bar("王芳", 80, "pass")], legend={"pass": "合格"}))
    legend_b = decode(score_chart("成绩", [Bar("王芳", 80, "pass")], legend={"pass": "达标"}))
    assert not np.array_equal(legend_a, legend_b)


def test_figure_texts_best_first_and_pinned_font() -> None:
    bars = [Bar("李娜", 61, "pass"), Bar("王芳", 92.5, "excellent"), Bar("张伟", 40, "fail")]
    fig = charts._figure("成绩公示", bars)
    fig.canvas.draw()
    ax = fig.axes[0]

    assert [t.get_text() for t in ax.get_yticklabels()] == ["王芳", "李娜", "张伟"]
    # ylim inverted: the first (best) row is on top.
    bottom, top = ax.get_ylim()
    assert bottom > top

    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["优秀", "合格", "不合格"]
    assert fig.get_suptitle() == "成绩公示"
    assert ax.get_xlabel() == "积分"
    values = sorted(t.get_text() for t in ax.texts)
    assert values == ["40", "61", "92.5"]

    drawn = [fig._suptitle, ax.xaxis.label, *ax.get_yticklabels(), *legend.get_texts(), *ax.texts]
    for text in drawn:
        assert Path(findfont(text.get_fontproperties())).resolve() == shipped_font(), text.get_text()


def test_legend_lists_only_given_grades() -> None:
    fig = charts._figure("成绩", make_bars(5), legend={"fail": "未达标"})
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["未达标"]
    assert charts._figure("成绩", make_bars(5), legend={}).legends == []


@pytest.mark.parametrize("n", [0, MAX_BARS + 1])
def test_rejects_empty_and_oversized(n: int) -> None:
    with pytest.raises(ValueError):
        score_chart("成绩", make_bars(n))


@pytest.mark.parametrize(
    "bar", [Bar("王芳", 80, "good"), Bar("王芳", math.nan, "pass"), Bar("王芳", math.inf, "pass")]
)
def test_rejects_bad_bars(bar: Bar) -> None:
    with pytest.raises(ValueError):
        score_chart("成绩", [bar])


def test_negative_values_render() -> None:
    png = score_chart("扣分", [Bar("王芳", -5, "fail"), Bar("李娜", 3, "pass")])
    assert decode(png).shape[1] == 900


def test_global_rcparams_untouched() -> None:
    before = dict(matplotlib.rcParams)
    score_chart("成绩", make_bars(2))
    assert dict(matplotlib.rcParams) == before


def test_missing_font_file_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "FONT_FILE", "NoSuchFont.otf")
    with pytest.raises(RuntimeError, match="NoSuchFont.otf.*reinstall yanxiu"):
        charts._font_path()


def test_the_shipped_font_is_open_licensed_and_covers_names_and_labels() -> None:
    """OFL text beside the font; every GB 2312 hanzi (names), and the legend and title words."""
    from matplotlib.ft2font import FT2Font

    licence = (shipped_font().parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Adobe" in licence
    font = FT2Font(str(shipped_font()))
    assert font.family_name == "Noto Sans CJK SC"
    covered = set(font.get_charmap())
    wanted = "欧阳王芳李娜诸葛亮司马懿鑫淼−" + "优秀合格不合格成绩公示第页积分（）：，0123456789-." + "陳國華"
    assert not [ch for ch in wanted if ord(ch) not in covered]
    hanzi = bytes((0xB0, 0xA1)).decode("gb2312"), bytes((0xF7, 0xFE)).decode("gb2312")  # first and last
    assert all(ord(ch) in covered for ch in hanzi)


def test_without_matplotlib_the_chart_is_text() -> None:
    """With matplotlib hidden (the charts extra not installed) the module still imports and draws in text."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "class Hide:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('matplotlib', 'numpy'):\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, Hide())\n"
        "from bot.render import charts\n"
        "assert not charts.available()\n"
        "print(charts.text_chart('成绩公示', [charts.Bar('王芳', 90, 'excellent'), charts.Bar('欧阳明', 45, 'fail')]))\n"
        "try:\n"
        "    charts.score_chart('成绩', [charts.Bar('王芳', 90, 'excellent')])\n"
        "except RuntimeError as problem:\n"
        "    print(problem)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "成绩公示"
    # The same 0–100 scale as the image: 90 points is 9/10 of the full width, not all of it.
    assert lines[1].startswith("王芳") and lines[1].endswith("90 优秀") and lines[1].count("█") == 10
    assert lines[2].startswith("欧阳明") and lines[2].endswith("45 不合格") and lines[2].count("█") == 5
    assert "yanxiu[charts]" in lines[3]


def test_the_score_axis_is_fixed_and_the_grade_lines_are_drawn() -> None:
    """58 points must not look like a full bar: the axis runs 0–100 whatever the scores are."""
    fig = charts._figure("成绩", [Bar("王芳", 58, "fail"), Bar("李明", 55, "fail")],
                         thresholds=(("合格", 60), ("优秀", 90)))
    ax = fig.axes[0]
    low, high = ax.get_xlim()
    assert low == 0 and high >= 100
    lines = [line.get_xdata()[0] for line in ax.get_lines()]
    assert lines == [60, 90]
    assert {"合格 60", "优秀 90"} <= {text.get_text() for text in ax.texts}
    fitted = charts._figure("成绩", [Bar("王芳", 58, "fail")], scale=None)
    assert fitted.axes[0].get_xlim()[1] < 100
