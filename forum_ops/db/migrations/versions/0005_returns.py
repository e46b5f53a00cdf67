"""INMSS placement returns and their audit trail.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from forum_ops.db.schema import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "placements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("borough", sa.String(8), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("placement_id", sa.String(200), nullable=False),
        sa.Column("provider_urn", sa.String(8), nullable=False),
        sa.Column("provider_name", sa.String(200), nullable=False),
        sa.Column("establishment_type", sa.String(40), nullable=False),
        sa.Column("s41_approved", sa.String(4), nullable=True),
        sa.Column("primary_need", sa.String(8), nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("placement_type", sa.String(32), nullable=False),
        sa.Column("route", sa.String(16), nullable=False),
        sa.Column("start_date", sa.String(10), nullable=False),
        sa.Column("end_date", sa.String(10), nullable=True),
        sa.Column("core_fee", sa.Float(), nullable=False),
        sa.Column("residential_care", sa.Float(), nullable=False),
        sa.Column("health", sa.Float(), nullable=False),
        sa.Column("therapies", sa.Float(), nullable=False),
        sa.Column("additional_staffing", sa.Float(), nullable=False),
        sa.Column("total_cost", sa.Float(), nullable=False),
        sa.Column("attendance_pct", sa.Float(), nullable=True),
        sa.Column("suspensions", sa.Integer(), nullable=True),
        sa.Column("outcomes_met", sa.String(8), nullable=True),
        sa.Column("open_to_negotiation", sa.String(8), nullable=True),
        sa.Column("requested_uplift_pct", sa.Float(), nullable=True),
        sa.Column("agreed_uplift_pct", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_placements"),
    )
    op.create_index("ix_placements_period_borough", "placements", ["period", "borough"])
    op.create_index("ix_placements_provider_urn", "placements", ["provider_urn"])
    op.create_table(
        "return_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("borough", sa.String(8), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("submitted_by", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("placements", sa.Integer(), nullable=False),
        sa.Column("problems", sa.Integer(), nullable=False),
        sa.Column("replaced", sa.Integer(), nullable=False),
        sa.Column("submitted_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_return_submissions"),
    )
    op.create_index(
        "ix_return_submissions_submitted_at", "return_submissions", ["submitted_at"]
    )


def downgrade() -> None:
    op.drop_table("return_submissions")
    op.drop_table("placements")
