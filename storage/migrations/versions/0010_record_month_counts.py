"""Records counted per teacher, kind and month, kept in step by triggers: ranking a program of a
million records reads about a hundred thousand counts instead of every record. And a covering
index for summing the hours ledger per teacher and category.

The database itself keeps the counts (every insert, withdrawal, move and delete of a record,
whatever code or tool makes it), so no write path can forget them. Only records not withdrawn
are counted.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_KEY = "member_id, kind, month_key"
_ADD = ("INSERT INTO record_month_counts (member_id, kind, month_key, records) "
        "SELECT NEW.member_id, NEW.kind, NEW.month_key, 1 WHERE NEW.withdrawn_at IS NULL "
        f"ON CONFLICT ({_KEY}) DO UPDATE SET records = record_month_counts.records + 1;")
_TAKE = ("UPDATE record_month_counts SET records = records - 1 WHERE OLD.withdrawn_at IS NULL "
         "AND member_id = OLD.member_id AND kind = OLD.kind AND month_key = OLD.month_key;")
_COUNTED = "member_id, kind, month_key, withdrawn_at"

SQLITE_TRIGGERS = (
    f"CREATE TRIGGER records_counted_insert AFTER INSERT ON records BEGIN {_ADD} END",
    f"CREATE TRIGGER records_counted_delete AFTER DELETE ON records BEGIN {_TAKE} END",
    f"CREATE TRIGGER records_counted_update AFTER UPDATE OF {_COUNTED} ON records BEGIN {_TAKE} {_ADD} END",
)
POSTGRES_FUNCTION = f"""
CREATE FUNCTION records_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_TAKE}
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        {_ADD}
    END IF;
    RETURN NULL;
END $$
"""
POSTGRES_TRIGGERS = (
    POSTGRES_FUNCTION,
    "CREATE TRIGGER records_counted AFTER INSERT OR DELETE ON records FOR EACH ROW EXECUTE FUNCTION records_counted()",
    f"CREATE TRIGGER records_counted_update AFTER UPDATE OF {_COUNTED} ON records "
    "FOR EACH ROW EXECUTE FUNCTION records_counted()",
)


def upgrade() -> None:
    op.create_table(
        "record_month_counts",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("month_key", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "kind", "month_key"),
    )
    op.execute(f"INSERT INTO record_month_counts ({_KEY}, records) "
               f"SELECT {_KEY}, count(*) FROM records WHERE withdrawn_at IS NULL GROUP BY {_KEY}")
    op.create_index("ix_hours_scoring", "hours_ledger", ["member_id", "category", "day", "hours"])
    dialect = op.get_bind().dialect.name
    for statement in POSTGRES_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER records_counted_update ON records")
        op.execute("DROP TRIGGER records_counted ON records")
        op.execute("DROP FUNCTION records_counted()")
    else:
        for name in ("records_counted_insert", "records_counted_delete", "records_counted_update"):
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("record_month_counts")
    op.drop_index("ix_hours_scoring", table_name="hours_ledger")
