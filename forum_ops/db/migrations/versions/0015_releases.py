"""Releases: others' benchmark figures from frozen snapshots; server-drawn record keys; holds.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

import secrets

import sqlalchemy as sa
from alembic import op

from forum_ops.db.schema import UtcDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("placements") as batch:
        batch.add_column(sa.Column("record_key", sa.Integer(), nullable=True))
    # the placements stored before get random keys now, as new ones will (never derived from ids)
    placements = sa.table("placements", sa.column("id", sa.Integer), sa.column("record_key"))
    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.select(placements.c.id))]
    for start in range(0, len(ids), 1000):
        connection.execute(
            placements.update().where(placements.c.id == sa.bindparam("row_id")),
            [
                {"row_id": i, "record_key": secrets.randbelow(256)}
                for i in ids[start : start + 1000]
            ],
        )
    with op.batch_alter_table("placements") as batch:
        batch.alter_column("record_key", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("return_submissions") as batch:
        batch.add_column(sa.Column("hold_reason", sa.String(600), nullable=True))
        batch.add_column(sa.Column("decision", sa.String(10), nullable=True))
        batch.add_column(sa.Column("decided_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("decided_at", UtcDateTime(), nullable=True))
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("released_at", UtcDateTime(), nullable=False),
        sa.Column("released_by", sa.String(64), nullable=False),
        sa.Column("boroughs", sa.Integer(), nullable=False),
        sa.Column("placements", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_releases")),
    )
    op.create_index(op.f("ix_releases_period_released_at"), "releases", ["period", "released_at"])
    op.create_table(
        "release_placements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("borough", sa.String(8), nullable=False),
        sa.Column("provider_urn", sa.String(8), nullable=False),
        sa.Column("primary_need", sa.String(8), nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("placement_type", sa.String(32), nullable=False),
        sa.Column("core_fee", sa.Float(), nullable=False),
        sa.Column("residential_care", sa.Float(), nullable=False),
        sa.Column("total_cost", sa.Float(), nullable=False),
        sa.Column("record_key", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"], ["releases.id"], name=op.f("fk_release_placements_release_id_releases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_placements")),
    )
    op.create_index(op.f("ix_release_placements_release_id"), "release_placements", ["release_id"])
    op.create_table(
        "release_providers",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("provider_urn", sa.String(8), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"], ["releases.id"], name=op.f("fk_release_providers_release_id_releases")
        ),
        sa.PrimaryKeyConstraint("release_id", "provider_urn", name=op.f("pk_release_providers")),
    )


def downgrade() -> None:
    op.drop_table("release_providers")
    op.drop_index("ix_release_placements_release_id", table_name="release_placements")
    op.drop_table("release_placements")
    op.drop_index("ix_releases_period_released_at", table_name="releases")
    op.drop_table("releases")
    with op.batch_alter_table("return_submissions") as batch:
        for column in ("decided_at", "decided_by", "decision", "hold_reason"):
            batch.drop_column(column)
    with op.batch_alter_table("placements") as batch:
        batch.drop_column("record_key")
