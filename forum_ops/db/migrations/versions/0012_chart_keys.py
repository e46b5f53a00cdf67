"""Charts kept once by their content: the same picture drawn again reuses its row and URL.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL for the charts kept before: they expire as they were, and are never matched again.
    op.add_column("charts", sa.Column("content_key", sa.String(64), nullable=True))
    op.create_index("ix_charts_content_key", "charts", ["content_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_charts_content_key", table_name="charts")
    with op.batch_alter_table("charts") as batch:
        batch.drop_column("content_key")
