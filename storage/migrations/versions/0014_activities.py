"""Activities a program declares (集体备课, 小组研讨 …) and their attendance rolls.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("unit_kind", sa.String(10), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("host_member_id", sa.Integer(), nullable=True),
        sa.Column("planned_start", UTCDateTime(), nullable=False),
        sa.Column("planned_minutes", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("counted", sa.Boolean(), nullable=True),
        sa.Column("verdict", sa.JSON(), nullable=True),
        sa.Column("created_by_member_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
        sa.ForeignKeyConstraint(["host_member_id"], ["members.id"], ondelete="SET NULL",
                                name=op.f("fk_activities_host_member_id_members")),
        sa.ForeignKeyConstraint(["created_by_member_id"], ["members.id"], ondelete="SET NULL",
                                name=op.f("fk_activities_created_by_member_id_members")),
    )
    op.create_index(op.f("ix_activities_planned_start"), "activities", ["planned_start"])
    op.create_index(op.f("ix_activities_status"), "activities", ["status"])
    op.create_table(
        "activity_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("arrived_at", UTCDateTime(), nullable=False),
        sa.Column("marked_by", sa.String(120), nullable=False),
        sa.Column("excused", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_attendance")),
        sa.ForeignKeyConstraint(["activity_id"], ["activities.id"], ondelete="CASCADE",
                                name=op.f("fk_activity_attendance_activity_id_activities")),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE",
                                name=op.f("fk_activity_attendance_member_id_members")),
        sa.UniqueConstraint("activity_id", "member_id", name=op.f("uq_activity_attendance_activity_id_member_id")),
    )
    op.create_index(op.f("ix_activity_attendance_activity_id"), "activity_attendance", ["activity_id"])
    op.create_index(op.f("ix_activity_attendance_member_id"), "activity_attendance", ["member_id"])


def downgrade() -> None:
    op.drop_table("activity_attendance")
    op.drop_table("activities")
