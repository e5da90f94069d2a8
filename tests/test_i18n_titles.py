"""A title set inside a template's 《》 nests the way Chinese typography does."""

from __future__ import annotations

import pytest

from bot.i18n import Translator, as_inner_title


@pytest.mark.parametrize(("typed", "shown"), [
    ("秋天的雨", "秋天的雨"),
    ("《秋天的雨》", "秋天的雨"),
    ("《秋天的雨》第二课时", "〈秋天的雨〉第二课时"),
    ("《秋天》与《春天》对比", "〈秋天〉与〈春天〉对比"),
    ("比较《秋天》", "比较〈秋天〉"),
])
def test_inner_titles(typed, shown):
    assert as_inner_title(typed) == shown


def test_only_values_between_title_marks_change():
    t = Translator("zh_CN")
    line = t("session_line", id=3, when="12月3日 19:30", end="20:30", topic="《秋天的雨》研讨", host="《王》",
             schools="城关小学")
    assert line == "#3 12月3日 19:30–20:30《〈秋天的雨〉研讨》主持人《王》（城关小学）"
    english = Translator("en")("session_line", id=3, when="Dec 3", end="20:30", topic="《秋天的雨》研讨", host="王",
                               schools="x")
    assert '"《秋天的雨》研讨"' in english, "quotation marks around a title keep its own marks"
