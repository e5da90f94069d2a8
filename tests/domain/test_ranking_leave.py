"""Ties share a rank in pinyin order; leave requests read the way teachers write them."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.duty import DateSpan
from bot.domain.leave import LeaveProblem, parse_leave
from bot.domain.ranking import rank_with_ties

TODAY = date(2026, 11, 30)


def test_equal_points_share_a_rank_and_the_next_rank_skips() -> None:
    people = [("赵六", 95.0), ("王芳", 88.0), ("安娜", 88.0), ("陈静", 88.04), ("白雪", 70.0)]
    ranked = rank_with_ties(people, points=lambda p: p[1], name=lambda p: p[0])
    assert [(r.rank, r.tied, r.item[0]) for r in ranked] == [
        (1, False, "赵六"), (2, True, "安娜"), (2, True, "陈静"), (2, True, "王芳"), (5, False, "白雪"),
    ]


def test_order_within_a_tie_never_depends_on_input_order() -> None:
    people = [("王芳", 80.0), ("李明", 80.0), ("张伟", 80.0)]
    forward = rank_with_ties(people, lambda p: p[1], lambda p: p[0])
    backward = rank_with_ties(people[::-1], lambda p: p[1], lambda p: p[0])
    assert [r.item for r in forward] == [r.item for r in backward] == [("李明", 80.0), ("王芳", 80.0), ("张伟", 80.0)]
    assert {r.rank for r in forward} == {1}


@pytest.mark.parametrize(
    ("text", "first", "last", "kind"),
    [
        ("12月3日-12月5日 病假 发烧", date(2026, 12, 3), date(2026, 12, 5), "sick"),
        ("12月3日-5日 病假", date(2026, 12, 3), date(2026, 12, 5), "sick"),
        ("12.8至12.12 外出培训", date(2026, 12, 8), date(2026, 12, 12), "training"),
        ("明天 事假 孩子生病", date(2026, 12, 1), date(2026, 12, 1), "personal"),
        ("：12月1日~12月20日 产假", date(2026, 12, 1), date(2026, 12, 20), "maternity"),
        ("12月2日 去市里开会", date(2026, 12, 2), date(2026, 12, 2), "other"),
        ("12月2日 公务外出", date(2026, 12, 2), date(2026, 12, 2), "official"),
    ],
)
def test_leave_requests_as_teachers_write_them(text, first, last, kind) -> None:
    request = parse_leave(text, TODAY)
    assert request.span == DateSpan(first, last)
    assert request.kind == kind


@pytest.mark.parametrize(
    ("text", "key"),
    [("", "leave_usage"), ("下下下周 病假", "leave_no_date"), ("12月5日-12月3日 病假", "leave_backwards"),
     ("12月3日", "leave_no_reason"), ("2026年1月1日-2027年6月1日 产假", "leave_too_long")],
)
def test_unreadable_leave_requests_say_what_is_wrong(text, key) -> None:
    with pytest.raises(LeaveProblem) as problem:
        parse_leave(text, TODAY)
    assert problem.value.key == key
