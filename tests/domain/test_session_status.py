"""The status rules of sessions and summaries, as pure transitions."""

from __future__ import annotations

import pytest

from bot.domain.session_status import (
    MoveRefused,
    SessionMove,
    SessionStatus,
    SummaryMove,
    SummaryStatus,
    session_after,
    summary_after,
)

S, M = SessionStatus, SessionMove


@pytest.mark.parametrize(("status", "move", "after"), [
    (S.SCHEDULED, M.START, S.LIVE),
    (S.SCHEDULED, M.END, S.ENDED),
    (S.LIVE, M.END, S.ENDED),
    (S.SCHEDULED, M.CANCEL, S.CANCELLED),
    (S.LIVE, M.CANCEL, S.CANCELLED),
    (S.SCHEDULED, M.RESCHEDULE, S.SCHEDULED),
])
def test_allowed_session_moves(status, move, after):
    assert session_after(status.value, move) is after


@pytest.mark.parametrize(("status", "move"), [
    (S.LIVE, M.START), (S.LIVE, M.RESCHEDULE), (S.ENDED, M.START), (S.ENDED, M.END), (S.ENDED, M.CANCEL),
    (S.CANCELLED, M.START), (S.CANCELLED, M.END), (S.CANCELLED, M.RESCHEDULE),
])
def test_closed_or_running_sessions_refuse(status, move):
    with pytest.raises(MoveRefused):
        session_after(status.value, move)


def test_only_scheduled_and_live_are_open():
    assert {status for status in S if status.is_open} == {S.SCHEDULED, S.LIVE}


def test_a_summary_goes_from_request_to_approval_with_returns_in_between():
    status = summary_after("", SummaryMove.ASSIGN)
    status = summary_after(status, SummaryMove.SUBMIT)
    status = summary_after(status, SummaryMove.RETURN)
    assert status is SummaryStatus.RETURNED and status.awaits_writer
    status = summary_after(status, SummaryMove.SUBMIT)
    assert summary_after(status, SummaryMove.APPROVE) is SummaryStatus.APPROVED


@pytest.mark.parametrize(("status", "move"), [
    ("", SummaryMove.SUBMIT), ("requested", SummaryMove.APPROVE), ("returned", SummaryMove.RETURN),
    ("approved", SummaryMove.ASSIGN), ("approved", SummaryMove.SUBMIT), ("approved", SummaryMove.RETURN),
])
def test_summary_moves_out_of_turn_are_refused(status, move):
    with pytest.raises(MoveRefused):
        summary_after(status, move)


def test_the_writer_can_be_changed_until_approval():
    for status in ("", "requested", "submitted", "returned"):
        assert summary_after(status, SummaryMove.ASSIGN) is SummaryStatus.REQUESTED
