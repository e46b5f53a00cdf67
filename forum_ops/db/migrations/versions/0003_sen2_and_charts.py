"""SEN2 release files and chart images.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from forum_ops.db.schema import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sen2_files",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("imported_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name="pk_sen2_files"),
    )
    op.create_table(
        "charts",
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("png", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token", name="pk_charts"),
    )
    op.create_index("ix_charts_expires_at", "charts", ["expires_at"])


def downgrade() -> None:
    op.drop_table("charts")
    op.drop_table("sen2_files")
