"""Online sessions, their schools and attendance, the hours ledger, and the outbox of scheduled sends.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], ondelete=ondelete, name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "online_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("host_member_id", sa.Integer(), nullable=False),
        sa.Column("planned_start", UTCDateTime(), nullable=False),
        sa.Column("planned_minutes", sa.Integer(), nullable=False),
        sa.Column("link", sa.String(500), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("actual_start", UTCDateTime(), nullable=True),
        sa.Column("actual_end", UTCDateTime(), nullable=True),
        sa.Column("created_by_member_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=True),
        sa.Column("verdict", sa.JSON(), nullable=True),
        sa.Column("summary_writer_id", sa.Integer(), nullable=True),
        sa.Column("summary_due", UTCDateTime(), nullable=True),
        sa.Column("summary_status", sa.String(12), nullable=False),
        sa.Column("summary_text", sa.Text(), nullable=False),
        sa.Column("summary_attachments", sa.JSON(), nullable=False),
        sa.Column("summary_comment", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_online_sessions")),
        _fk("online_sessions", "host_member_id", "members"),
        _fk("online_sessions", "created_by_member_id", "members", "SET NULL"),
        _fk("online_sessions", "summary_writer_id", "members", "SET NULL"),
    )
    op.create_index(op.f("ix_online_sessions_host_member_id"), "online_sessions", ["host_member_id"])
    op.create_index(op.f("ix_online_sessions_planned_start"), "online_sessions", ["planned_start"])
    op.create_index(op.f("ix_online_sessions_status"), "online_sessions", ["status"])
    op.create_table(
        "session_schools",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "school_id", name=op.f("pk_session_schools")),
        _fk("session_schools", "session_id", "online_sessions", "CASCADE"),
        _fk("session_schools", "school_id", "schools", "CASCADE"),
    )
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("arrived_at", UTCDateTime(), nullable=False),
        sa.Column("left_at", UTCDateTime(), nullable=True),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("chat_id", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
        _fk("attendance", "session_id", "online_sessions", "CASCADE"),
        _fk("attendance", "member_id", "members", "CASCADE"),
        sa.UniqueConstraint(
            "platform", "chat_id", "message_id", name=op.f("uq_attendance_platform_chat_id_message_id")
        ),
    )
    op.create_index(op.f("ix_attendance_session_id"), "attendance", ["session_id"])
    op.create_index(op.f("ix_attendance_member_id"), "attendance", ["member_id"])
    op.create_table(
        "hours_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(10), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Numeric(7, 2, asdecimal=False), nullable=False),
        sa.Column("source", sa.String(60), nullable=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hours_ledger")),
        _fk("hours_ledger", "member_id", "members", "CASCADE"),
        sa.UniqueConstraint("member_id", "source", name=op.f("uq_hours_ledger_member_id_source")),
    )
    op.create_index(op.f("ix_hours_ledger_member_id"), "hours_ledger", ["member_id"])
    op.create_index(op.f("ix_hours_ledger_day"), "hours_ledger", ["day"])
    op.create_table(
        "outbox",
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_outbox")),
    )
    op.create_index(op.f("ix_outbox_sent_at"), "outbox", ["sent_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_sent_at"), table_name="outbox")
    op.drop_table("outbox")
    op.drop_index(op.f("ix_hours_ledger_day"), table_name="hours_ledger")
    op.drop_index(op.f("ix_hours_ledger_member_id"), table_name="hours_ledger")
    op.drop_table("hours_ledger")
    op.drop_index(op.f("ix_attendance_member_id"), table_name="attendance")
    op.drop_index(op.f("ix_attendance_session_id"), table_name="attendance")
    op.drop_table("attendance")
    op.drop_table("session_schools")
    op.drop_index(op.f("ix_online_sessions_status"), table_name="online_sessions")
    op.drop_index(op.f("ix_online_sessions_planned_start"), table_name="online_sessions")
    op.drop_index(op.f("ix_online_sessions_host_member_id"), table_name="online_sessions")
    op.drop_table("online_sessions")
