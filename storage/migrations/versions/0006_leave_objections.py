"""Leave requests and objections to published scores.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _member_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["member_id"], ["members.id"], ondelete="CASCADE", name=op.f(f"fk_{table}_member_id_members")
    )


def upgrade() -> None:
    op.create_table(
        "leave_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("chat_id", sa.String(64), nullable=False),
        sa.Column("chat_kind", sa.String(10), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leave_requests")),
        _member_fk("leave_requests"),
    )
    op.create_index(op.f("ix_leave_requests_member_id"), "leave_requests", ["member_id"])
    op.create_index(op.f("ix_leave_requests_status"), "leave_requests", ["status"])
    op.create_table(
        "objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("text", sa.String(1000), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("chat_id", sa.String(64), nullable=False),
        sa.Column("chat_kind", sa.String(10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("resolution", sa.String(500), nullable=True),
        sa.Column("resolved_by", sa.String(120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objections")),
        _member_fk("objections"),
    )
    op.create_index(op.f("ix_objections_member_id"), "objections", ["member_id"])
    op.create_index(op.f("ix_objections_period"), "objections", ["period"])
    op.create_index(op.f("ix_objections_status"), "objections", ["status"])


def downgrade() -> None:
    op.drop_table("objections")
    op.drop_table("leave_requests")
