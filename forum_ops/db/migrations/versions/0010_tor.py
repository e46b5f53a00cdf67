"""ToR versions, their ratifications, each borough's standing vote and every vote cast.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from forum_ops.db.schema import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tor_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.Column("added_at", UtcDateTime(), nullable=False),
        sa.Column("ratified_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tor_versions")),
        sa.UniqueConstraint("number", name=op.f("uq_tor_versions_number")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_tor_versions_content_hash")),
    )
    op.create_table(
        "tor_ratifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("open_version_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("deadline", UtcDateTime(), nullable=False),
        sa.Column("quorum", sa.Float(), nullable=False),
        sa.Column("majority", sa.Float(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("result", sa.String(10), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("card_key", sa.String(300), nullable=True),
        sa.Column("opened_by", sa.String(64), nullable=False),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["tor_versions.id"],
            name=op.f("fk_tor_ratifications_version_id_tor_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tor_ratifications")),
        sa.UniqueConstraint("open_version_id", name=op.f("uq_tor_ratifications_open_version_id")),
    )
    op.create_index(
        op.f("ix_tor_ratifications_version_id"), "tor_ratifications", ["version_id"]
    )
    op.create_index(op.f("ix_tor_ratifications_deadline"), "tor_ratifications", ["deadline"])
    op.create_table(
        "tor_votes",
        sa.Column("ratification_id", sa.Integer(), nullable=False),
        sa.Column("borough", sa.String(8), nullable=False),
        sa.Column("choice", sa.String(10), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("cast_by", sa.String(64), nullable=False),
        sa.Column("cast_by_name", sa.String(200), nullable=False),
        sa.Column("cast_at", UtcDateTime(), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ratification_id"],
            ["tor_ratifications.id"],
            name=op.f("fk_tor_votes_ratification_id_tor_ratifications"),
        ),
        sa.PrimaryKeyConstraint("ratification_id", "borough", name=op.f("pk_tor_votes")),
    )
    op.create_table(
        "tor_vote_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ratification_id", sa.Integer(), nullable=False),
        sa.Column("borough", sa.String(8), nullable=False),
        sa.Column("choice", sa.String(10), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("cast_by", sa.String(64), nullable=False),
        sa.Column("cast_by_name", sa.String(200), nullable=False),
        sa.Column("cast_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ratification_id"],
            ["tor_ratifications.id"],
            name=op.f("fk_tor_vote_events_ratification_id_tor_ratifications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tor_vote_events")),
    )
    op.create_index(
        op.f("ix_tor_vote_events_ratification_id"), "tor_vote_events", ["ratification_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_tor_vote_events_ratification_id"), table_name="tor_vote_events")
    op.drop_table("tor_vote_events")
    op.drop_table("tor_votes")
    op.drop_index(op.f("ix_tor_ratifications_deadline"), table_name="tor_ratifications")
    op.drop_index(op.f("ix_tor_ratifications_version_id"), table_name="tor_ratifications")
    op.drop_table("tor_ratifications")
    op.drop_table("tor_versions")
