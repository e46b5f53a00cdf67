"""A turn's answer kept with its activity key: a redelivered card action gets the same card.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from forum_ops.db.schema import UtcDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL for the keys kept before: those turns were answered (they are two days old at most).
    op.add_column("processed_activities", sa.Column("replied_at", UtcDateTime(), nullable=True))
    op.add_column("processed_activities", sa.Column("response", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("processed_activities") as batch:
        batch.drop_column("response")
        batch.drop_column("replied_at")
