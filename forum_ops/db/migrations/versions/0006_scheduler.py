"""Occurrences of scheduled jobs, claimed once.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from forum_ops.db.schema import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(100), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("not_before", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("lease_until", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_job_occurrences"),
        sa.UniqueConstraint("key", name="uq_job_occurrences_key"),
    )
    op.create_index("ix_job_occurrences_due", "job_occurrences", ["status", "not_before"])
    op.create_index("ix_job_occurrences_job_due_at", "job_occurrences", ["job", "due_at"])


def downgrade() -> None:
    op.drop_table("job_occurrences")
