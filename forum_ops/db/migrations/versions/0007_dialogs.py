"""Dialogs: a person's unfinished multi-turn conversation, kept across restarts and replicas.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from forum_ops.db.schema import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dialogs",
        sa.Column("conversation_id", sa.String(400), nullable=False),
        sa.Column("aad_object_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("step", sa.String(64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", "aad_object_id", name=op.f("pk_dialogs")),
    )
    op.create_index(op.f("ix_dialogs_expires_at"), "dialogs", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_dialogs_expires_at"), table_name="dialogs")
    op.drop_table("dialogs")
