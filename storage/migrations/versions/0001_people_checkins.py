"""Schools, members, chat accounts, roles, check-ins and the idempotency ledger.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schools",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("archived_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schools")),
        sa.UniqueConstraint("name", name=op.f("uq_schools_name")),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_members_school_id_schools")
        ),
    )
    op.create_index(op.f("ix_members_name"), "members", ["name"])
    op.create_index(op.f("ix_members_school_id"), "members", ["school_id"])
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("linked_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], ondelete="CASCADE",
            name=op.f("fk_accounts_member_id_members"),
        ),
        sa.UniqueConstraint("platform", "user_id", name=op.f("uq_accounts_platform_user_id")),
    )
    op.create_index(op.f("ix_accounts_member_id"), "accounts", ["member_id"])
    op.create_table(
        "member_roles",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("granted_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "role", name=op.f("pk_member_roles")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], ondelete="CASCADE",
            name=op.f("fk_member_roles_member_id_members"),
        ),
    )
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("checked_at", UTCDateTime(), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("chat_id", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], ondelete="CASCADE",
            name=op.f("fk_checkins_member_id_members"),
        ),
        sa.UniqueConstraint("member_id", "day", name=op.f("uq_checkins_member_id_day")),
        sa.UniqueConstraint(
            "platform", "chat_id", "message_id", name=op.f("uq_checkins_platform_chat_id_message_id")
        ),
    )
    op.create_table(
        "handled_messages",
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("chat_id", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("handled_at", UTCDateTime(), nullable=False),
        sa.Column("replies", sa.JSON(), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint(
            "platform", "chat_id", "message_id", name=op.f("pk_handled_messages")
        ),
    )
    op.create_index(op.f("ix_handled_messages_handled_at"), "handled_messages", ["handled_at"])


def downgrade() -> None:
    op.drop_table("handled_messages")
    op.drop_table("checkins")
    op.drop_table("member_roles")
    op.drop_index(op.f("ix_accounts_member_id"), table_name="accounts")
    op.drop_table("accounts")
    op.drop_index(op.f("ix_members_school_id"), table_name="members")
    op.drop_index(op.f("ix_members_name"), table_name="members")
    op.drop_table("members")
    op.drop_table("schools")
