"""Workshops, study groups, roster fields on members, mentorships, chat bindings, join requests, audit log.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workshops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("subject", sa.String(20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("archived_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshops")),
        sa.UniqueConstraint("name", name=op.f("uq_workshops_name")),
    )
    op.create_table(
        "study_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("archived_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_groups")),
        sa.UniqueConstraint("name", name=op.f("uq_study_groups_name")),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshops.id"], ondelete="SET NULL",
            name=op.f("fk_study_groups_workshop_id_workshops"),
        ),
    )
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("subject", sa.String(20), nullable=False, server_default=""))
        batch.add_column(sa.Column("workshop_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("phone", sa.String(20), nullable=True))
        batch.add_column(sa.Column("staff_no", sa.String(30), nullable=True))
        batch.add_column(sa.Column("left_at", UTCDateTime(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_members_workshop_id_workshops"), "workshops", ["workshop_id"], ["id"],
            ondelete="SET NULL",
        )
        batch.create_foreign_key(
            op.f("fk_members_group_id_study_groups"), "study_groups", ["group_id"], ["id"],
            ondelete="SET NULL",
        )
        batch.create_unique_constraint(op.f("uq_members_phone"), ["phone"])
        batch.create_unique_constraint(op.f("uq_members_staff_no"), ["staff_no"])
        batch.create_index(op.f("ix_members_workshop_id"), ["workshop_id"])
        batch.create_index(op.f("ix_members_group_id"), ["group_id"])
    op.execute(
        "INSERT INTO member_roles (member_id, role, granted_at) "
        "SELECT id, 'teacher', created_at FROM members WHERE NOT EXISTS "
        "(SELECT 1 FROM member_roles WHERE member_roles.member_id = members.id AND role = 'teacher')"
    )
    op.create_table(
        "mentorships",
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("apprentice_id", sa.Integer(), nullable=False),
        sa.Column("paired_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("mentor_id", "apprentice_id", name=op.f("pk_mentorships")),
        sa.ForeignKeyConstraint(
            ["mentor_id"], ["members.id"], ondelete="CASCADE",
            name=op.f("fk_mentorships_mentor_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["apprentice_id"], ["members.id"], ondelete="CASCADE",
            name=op.f("fk_mentorships_apprentice_id_members"),
        ),
    )
    op.create_table(
        "chat_bindings",
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("chat_id", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("workshop_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("bound_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "chat_id", name=op.f("pk_chat_bindings")),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], ondelete="CASCADE",
            name=op.f("fk_chat_bindings_school_id_schools"),
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshops.id"], ondelete="CASCADE",
            name=op.f("fk_chat_bindings_workshop_id_workshops"),
        ),
    )
    op.create_index(op.f("ix_chat_bindings_school_id"), "chat_bindings", ["school_id"])
    op.create_index(op.f("ix_chat_bindings_workshop_id"), "chat_bindings", ["workshop_id"])
    op.create_table(
        "join_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("chat_id", sa.String(64), nullable=False),
        sa.Column("chat_kind", sa.String(10), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("school_name", sa.String(100), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(10), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_requests")),
    )
    op.create_index(op.f("ix_join_requests_user_id"), "join_requests", ["user_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("actor_member_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.ForeignKeyConstraint(
            ["actor_member_id"], ["members.id"], ondelete="SET NULL",
            name=op.f("fk_audit_log_actor_member_id_members"),
        ),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_join_requests_user_id"), table_name="join_requests")
    op.drop_table("join_requests")
    op.drop_index(op.f("ix_chat_bindings_workshop_id"), table_name="chat_bindings")
    op.drop_index(op.f("ix_chat_bindings_school_id"), table_name="chat_bindings")
    op.drop_table("chat_bindings")
    op.drop_table("mentorships")
    with op.batch_alter_table("members") as batch:
        batch.drop_index(op.f("ix_members_group_id"))
        batch.drop_index(op.f("ix_members_workshop_id"))
        batch.drop_constraint(op.f("uq_members_staff_no"), type_="unique")
        batch.drop_constraint(op.f("uq_members_phone"), type_="unique")
        batch.drop_constraint(op.f("fk_members_group_id_study_groups"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_members_workshop_id_workshops"), type_="foreignkey")
        for column in ("left_at", "staff_no", "phone", "group_id", "workshop_id", "subject"):
            batch.drop_column(column)
    op.drop_table("study_groups")
    op.drop_table("workshops")
