"""Signed dashboard passes and who sees which unit: pure rules, no server."""

from __future__ import annotations

import base64
import json

import pytest

from bot.domain.dashboard import (
    PROGRAM,
    BadToken,
    Pass,
    Scope,
    form_token,
    scope_for,
    sign,
    verify,
)

SECRET = b"a-dashboard-secret-for-tests"
NOW = 1_795_000_000
SCHOOL_3 = Scope("school", 3)


def a_pass(**changes) -> Pass:
    values = {"purpose": "link", "account": "telegram:42", "member_id": 7, "scope": SCHOOL_3,
              "expires": NOW + 900}
    return Pass(**{**values, **changes})


def test_a_signed_pass_reads_back_until_it_expires():
    token = sign(a_pass(), SECRET)
    assert verify(token, SECRET, NOW, "link") == a_pass()
    assert verify(token, SECRET, NOW + 899, "link").scope == SCHOOL_3
    with pytest.raises(BadToken) as expired:
        verify(token, SECRET, NOW + 900, "link")
    assert expired.value.reason == "expired"


def _rewritten(token: str, **payload_changes) -> str:
    body, _, mac = token.partition(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload.update(payload_changes)
    new_body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{new_body}.{mac}"


@pytest.mark.parametrize("change", [{"s": "program"}, {"s": "school:4"}, {"e": NOW + 10**6}, {"m": 8},
                                    {"a": "telegram:43"}])
def test_widening_the_scope_or_stretching_the_expiry_breaks_the_signature(change):
    with pytest.raises(BadToken) as bad:
        verify(_rewritten(sign(a_pass(), SECRET), **change), SECRET, NOW, "link")
    assert bad.value.reason == "tampered"


def test_another_secret_a_flipped_character_or_garbage_is_refused():
    token = sign(a_pass(), SECRET)
    with pytest.raises(BadToken):
        verify(token, b"another-secret-of-some-length", NOW, "link")
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    with pytest.raises(BadToken):
        verify(flipped, SECRET, NOW, "link")
    for garbage in ("", ".", "abc", "abc.", ".abc", "a.b.c"):
        with pytest.raises(BadToken):
            verify(garbage, SECRET, NOW, "link")


def test_a_link_is_not_a_session_cookie_and_back():
    with pytest.raises(BadToken) as bad:
        verify(sign(a_pass(purpose="link"), SECRET), SECRET, NOW, "session")
    assert bad.value.reason == "purpose"
    assert verify(sign(a_pass(purpose="session"), SECRET), SECRET, NOW, "session").purpose == "session"


def test_form_tokens_belong_to_one_session():
    first, second = sign(a_pass(purpose="session"), SECRET), sign(a_pass(purpose="session", member_id=8), SECRET)
    assert form_token(first, SECRET) == form_token(first, SECRET) != form_token(second, SECRET)
    assert form_token(first, SECRET) != form_token(first, b"another-secret-of-some-length")


@pytest.mark.parametrize(("roles", "units", "scope"), [
    ({"coordinator"}, (1, 2, 3), PROGRAM),
    ({"admin"}, (None, None, None), PROGRAM),
    ({"teacher", "workshop_leader"}, (1, 2, 3), Scope("workshop", 2)),
    ({"teacher", "leader"}, (1, 2, 3), Scope("group", 3)),
    ({"teacher", "leader"}, (1, 2, None), Scope("school", 1)),
    ({"teacher", "mentor"}, (1, 2, 3), Scope("workshop", 2)),
    ({"teacher", "mentor"}, (1, None, None), Scope("school", 1)),
    ({"teacher", "workshop_leader"}, (1, None, None), None),
    ({"teacher", "host"}, (1, 2, 3), None),
    ({"teacher"}, (1, 2, 3), None),
    (set(), (None, None, None), None),
])
def test_each_role_sees_the_unit_it_leads(roles, units, scope):
    school, workshop, group = units
    assert scope_for(roles, school_id=school, workshop_id=workshop, group_id=group) == scope


def test_a_unit_scope_covers_its_own_members_only():
    assert PROGRAM.covers(9, None, None)
    assert SCHOOL_3.covers(3, None, None) and not SCHOOL_3.covers(4, 3, 3)
    assert Scope("workshop", 2).covers(9, 2, None) and not Scope("workshop", 2).covers(9, None, None)
    assert Scope("group", 5).covers(1, 1, 5) and not Scope("group", 5).covers(1, 1, 6)
    for scope in (PROGRAM, SCHOOL_3, Scope("workshop", 2), Scope("group", 5)):
        assert Scope.decode(scope.encode()) == scope
    for bad in ("", "school", "school:x", "city:1", "program:1"):
        with pytest.raises(ValueError):
            Scope.decode(bad)
