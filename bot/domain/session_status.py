"""Where an online session and its summary (纪要) stand, and which moves each state allows.

The values are the strings stored in the database. Every change of status goes through `session_after`
or `summary_after`, so a rule like "a cancelled session cannot be started" lives in one table here
instead of in each command.
"""

from __future__ import annotations

from enum import StrEnum


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        """Still to happen or happening: it can be started, ended, cancelled or attended."""
        return self in OPEN_SESSION


OPEN_SESSION = frozenset({SessionStatus.SCHEDULED, SessionStatus.LIVE})


class SessionMove(StrEnum):
    START = "start"
    END = "end"
    CANCEL = "cancel"
    RESCHEDULE = "reschedule"


_SESSION_MOVES: dict[tuple[SessionStatus, SessionMove], SessionStatus] = {
    (SessionStatus.SCHEDULED, SessionMove.START): SessionStatus.LIVE,
    (SessionStatus.SCHEDULED, SessionMove.END): SessionStatus.ENDED,
    (SessionStatus.LIVE, SessionMove.END): SessionStatus.ENDED,
    (SessionStatus.SCHEDULED, SessionMove.CANCEL): SessionStatus.CANCELLED,
    (SessionStatus.LIVE, SessionMove.CANCEL): SessionStatus.CANCELLED,
    (SessionStatus.SCHEDULED, SessionMove.RESCHEDULE): SessionStatus.SCHEDULED,
}


class SummaryStatus(StrEnum):
    NONE = ""
    REQUESTED = "requested"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"

    @property
    def awaits_writer(self) -> bool:
        """The writer owes a text (asked for, or sent back): deadlines and reminders apply."""
        return self in AWAITING_WRITER


AWAITING_WRITER = frozenset({SummaryStatus.REQUESTED, SummaryStatus.RETURNED})


class SummaryMove(StrEnum):
    ASSIGN = "assign"
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"


_SUMMARY_MOVES: dict[tuple[SummaryStatus, SummaryMove], SummaryStatus] = {
    **{(status, SummaryMove.ASSIGN): SummaryStatus.REQUESTED
       for status in SummaryStatus if status is not SummaryStatus.APPROVED},
    (SummaryStatus.REQUESTED, SummaryMove.SUBMIT): SummaryStatus.SUBMITTED,
    (SummaryStatus.RETURNED, SummaryMove.SUBMIT): SummaryStatus.SUBMITTED,
    (SummaryStatus.SUBMITTED, SummaryMove.APPROVE): SummaryStatus.APPROVED,
    (SummaryStatus.SUBMITTED, SummaryMove.RETURN): SummaryStatus.RETURNED,
}


class MoveRefused(Exception):
    """The move is not allowed from the current status; the caller turns it into a helpful answer."""

    def __init__(self, status: StrEnum, move: StrEnum) -> None:
        super().__init__(f"{move.value} refused from {status.value or 'none'}")
        self.status, self.move = status, move


def session_after(status: str, move: SessionMove) -> SessionStatus:
    """The session's status after `move`, or MoveRefused."""
    current = SessionStatus(status)
    try:
        return _SESSION_MOVES[current, move]
    except KeyError:
        raise MoveRefused(current, move) from None


def summary_after(status: str, move: SummaryMove) -> SummaryStatus:
    """The summary's status after `move`, or MoveRefused."""
    current = SummaryStatus(status)
    try:
        return _SUMMARY_MOVES[current, move]
    except KeyError:
        raise MoveRefused(current, move) from None


def session_allows(status: str, move: SessionMove) -> bool:
    return (SessionStatus(status), move) in _SESSION_MOVES


def summary_allows(status: str, move: SummaryMove) -> bool:
    return (SummaryStatus(status), move) in _SUMMARY_MOVES
