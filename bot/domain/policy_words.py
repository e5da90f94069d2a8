"""The Chinese a coordinator may write in the policy file where a value is one of a few words:
`unit = "小组"`, `per = "每两周"`, `hosts = ["组长"]`. Each is kept as its English value; an unknown
word is refused naming both spellings of every allowed value."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from typing import Annotated

from pydantic import BeforeValidator

from bot.domain.roles import PERSON_ROLES

UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "group": ("小组", "研修小组", "学习小组", "组"),
    "workshop": ("工作坊", "坊"),
    "school": ("学校", "校"),
    "program": ("全项目", "项目", "培育站", "全体"),
}
PERIOD_WORDS: dict[str, tuple[str, ...]] = {
    "week": ("每周", "周"),
    "fortnight": ("每两周", "两周", "双周", "隔周"),
    "month": ("每月", "月"),
    "two_months": ("每两月", "每两个月", "两个月", "双月"),
    "semester": ("每学期", "学期"),
}
GRADE_WORDS: dict[str, tuple[str, ...]] = {
    "excellent": ("优秀",),
    "pass": ("合格",),
    "fail": ("不合格",),
}


def _word(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower().replace("-", "_")


def canonical(value: object, table: Mapping[str, Sequence[str]], allowed: Sequence[str] | None = None) -> object:
    """`value` as its English word; a ValueError listing the choices when it is none of them."""
    if not isinstance(value, str):
        return value
    choices = list(allowed) if allowed is not None else list(table)
    word = _word(value)
    for key in choices:
        if word == key or word in table.get(key, ()):
            return key
    spelled = "、".join(f"{key}（{table[key][0]}）" if table.get(key) else key for key in choices)
    raise ValueError(f"{value!r} is not one of {spelled}")


def _unit(value: object) -> object:
    return canonical(value, UNIT_WORDS)


def _period(value: object) -> object:
    return canonical(value, PERIOD_WORDS)


def _role(value: object) -> object:
    return value if value == "" else canonical(value, PERSON_ROLES)


def _grade(value: object) -> object:
    return canonical(value, GRADE_WORDS)


UnitWord = Annotated[str, BeforeValidator(_unit)]
PeriodWord = Annotated[str, BeforeValidator(_period)]
RoleWord = Annotated[str, BeforeValidator(_role)]
GradeWord = Annotated[str, BeforeValidator(_grade)]
