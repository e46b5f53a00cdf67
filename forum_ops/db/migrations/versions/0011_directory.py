"""Directory of networks and best practice, the recommendations tracker, usage counts and
generated report files (issue 17).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from forum_ops.db.schema import UtcDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "directory_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("topics", sa.Text(), nullable=False),
        sa.Column("offers", sa.Text(), nullable=False),
        sa.Column("how_to_join", sa.Text(), nullable=False),
        sa.Column("link", sa.String(500), nullable=False),
        sa.Column("contact", sa.String(320), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("last_checked", sa.Date(), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("suggested_by", sa.String(64), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_entries")),
    )
    op.create_index(
        op.f("ix_directory_entries_status"), "directory_entries", ["status"], unique=False
    )
    op.create_table(
        "recommendations",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("theme", sa.String(100), nullable=False),
        sa.Column("lead", sa.String(60), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("rag", sa.String(8), nullable=False),
        sa.Column("next_step", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_recommendations")),
    )
    op.create_table(
        "usage_counts",
        sa.Column("feature", sa.String(40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("feature", "day", name=op.f("pk_usage_counts")),
    )
    op.create_table(
        "report_files",
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_report_files")),
    )
    op.create_index(op.f("ix_report_files_expires_at"), "report_files", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_report_files_expires_at"), table_name="report_files")
    op.drop_table("report_files")
    op.drop_table("usage_counts")
    op.drop_table("recommendations")
    op.drop_index(op.f("ix_directory_entries_status"), table_name="directory_entries")
    op.drop_table("directory_entries")
