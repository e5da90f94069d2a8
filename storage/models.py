"""Tables. Times are stored in UTC; days that belong to the program calendar are plain dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from bot.domain.scoring import month_key

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class School(Base):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    base_school_id: Mapped[int | None] = mapped_column(
        ForeignKey("schools.id", ondelete="SET NULL"), index=True, default=None)
    """A 引领校/帮扶校's 基地校: the partnership it belongs to (a 基地校 points to nothing)."""


class Workshop(Base):
    """A subject workshop (工作坊), led by a member holding the workshop_leader role (坊主)."""

    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    subject: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StudyGroup(Base):
    """A study group (研修小组) of a few teachers with a leader (组长), optionally inside a workshop."""

    __tablename__ = "study_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshops.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Member(Base):
    """A person in the program, whatever chat accounts they use; roster entries start without one."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    subject: Mapped[str] = mapped_column(String(20), default="")
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops.id", ondelete="SET NULL"), index=True
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("study_groups.id", ondelete="SET NULL"), index=True
    )
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    staff_no: Mapped[str | None] = mapped_column(String(30), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """Set by /forgetme: the entry keeps only a pseudonym and what the program must keep."""

    school: Mapped[School] = relationship(lazy="joined")
    workshop: Mapped[Workshop | None] = relationship(lazy="joined")
    group: Mapped[StudyGroup | None] = relationship(lazy="joined")


class Account(Base):
    """One chat identity (platform + user id) linked to a member."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    via: Mapped[str] = mapped_column(String(20), default="", server_default="")
    """How the link was made: roster (the roster named this account), code, approval, admin."""


class MemberRole(Base):
    __tablename__ = "member_roles"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CheckIn(Base):
    """One daily check-in; the program-calendar day makes it one per member per day."""

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("member_id", "day"),
        UniqueConstraint("platform", "chat_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    platform: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")


class HandledMessage(Base):
    """Idempotency ledger: an inbound message handled once, with the replies it produced.

    A redelivered message finds its row: if the replies were delivered it is dropped silently,
    otherwise the stored replies are sent (the first attempt crashed between commit and send).
    """

    __tablename__ = "handled_messages"

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    replies: Mapped[list] = mapped_column(JSON, default=list)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def _month_key_default(context) -> int:
    return month_key(context.get_current_parameters()["day"])


class Record(Base):
    """A teacher's written record: a reflection, a teaching case or a peer-observation log."""

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("platform", "chat_id", "message_id"),
        # Scoring reads only this index, already in GROUP BY order (member, kind, month), never the rows.
        Index("ix_records_scoring", "member_id", "kind", "month_key", "day", "withdrawn_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    observed_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    observed_name: Mapped[str] = mapped_column(String(50), default="")
    observed_on: Mapped[date | None] = mapped_column(Date)
    class_subject: Mapped[str] = mapped_column(String(100), default="")
    platform: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    month_key: Mapped[int] = mapped_column(Integer, default=_month_key_default)
    """The day's month as 202611 (bot.domain.scoring.month_key), kept in step with `day`."""

    @validates("day")
    def _keep_month_key(self, _key: str, day: date) -> date:
        self.month_key = month_key(day)
        return day


class RecordMonthCount(Base):
    """How many records (not withdrawn) a teacher has of one kind in one month: what scoring reads.

    Kept by database triggers on `records` (migration 0008), never written by the application."""

    __tablename__ = "record_month_counts"

    member_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    month_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    records: Mapped[int] = mapped_column(Integer)


class RecordRevision(Base):
    """The text a record had before an /edit replaced it."""

    __tablename__ = "record_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Dialog(Base):
    """A guided dialog in progress, kept in the database so it survives restarts and any worker can continue it."""

    __tablename__ = "dialogs"

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat_kind: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))
    step: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class Mentorship(Base):
    """A mentor-apprentice pair (师徒结对)."""

    __tablename__ = "mentorships"

    mentor_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    apprentice_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    paired_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ChatBinding(Base):
    """A group chat bound to a school, a workshop or the whole program: where reminders and scores go."""

    __tablename__ = "chat_bindings"

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200), default="")
    bound_at: Mapped[datetime] = mapped_column(UTCDateTime())


class JoinRequest(Base):
    """A /join that matched no roster entry, or several: waits for a coordinator's decision."""

    __tablename__ = "join_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    chat_id: Mapped[str] = mapped_column(String(64))
    chat_kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(50))
    school_name: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(20))
    candidates: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(10))


class AuditEntry(Base):
    """One change made by a coordinator or administrator: who, what, when, before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(120))
    actor_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(200), default="")
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)


class OnlineSession(Base):
    """A monthly online study session (网络研讨) between the base school and its partners."""

    __tablename__ = "online_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic: Mapped[str] = mapped_column(String(200))
    host_member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    planned_start: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    planned_minutes: Mapped[int] = mapped_column(Integer)
    link: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(12), default="scheduled", index=True)
    actual_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    actual_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    valid: Mapped[bool | None] = mapped_column(Boolean)
    verdict: Mapped[dict | None] = mapped_column(JSON)
    summary_writer_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    summary_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    summary_status: Mapped[str] = mapped_column(String(12), default="")
    summary_text: Mapped[str] = mapped_column(Text, default="")
    summary_attachments: Mapped[list] = mapped_column(JSON, default=list)
    summary_comment: Mapped[str] = mapped_column(Text, default="")

    host: Mapped[Member] = relationship(foreign_keys=[host_member_id], lazy="joined")


class SessionSchool(Base):
    __tablename__ = "session_schools"

    session_id: Mapped[int] = mapped_column(ForeignKey("online_sessions.id", ondelete="CASCADE"), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True)


class Attendance(Base):
    """One stretch of a member being in a session, from /here (or 签到 while live) to /bye or the end."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("platform", "chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("online_sessions.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    platform: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))


class HoursLine(Base):
    """One line of a teacher's hours ledger (学时): what was credited, how much, and from what."""

    __tablename__ = "hours_ledger"
    __table_args__ = (
        UniqueConstraint("member_id", "source"),
        # Scoring sums hours from this index alone, in GROUP BY order (member, category).
        Index("ix_hours_scoring", "member_id", "category", "day", "hours"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    category: Mapped[str] = mapped_column(String(10))
    minutes: Mapped[int] = mapped_column(Integer)
    hours: Mapped[float] = mapped_column(Numeric(7, 2, asdecimal=False))
    source: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboxEntry(Base):
    """A message due to go out (reminder, warning, session result), written in the same transaction
    as the change that caused it; its unique key keeps any restart or second process from making or
    sending it twice."""

    __tablename__ = "outbox"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    messages: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class TrainingMark(Base):
    """A coordinator's mark for one teacher in one training: excellent (+) or unqualified (−)."""

    __tablename__ = "training_marks"
    __table_args__ = (UniqueConstraint("member_id", "title", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    day: Mapped[date] = mapped_column(Date, index=True)
    mark: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FrozenScore(Base):
    """A teacher's score as it stood when the period was closed; later changes are adjustments."""

    __tablename__ = "frozen_scores"

    period: Mapped[str] = mapped_column(String(20), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    points: Mapped[float] = mapped_column(Numeric(6, 1, asdecimal=False))
    grade: Mapped[str] = mapped_column(String(10))
    lines: Mapped[list] = mapped_column(JSON, default=list)
    missing: Mapped[list] = mapped_column(JSON, default=list)
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeclaredRecord(Base):
    """A record of a kind the program's policy declares (教学设计, 个人研修计划 …), kept apart from the
    built-in reflections, cases and observations so their rules and views stay as they are."""

    __tablename__ = "declared_records"
    __table_args__ = (UniqueConstraint("platform", "chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    platform: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    class_subject: Mapped[str] = mapped_column(String(100), default="")
    """A lesson's class and subject (三(2)班 语文)."""
    about_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    """Whom it is about when that is not the author: the apprentice a mentor's guidance log names."""
    about_name: Mapped[str] = mapped_column(String(50), default="")
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    """Who posted it for the author (a coordinator posting a teacher's lesson); None = the author."""
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DeclaredRevision(Base):
    """The text a declared-kind record had before an /edit replaced it."""

    __tablename__ = "declared_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("declared_records.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeclaredReview(Base):
    """An evaluator's verdict on a declared-kind record (a lesson graded 优质, a plan 合格): one per
    record and reviewer, replaced when they review again."""

    __tablename__ = "declared_reviews"
    __table_args__ = (UniqueConstraint("record_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("declared_records.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    grade: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RecordReview(Base):
    """A 坊主's, 组长's or 导师's verdict on one of their members' records: a grade on the program's
    scale (合格/优质/精品) and a comment. One per record and reviewer; reviewing again replaces it."""

    __tablename__ = "record_reviews"
    __table_args__ = (UniqueConstraint("record_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    grade: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ScoreAdjustment(Base):
    """A correction to a frozen score, with its reason: the audit trail of assessment changes."""

    __tablename__ = "score_adjustments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(20), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    points: Mapped[float] = mapped_column(Numeric(6, 1, asdecimal=False))
    reason: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LeaveRequest(Base):
    """Leave or an exemption a teacher asked for (请假); approved leave excuses the days it covers."""

    __tablename__ = "leave_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    platform: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(64))
    chat_kind: Mapped[str] = mapped_column(String(10))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(120))


class Objection(Base):
    """A teacher's objection to a published score during the 公示 period, and how it was settled."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(20), index=True)
    text: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    platform: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(64))
    chat_kind: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution: Mapped[str | None] = mapped_column(String(500))
    resolved_by: Mapped[str | None] = mapped_column(String(120))


class StoredFile(Base):
    """An attachment's bytes kept in the file store (by content hash), so it outlives the platform's link."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    mime_type: Mapped[str] = mapped_column(String(100))
    file_name: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(20))
    file_ref: Mapped[str] = mapped_column(String(500), default="")
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RosterAccount(Base):
    """An account the roster names for a member (Telegram id or @username, QQ, WeCom or DingTalk
    userid): that account links to the member on its first message, without /join."""

    __tablename__ = "roster_accounts"
    __table_args__ = (UniqueConstraint("platform", "handle"),)

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    handle: Mapped[str] = mapped_column(String(64))
    """The user id as the platform reports it, or `@username` (lower case) on Telegram."""


class Invitation(Base):
    """A one-time code that lets whoever types it with the right name and school link to one
    roster entry. Only a hash of the code is kept."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(120))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by: Mapped[str | None] = mapped_column(String(90))


class ProgramChoice(Base):
    """Which program an unbound group's messages, or a person's private messages, go to, in a
    deployment of several programs. Kept in the first program's database only (every database has
    the table: all share one schema)."""

    __tablename__ = "program_choices"

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    scope: Mapped[str] = mapped_column(String(10), primary_key=True)
    """`chat` (a group, by chat id) or `person` (private messages, by user id)."""
    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    program_key: Mapped[str] = mapped_column(String(32))
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    chosen_by: Mapped[str] = mapped_column(String(90), default="")


class Activity(Base):
    """One activity of a type the policy declares (集体备课, 小组研讨 …), held by one unit."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    """The activity type's name as the policy declares it."""
    unit_kind: Mapped[str] = mapped_column(String(10))
    """group, workshop, school or program."""
    unit_id: Mapped[int | None] = mapped_column(Integer)
    """The study group, workshop or school (None for the whole program)."""
    host_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    planned_start: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    planned_minutes: Mapped[int] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(12), default="scheduled", index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    counted: Mapped[bool | None] = mapped_column(Boolean)
    """Whether it counted towards the unit's quota, once ended."""
    verdict: Mapped[dict | None] = mapped_column(JSON)
    """The roll as judged at the end: present, late, absent, excused member ids, share, problems."""
    created_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ActivityAttendance(Base):
    """Someone marked present at an activity: by checking in while it ran, or by its host's roll."""

    __tablename__ = "activity_attendance"
    __table_args__ = (UniqueConstraint("activity_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime())
    marked_by: Mapped[str] = mapped_column(String(120), default="")
    """"self" for a check-in, else who took the roll."""
    excused: Mapped[bool] = mapped_column(Boolean, default=False)
