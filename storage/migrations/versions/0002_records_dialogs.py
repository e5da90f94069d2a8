"""Teacher records (reflections, cases, observations), their revisions, and guided dialogs.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("observed_member_id", sa.Integer(), nullable=True),
        sa.Column("observed_name", sa.String(50), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=True),
        sa.Column("class_subject", sa.String(100), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("chat_id", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], ondelete="CASCADE",
            name=op.f("fk_records_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["observed_member_id"], ["members.id"], ondelete="SET NULL",
            name=op.f("fk_records_observed_member_id_members"),
        ),
        sa.UniqueConstraint(
            "platform", "chat_id", "message_id", name=op.f("uq_records_platform_chat_id_message_id")
        ),
    )
    op.create_index(op.f("ix_records_member_id"), "records", ["member_id"])
    op.create_index(op.f("ix_records_day"), "records", ["day"])
    op.create_table(
        "record_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("replaced_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_revisions")),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], ondelete="CASCADE",
            name=op.f("fk_record_revisions_record_id_records"),
        ),
    )
    op.create_index(op.f("ix_record_revisions_record_id"), "record_revisions", ["record_id"])
    op.create_table(
        "dialogs",
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("chat_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("chat_kind", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("step", sa.String(20), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "chat_id", "user_id", name=op.f("pk_dialogs")),
    )
    op.create_index(op.f("ix_dialogs_expires_at"), "dialogs", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_dialogs_expires_at"), table_name="dialogs")
    op.drop_table("dialogs")
    op.drop_index(op.f("ix_record_revisions_record_id"), table_name="record_revisions")
    op.drop_table("record_revisions")
    op.drop_index(op.f("ix_records_day"), table_name="records")
    op.drop_index(op.f("ix_records_member_id"), table_name="records")
    op.drop_table("records")
