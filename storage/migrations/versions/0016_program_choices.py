"""Program choices of chats and people, for deployments that run several programs.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "program_choices",
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("program_key", sa.String(32), nullable=False),
        sa.Column("chosen_at", UTCDateTime(), nullable=False),
        sa.Column("chosen_by", sa.String(90), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("platform", "scope", "subject_id", name=op.f("pk_program_choices")),
    )


def downgrade() -> None:
    op.drop_table("program_choices")
