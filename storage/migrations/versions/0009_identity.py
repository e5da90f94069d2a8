"""Verified identities: accounts named on the roster, one-time invitation codes, how each link was made.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as accounts:
        accounts.add_column(sa.Column("via", sa.String(20), nullable=False, server_default=""))
    op.create_table(
        "roster_accounts",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("handle", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "platform", name=op.f("pk_roster_accounts")),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE",
                                name=op.f("fk_roster_accounts_member_id_members")),
        sa.UniqueConstraint("platform", "handle", name=op.f("uq_roster_accounts_platform_handle")),
    )
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("used_by", sa.String(90), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE",
                                name=op.f("fk_invitations_member_id_members")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_invitations_code_hash")),
    )
    op.create_index(op.f("ix_invitations_member_id"), "invitations", ["member_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_invitations_member_id"), table_name="invitations")
    op.drop_table("invitations")
    op.drop_table("roster_accounts")
    with op.batch_alter_table("accounts") as accounts:
        accounts.drop_column("via")
