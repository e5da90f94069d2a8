"""Roster account cells and invitation codes: the pure rules behind verified identities."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.identity import account_handle, code_expired, code_hash, format_code, normalise_code
from bot.domain.roles import PERSON_ROLES, PRIVILEGED_ROLES
from bot.domain.roster import Action, ExistingMember, RosterRow, plan_import, read_roster


@pytest.mark.parametrize(("field", "cell", "stored"), [
    ("telegram", "123456789", "123456789"),
    ("telegram", "@WangFang", "@wangfang"),
    ("telegram", "wang_fang", "@wang_fang"),
    ("telegram", "＠Wang_Fang", "@wang_fang"),
    ("telegram", "@ab", None),
    ("telegram", "王芳", None),
    ("qq", "12345678", "12345678"),
    ("qq", "0123456", None),
    ("qq", "1234", None),
    ("wecom", "WangFang", "WangFang"),
    ("wecom", "wang fang", None),
    ("dingtalk", "manager4321", "manager4321"),
])
def test_account_cells(field, cell, stored):
    assert account_handle(field, cell) == stored


def test_codes_are_typed_back_in_any_case_with_or_without_the_dash():
    assert format_code("ABCDEFGH") == "ABCD-EFGH"
    for typed in ("ABCD-EFGH", "abcd-efgh", "abcdefgh", "ＡＢＣＤ－ＥＦＧＨ"):
        assert normalise_code(typed) == "ABCDEFGH"
    for not_a_code in ("ABCD-EFG", "ABCD-EFG0", "紫阳县第二小学", "ABCDEFGHJ"):
        assert normalise_code(not_a_code) is None
    assert code_hash("ABCDEFGH") != code_hash("ABCDEFGJ") and "ABCDEFGH" not in code_hash("ABCDEFGH")


def test_account_columns_are_read_from_csv():
    content = "姓名,学校,Telegram,QQ,企业微信,钉钉\n王芳,紫阳县第二小学,@WangFang,12345678,wangfang,ding01\n".encode()
    [row] = read_roster(content, "名单.csv")
    assert (row.telegram, row.qq, row.wecom, row.dingtalk) == ("@WangFang", "12345678", "wangfang", "ding01")


def _plan(rows, existing=(), admin=False):
    may_grant = set(PERSON_ROLES) if admin else set(PERSON_ROLES) - PRIVILEGED_ROLES
    return plan_import(rows, existing, schools={"紫阳县第二小学"}, workshops=set(), groups=set(), may_grant=may_grant)


def test_planning_normalises_accounts_and_refuses_taken_duplicate_and_privileged_ones():
    existing = [
        ExistingMember(1, "李主任", "紫阳县第二小学", roles=frozenset({"coordinator"})),
        ExistingMember(2, "赵强", "紫阳县第二小学", accounts=(("telegram", "@zhao"),)),
    ]
    rows = [
        RosterRow(2, "王芳", "紫阳县第二小学", telegram="@WangFang"),
        RosterRow(3, "李明", "紫阳县第二小学", telegram="@wangfang"),
        RosterRow(4, "钱多", "紫阳县第二小学", qq="zz"),
        RosterRow(5, "孙丽", "紫阳县第二小学", telegram="@Zhao"),
        RosterRow(6, "李主任", "紫阳县第二小学", telegram="900"),
        RosterRow(7, "赵强", "紫阳县第二小学", telegram="@zhao", qq="12345678"),
    ]
    plan = _plan(rows, existing)
    actions = {row.line: (row.action, row.problem) for row in plan.rows}
    assert actions[2] == (Action.CREATE, None) and plan.rows[0].telegram == "@wangfang"
    assert actions[3] == (Action.REJECT, "roster_duplicate_row")
    assert actions[4] == (Action.REJECT, "roster_bad_account")
    assert actions[5] == (Action.REJECT, "roster_account_taken")
    assert actions[6] == (Action.REJECT, "roster_account_privileged")
    assert actions[7][0] is Action.UPDATE and plan.rows[5].changes == (("account_qq", "", "12345678"),)
    assert {row.line: row.action for row in _plan(rows, existing, admin=True).rows}[6] is Action.UPDATE


def test_platforms_are_named_as_users_call_them():
    from bot.domain.identity import platform_name

    assert [platform_name(p) for p in ("onebot", "wecom", "dingtalk", "telegram")] == ["QQ", "企业微信", "钉钉", "Telegram"]
    assert platform_name("memory") == "memory", "an unknown platform keeps its own name"


def test_a_code_is_a_key_for_its_valid_days_only():
    issued = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
    assert not code_expired(issued, issued + timedelta(days=59, hours=23), 60)
    assert code_expired(issued, issued + timedelta(days=60), 60)
    assert not code_expired(issued, issued, 1) and code_expired(issued, issued + timedelta(days=1), 1)
