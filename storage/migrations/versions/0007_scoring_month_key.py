"""Records carry their month (202611) and a covering index for scoring, so ranking a program reads
one index in GROUP BY order instead of every row, with no date function per row.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

MONTH_OF_DAY = {
    "sqlite": "CAST(strftime('%Y%m', day) AS INTEGER)",
    "postgresql": "CAST(EXTRACT(YEAR FROM day) * 100 + EXTRACT(MONTH FROM day) AS INTEGER)",
}


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("month_key", sa.Integer(), nullable=False, server_default="0"))
    op.execute(f"UPDATE records SET month_key = {MONTH_OF_DAY[op.get_bind().dialect.name]}")
    with op.batch_alter_table("records") as batch:
        batch.alter_column("month_key", server_default=None)
    op.create_index("ix_records_scoring", "records", ["member_id", "kind", "month_key", "day", "withdrawn_at"])


def downgrade() -> None:
    op.drop_index("ix_records_scoring", table_name="records")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("month_key")
