"""A member's offer to chair a meeting, waiting for the secretariat (or its quiet period).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from forum_ops.db.schema import UtcDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chair_offers",
        sa.Column("meeting_id", sa.Integer, sa.ForeignKey("meetings.id"), primary_key=True),
        sa.Column("aad_object_id", sa.String(64), nullable=False),
        sa.Column("offered_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("chair_offers")
