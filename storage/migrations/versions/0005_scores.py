"""Training marks, frozen scores and score adjustments.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _member_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["member_id"], ["members.id"], ondelete="CASCADE", name=op.f(f"fk_{table}_member_id_members")
    )


def upgrade() -> None:
    op.create_table(
        "training_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("mark", sa.String(12), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_marks")),
        _member_fk("training_marks"),
        sa.UniqueConstraint("member_id", "title", "day", name=op.f("uq_training_marks_member_id_title_day")),
    )
    op.create_index(op.f("ix_training_marks_member_id"), "training_marks", ["member_id"])
    op.create_index(op.f("ix_training_marks_day"), "training_marks", ["day"])
    op.create_table(
        "frozen_scores",
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Numeric(6, 1, asdecimal=False), nullable=False),
        sa.Column("grade", sa.String(10), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("frozen_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("period", "member_id", name=op.f("pk_frozen_scores")),
        _member_fk("frozen_scores"),
    )
    op.create_table(
        "score_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Numeric(6, 1, asdecimal=False), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_adjustments")),
        _member_fk("score_adjustments"),
    )
    op.create_index(op.f("ix_score_adjustments_period"), "score_adjustments", ["period"])
    op.create_index(op.f("ix_score_adjustments_member_id"), "score_adjustments", ["member_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_score_adjustments_member_id"), table_name="score_adjustments")
    op.drop_index(op.f("ix_score_adjustments_period"), table_name="score_adjustments")
    op.drop_table("score_adjustments")
    op.drop_table("frozen_scores")
    op.drop_index(op.f("ix_training_marks_day"), table_name="training_marks")
    op.drop_index(op.f("ix_training_marks_member_id"), table_name="training_marks")
    op.drop_table("training_marks")
