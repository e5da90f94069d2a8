"""A coordinator writes the policy's few-word values in Chinese (unit = "小组", per = "每两周",
hosts = ["组长"]) and they mean what the English ones do; a word that is none of them is refused
with every choice named in both spellings."""

from __future__ import annotations

import pytest

from bot.ops.policy import PolicyError, load_policy

CHINESE = '''
name = "同伴互助"
[awards]
unit = "小组"
eligible_grades = ["优秀", "合格"]
bottom_role = "学员"
[reviews]
by = ["坊主", "导师"]
[[records.kinds]]
name = "教学设计"
per = "每月"
count = 1
evaluators = ["组长"]
authors = ["学员"]
[[activities]]
name = "集体备课"
unit = "小组"
hosts = ["组长", "导师"]
attendee_roles = ["学员"]
per = "每两周"
count = 1
[[activities]]
name = "常规诊断"
unit = "学校"
school_roles = ["帮扶校"]
per = "每两月"
count = 1
per_semester = 2
'''


def test_chinese_values_mean_the_english_ones(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text(CHINESE, encoding="utf-8")
    rules = load_policy(path)
    assert (rules.awards.unit, rules.awards.eligible_grades, rules.awards.bottom_role) == (
        "group", ["excellent", "pass"], "teacher")
    assert rules.reviews.by == ["workshop_leader", "mentor"]
    kind = rules.records.kinds[0]
    assert (kind.per, kind.evaluators, kind.authors) == ("month", ["leader"], ["teacher"])
    preparation, diagnosis = rules.activities
    assert (preparation.unit, preparation.hosts, preparation.attendee_roles, preparation.per) == (
        "group", ["leader", "mentor"], ["teacher"], "fortnight")
    assert (diagnosis.unit, diagnosis.school_roles, diagnosis.per) == ("school", ["supported"], "two_months")


@pytest.mark.parametrize(("wrong", "named"), [
    ('per = "每两周"', "fortnight（每两周）"),
    ('unit = "小组"', "group（小组）"),
    ('hosts = ["组长"]', "leader（组长）"),
])
def test_an_unknown_word_is_refused_with_the_choices(tmp_path, wrong, named):
    key, _, value = wrong.partition(" = ")
    bad = "[[activities]]\nname = \"集体备课\"\n" + f"{key} = " + value.replace("每两周", "每季度").replace(
        "小组", "班级").replace("组长", "班主任") + "\n"
    path = tmp_path / "bad.toml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(PolicyError, match=rf"bad\.toml: activities\.0\.{key}") as refused:
        load_policy(path)
    assert named in str(refused.value)
