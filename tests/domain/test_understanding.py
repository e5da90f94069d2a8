"""Pure reading of posts: normalisation, the classifier's safety, 接龙 parsing — properties and tables."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.relay import Relay, RelayEntry, format_relay, parse_relay
from bot.domain.records import RecordKind
from bot.domain.text import fold, normalize
from bot.domain.understanding import Intent, _understand, strip_preamble, understand

TODAY = date(2026, 11, 23)
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
POSTS = st.text(
    alphabet=st.one_of(CJK, st.sampled_from(list("签到打卡反思案例听课记录《》【】#＃:：，。!？~～ \n\u3000@1234567890😊"))),
    max_size=80,
)


@given(st.text(max_size=200))
def test_normalisation_is_idempotent_on_any_text(text):
    assert normalize(normalize(text)) == normalize(text)
    assert fold(fold(text)) == fold(text)


@given(POSTS)
def test_normalisation_is_idempotent_on_chat_like_text(text):
    assert normalize(normalize(text)) == normalize(text)


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=300), POSTS))
def test_classification_never_raises(text):
    # the uncached, unguarded reading: a bug would surface here instead of hiding as chatter
    _understand.__wrapped__(text, TODAY, False)


NAMES = st.text(alphabet=CJK, min_size=2, max_size=4)
ENTRY_TEXT = st.builds(lambda name, note: f"{name} {note}".strip(), NAMES, st.sampled_from(["", "紫阳县第二小学", "三年级"]))


@given(
    st.sampled_from(["11月23日研修签到", "今日研修打卡", "周五午餐订餐", "教研活动报名"]),
    st.lists(ENTRY_TEXT, min_size=1, max_size=30),
    st.sampled_from(["", "张三 XX小学"]),
)
def test_relay_round_trips(title, texts, example):
    relay = Relay(title, tuple(RelayEntry(number, text) for number, text in enumerate(texts, 1)), example)
    assert parse_relay(format_relay(relay)) == relay


def test_relay_credits_only_the_line_that_names_the_sender():
    relay = parse_relay("接龙：今日研修打卡\n1、李明 紫阳二小\n2、王芳老师\n3、赵丽")
    assert relay.is_checkin and relay.entry_of("王芳").number == 2 and relay.entry_of("陈静") is None
    assert not parse_relay("#接龙\n周五午餐订餐\n1. 李明\n2. 王芳").is_checkin


@pytest.mark.parametrize(
    ("text", "folded"),
    [("簽到～～😊", "签到"), ("＃打卡　王芳", "#打卡 王芳"), ("教學反思：", "教学反思:"), ("Check In", "check in")],
)
def test_fold_reads_what_the_post_says(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("text", "intent", "kind"),
    [
        ("签到", Intent.CHECKIN, None),
        ("早安～王芳老师已签到🌞", Intent.CHECKIN, None),
        ("记得签到哦", Intent.CHATTER, None),
        ("【教学反思】\n《秋天的雨》\n" + "课" * 60, Intent.RECORD, RecordKind.REFLECTION),
        ("《一次家访》——教育叙事", Intent.HEADER, RecordKind.CASE),
        ("今天的反思大家写了吗", Intent.CHATTER, None),
        ("《秋天的雨》教学设计\n一、教学目标", Intent.CHATTER, None),
        ("我还差几篇反思？", Intent.QUESTION, None),
        ("、me", Intent.COMMAND, None),
        ("签道", Intent.NEAR_MISS, None),
    ],
)
def test_what_a_post_means(text, intent, kind):
    understood = understand(text, TODAY)
    assert understood.intent is intent and understood.kind is kind


def test_the_observation_form_is_read_field_by_field():
    form = "听课记录表\n执教者：李明\n课题：分数的初步认识\n班级：三年级2班\n时间：11月20日\n优点：导入好\n不足：时间紧\n建议：多动手"
    draft = understand(form, TODAY).observation
    assert (draft.teacher, draft.topic, draft.class_subject) == ("李明", "分数的初步认识", "三年级2班")
    assert draft.observed_on == date(2026, 11, 20) and draft.notes == "优点：导入好\n不足：时间紧\n建议：多动手"


def test_a_traditional_body_is_kept_as_written():
    understood = understand("教學反思：這節課學生很投入", TODAY)
    assert understood.kind is RecordKind.REFLECTION and understood.body == "這節課學生很投入"


@pytest.mark.parametrize(
    ("text", "rest", "addressed"),
    [
        ("「李明：交反思了吗」\n- - - - - - - - - - - - - - -\n反思：好", "反思：好", False),
        ("@研修助手 我的进度", "我的进度", True),
        ("@李明 明天见", "明天见", False),
        ("回复 赵丽：签到", "签到", False),
    ],
)
def test_quotes_replies_and_mentions_are_stripped(text, rest, addressed):
    stripped = strip_preamble(text)
    assert (stripped.text, stripped.addressed) == (rest, addressed)
