"""A version per table, raised with every change to it (issue 28): answers read from tables
that have not changed are given again without reading them (forum_ops/db/versions.py).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_versions",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_versions")),
    )


def downgrade() -> None:
    op.drop_table("data_versions")
