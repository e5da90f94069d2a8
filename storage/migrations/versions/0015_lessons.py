"""Declared records as lessons and guidance logs (class and subject, whom they are about, who posted
them, edits with the text they replaced), and evaluators' verdicts on them.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("declared_records") as batch:
        batch.add_column(sa.Column("class_subject", sa.String(100), nullable=False, server_default=""))
        batch.add_column(sa.Column("about_member_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("about_name", sa.String(50), nullable=False, server_default=""))
        batch.add_column(sa.Column("posted_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("updated_at", UTCDateTime(), nullable=True))
        batch.create_foreign_key(op.f("fk_declared_records_about_member_id_members"), "members",
                                 ["about_member_id"], ["id"], ondelete="SET NULL")
        batch.create_foreign_key(op.f("fk_declared_records_posted_by_id_members"), "members",
                                 ["posted_by_id"], ["id"], ondelete="SET NULL")
    op.create_table(
        "declared_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("replaced_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declared_revisions")),
        sa.ForeignKeyConstraint(["record_id"], ["declared_records.id"], ondelete="CASCADE",
                                name=op.f("fk_declared_revisions_record_id_declared_records")),
    )
    op.create_index(op.f("ix_declared_revisions_record_id"), "declared_revisions", ["record_id"])
    op.create_table(
        "declared_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(20), nullable=False),
        sa.Column("comment", sa.String(1000), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declared_reviews")),
        sa.ForeignKeyConstraint(["record_id"], ["declared_records.id"], ondelete="CASCADE",
                                name=op.f("fk_declared_reviews_record_id_declared_records")),
        sa.ForeignKeyConstraint(["reviewer_id"], ["members.id"], ondelete="CASCADE",
                                name=op.f("fk_declared_reviews_reviewer_id_members")),
        sa.UniqueConstraint("record_id", "reviewer_id", name=op.f("uq_declared_reviews_record_id_reviewer_id")),
    )
    op.create_index(op.f("ix_declared_reviews_record_id"), "declared_reviews", ["record_id"])
    op.create_index(op.f("ix_declared_reviews_reviewer_id"), "declared_reviews", ["reviewer_id"])


def downgrade() -> None:
    op.drop_table("declared_reviews")
    op.drop_table("declared_revisions")
    with op.batch_alter_table("declared_records") as batch:
        batch.drop_constraint(op.f("fk_declared_records_posted_by_id_members"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_declared_records_about_member_id_members"), type_="foreignkey")
        for column in ("updated_at", "version", "posted_by_id", "about_name", "about_member_id", "class_subject"):
            batch.drop_column(column)
