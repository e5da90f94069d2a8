from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.record_text import (
    ObservationDraft,
    parse_observation_fields,
    parse_observation_text,
    parse_record_text,
)
from bot.domain.records import RecordKind

TODAY = date(2026, 11, 23)
R, C = RecordKind.REFLECTION, RecordKind.CASE


@pytest.mark.parametrize(
    ("text", "kind", "title", "body_starts"),
    [
        ("反思：今天《分数的初步认识》一课……", R, "分数的初步认识", "今天《分数"),
        ("#反思 本周执教《认识钟表》，……", R, "认识钟表", "本周执教"),
        ("【教学反思】《圆的面积》  这节课我……", R, "圆的面积", "《圆的面积》"),
        ("教学反思：这节课学生兴趣很高", R, "", "这节课"),
        ("案例：……", C, "", "……"),
        ("【教学案例】《小数乘法》……", C, "小数乘法", "《小数乘法》"),
        ("本月反思", R, "", ""),
        ("反思", R, "", ""),
        ("＃案例  课堂实录", C, "", "课堂实录"),
    ],
)
def test_reflection_and_case_shapes(text, kind, title, body_starts):
    parsed = parse_record_text(text)
    assert parsed is not None
    assert (parsed.kind, parsed.title) == (kind, title)
    assert parsed.body.startswith(body_starts)


@pytest.mark.parametrize(
    "text", ["收到", "反思很重要", "案例分析会几点开？", "大家记得交反思", "好的👍", "", "我的反思：写完了"]
)
def test_chatter_is_not_a_record(text):
    assert parse_record_text(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "听课记录：11月20日 听李明老师三年级数学《分数的初步认识》\n亮点：情境导入自然。\n建议：多给学生表达的机会。",
            ObservationDraft("李明", date(2026, 11, 20), "三年级数学", "分数的初步认识",
                             "亮点：情境导入自然。\n建议：多给学生表达的机会。"),
        ),
        (
            "今天听了赵老师的语文课《秋天的雨》，朗读指导很扎实，建议板书再精炼些。",
            ObservationDraft("赵", TODAY, "语文", "秋天的雨", "朗读指导很扎实，建议板书再精炼些。"),
        ),
        (
            "#听课 上周三听了张伟老师的五年级英语《My school》 节奏紧凑",
            ObservationDraft("张伟", date(2026, 11, 18), "五年级英语", "My school", "节奏紧凑"),
        ),
    ],
)
def test_observation_text_shapes(text, expected):
    assert parse_observation_text(text, TODAY) == expected


@pytest.mark.parametrize("text", ["今天听了一节好课", "听说明天下雨", "收到", "听课记录在哪交？"])
def test_observation_text_needs_teacher_and_topic(text):
    assert parse_observation_text(text, TODAY) is None


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("李明 | 三年级数学 | 分数的初步认识 | 亮点… 建议…",
         ObservationDraft("李明", None, "三年级数学", "分数的初步认识", "亮点… 建议…")),
        ("李明老师｜11月20日｜三年级数学｜《分数的初步认识》｜很好",
         ObservationDraft("李明", date(2026, 11, 20), "三年级数学", "分数的初步认识", "很好")),
    ],
)
def test_observation_one_line(args, expected):
    assert parse_observation_fields(args, TODAY) == expected


@pytest.mark.parametrize(
    "args", ["李明 三年级数学", "李明 | 三年级数学 | 分数", "李明 | 不是日期 | 三年级 | 课题 | 评价", " | | | ", ""]
)
def test_observation_one_line_rejects_incomplete(args):
    assert parse_observation_fields(args, TODAY) is None


@given(st.text())
def test_parsers_never_raise(text):
    parse_record_text(text)
    parse_observation_text(text, TODAY)
    parse_observation_fields(text, TODAY)


field = st.text(
    alphabet=st.characters(blacklist_characters="|｜《》\n\r", blacklist_categories=("Cs", "Zs", "Cc")),
    min_size=1, max_size=30,
).filter(lambda s: s.strip() == s and not s.endswith("老师"))


@given(field, field, field, field)
def test_one_line_round_trip(teacher, class_subject, topic, notes):
    draft = parse_observation_fields(f"{teacher} | {class_subject} | {topic} | {notes}", TODAY)
    assert draft == ObservationDraft(teacher, None, class_subject, topic.strip("《》 "), notes)
