"""The specialist supplier directory.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from forum_ops.db.schema import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "suppliers",
        sa.Column("urn", sa.String(16), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("type", sa.String(120), nullable=False),
        sa.Column("sector", sa.String(60), nullable=False),
        sa.Column("la_code", sa.String(8), nullable=False),
        sa.Column("la_name", sa.String(120), nullable=False),
        sa.Column("low_age", sa.Float(), nullable=True),
        sa.Column("high_age", sa.Float(), nullable=True),
        sa.Column("phases", sa.String(80), nullable=False),
        sa.Column("needs", sa.String(80), nullable=False),
        sa.Column("capacity", sa.Float(), nullable=True),
        sa.Column("pupils", sa.Float(), nullable=True),
        sa.Column("ofsted", sa.String(60), nullable=False),
        sa.Column("postcode", sa.String(12), nullable=False),
        sa.Column("website", sa.String(300), nullable=False),
        sa.Column("easting", sa.Float(), nullable=True),
        sa.Column("northing", sa.Float(), nullable=True),
        sa.Column("imported_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("urn", name="pk_suppliers"),
    )
    op.create_index("ix_suppliers_la_code", "suppliers", ["la_code"])


def downgrade() -> None:
    op.drop_table("suppliers")
