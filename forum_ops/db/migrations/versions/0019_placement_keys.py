"""Record keys kept for good per (borough, period, placement id), not only from the borough's
previous return (issue 23, rule 8): a submitter who sent other ids in between got fresh keys,
so fresh noise, for the same placements. Filled from the placements stored now.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    keys = op.create_table(
        "placement_keys",
        sa.Column("borough", sa.String(8), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("placement_id", sa.String(600), nullable=False),
        sa.Column("record_key", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "borough", "period", "placement_id", name=op.f("pk_placement_keys")
        ),
    )
    assert keys is not None
    placements = sa.table(
        "placements",
        sa.column("id", sa.Integer),
        sa.column("borough", sa.String),
        sa.column("period", sa.String),
        sa.column("placement_id", sa.String),
        sa.column("record_key", sa.Integer),
    )
    connection = op.get_bind()
    stored = connection.execute(
        sa.select(
            placements.c.borough,
            placements.c.period,
            placements.c.placement_id,
            placements.c.record_key,
        ).order_by(placements.c.id)
    )
    kept: dict[tuple[str, str, str], int] = {}
    for borough, period, placement_id, record_key in stored:
        # ids as the return's check compares them (forum_ops/returns/service.py: key_spot)
        kept.setdefault((borough, period, str(placement_id).casefold()), int(record_key))
    rows = [
        {"borough": b, "period": p, "placement_id": i, "record_key": k}
        for (b, p, i), k in kept.items()
    ]
    for start in range(0, len(rows), 1000):
        connection.execute(keys.insert(), rows[start : start + 1000])


def downgrade() -> None:
    op.drop_table("placement_keys")
