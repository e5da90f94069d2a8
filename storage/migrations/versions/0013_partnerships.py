"""Several partnerships in one program: a 引领校/帮扶校 points to the 基地校 of its partnership.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("schools") as batch:
        batch.add_column(sa.Column("base_school_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_schools_base_school_id_schools"), "schools", ["base_school_id"], ["id"],
                                 ondelete="SET NULL")
        batch.create_index(op.f("ix_schools_base_school_id"), ["base_school_id"])


def downgrade() -> None:
    with op.batch_alter_table("schools") as batch:
        batch.drop_index(op.f("ix_schools_base_school_id"))
        batch.drop_constraint(op.f("fk_schools_base_school_id_schools"), type_="foreignkey")
        batch.drop_column("base_school_id")
