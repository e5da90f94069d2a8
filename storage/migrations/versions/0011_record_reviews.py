"""Reviews of teachers' records by their 坊主, 组长 or 导师: a grade and a comment.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(20), nullable=False),
        sa.Column("comment", sa.String(1000), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_reviews")),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"], ondelete="CASCADE",
                                name=op.f("fk_record_reviews_record_id_records")),
        sa.ForeignKeyConstraint(["reviewer_id"], ["members.id"], ondelete="CASCADE",
                                name=op.f("fk_record_reviews_reviewer_id_members")),
        sa.UniqueConstraint("record_id", "reviewer_id", name=op.f("uq_record_reviews_record_id_reviewer_id")),
    )
    op.create_index(op.f("ix_record_reviews_record_id"), "record_reviews", ["record_id"])
    op.create_index(op.f("ix_record_reviews_reviewer_id"), "record_reviews", ["reviewer_id"])


def downgrade() -> None:
    op.drop_table("record_reviews")
