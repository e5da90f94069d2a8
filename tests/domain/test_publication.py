"""The group 公示: private by default, ties shared, masks that never merge two people."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.publication import Entry, distinct_masks, group_notice, objection_window

ENTRIES = [
    Entry(1, "王芳", "二小", 95, "excellent", True),
    Entry(2, "王明", "二小", 88, "pass", False),
    Entry(3, "安娜", "一中", 95, "excellent", True),
    Entry(4, "陈静", "一中", 52, "fail", False),
    Entry(5, "李娜", "一中", 88, "pass", True),
]


def test_the_default_group_notice_names_only_the_outstanding() -> None:
    notice = group_notice(ENTRIES, "names")
    assert notice.grade_counts == {"excellent": 2, "pass": 2, "fail": 1}
    assert notice.outstanding == ("安娜", "王芳"), "a tie is in pinyin order"
    assert [(s.school, s.complete, s.total) for s in notice.schools] == [("一中", 2, 3), ("二小", 1, 2)]
    assert notice.table == ()


def test_grades_only_shows_no_name_at_all() -> None:
    notice = group_notice(ENTRIES, "grades", table=True)
    assert notice.outstanding == () and notice.table == ()


def test_the_named_table_shares_ranks_for_equal_points() -> None:
    notice = group_notice(ENTRIES, "names", table=True)
    assert [(r.rank, r.tied, notice.labels[r.item.member_id]) for r in notice.table] == [
        (1, True, "安娜"), (1, True, "王芳"), (3, True, "李娜"), (3, True, "王明"), (5, False, "陈静"),
    ]


def test_masks_never_merge_two_people() -> None:
    notice = group_notice(ENTRIES, "initials", table=True)
    assert notice.outstanding == ("安*", notice.labels[1])
    assert notice.labels[1] != notice.labels[2]
    assert {notice.labels[1], notice.labels[2]} == {"王*①", "王*②"}
    assert notice.labels[3] == "安*"
    assert distinct_masks(["欧阳娜娜", "欧阳明明", "张三"]) == {"欧阳娜娜": "欧阳**②", "欧阳明明": "欧阳**①", "张三": "张*"}


def test_namesakes_in_two_schools_stay_apart() -> None:
    twins = [Entry(1, "王芳", "二小", 90, "excellent", True), Entry(2, "王芳", "一中", 90, "excellent", True)]
    notice = group_notice(twins, "names")
    assert set(notice.labels.values()) == {"王芳（二小）", "王芳（一中）"}


def test_the_objection_period_counts_the_day_of_publication() -> None:
    window = objection_window(date(2026, 12, 1), 5)
    assert (window.first, window.last) == (date(2026, 12, 1), date(2026, 12, 5))
    assert window.open_on(date(2026, 12, 5)) and not window.open_on(date(2026, 12, 6))
    with pytest.raises(ValueError):
        objection_window(date(2026, 12, 1), 0)


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError):
        group_notice(ENTRIES, "everything")


def test_freezing_waits_for_the_end_of_the_objection_period_and_for_open_objections():
    from bot.domain.publication import FREEZE, WAIT_FOR_OBJECTIONS, freezing_verdict

    published = date(2027, 1, 25)  # five days: 25–29 January
    assert freezing_verdict(None, date(2027, 3, 1), 5, 0) is None, "nothing published, nothing to freeze"
    assert freezing_verdict(published, date(2027, 1, 29), 5, 0) is None, "the last day still takes objections"
    assert freezing_verdict(published, date(2027, 1, 30), 5, 0) == FREEZE
    assert freezing_verdict(published, date(2027, 1, 30), 5, 2) == WAIT_FOR_OBJECTIONS
    assert freezing_verdict(published, date(2027, 1, 26), 1, 0) == FREEZE, "a one-day period ends that day"
