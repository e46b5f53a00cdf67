"""Meetings: the forward plan, agenda proposals, takeaways and the steps of each meeting's cycle.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from forum_ops.db.schema import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("theme", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("origin", sa.String(12), nullable=False),
        sa.Column("chair_aad", sa.String(64), nullable=True),
        sa.Column("chair_org", sa.String(16), nullable=True),
        sa.Column("booking", sa.String(10), nullable=False),
        sa.Column("booking_id", sa.String(64), nullable=True),
        sa.Column("event_id", sa.String(400), nullable=True),
        sa.Column("join_url", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        sa.UniqueConstraint("day", name=op.f("uq_meetings_day")),
    )
    op.create_index(op.f("ix_meetings_starts_at"), "meetings", ["starts_at"])
    op.create_table(
        "agenda_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("proposer_aad", sa.String(64), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_agenda_items_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_items")),
    )
    op.create_index(op.f("ix_agenda_items_meeting_id"), "agenda_items", ["meeting_id"])
    op.create_table(
        "takeaways",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("insight", sa.Text(), nullable=False),
        sa.Column("tool", sa.Text(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("author_aad", sa.String(64), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("published_at", UtcDateTime(), nullable=True),
        sa.Column("link_token", sa.String(64), nullable=True),
        sa.Column("link_expires_at", UtcDateTime(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_takeaways_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_takeaways")),
        sa.UniqueConstraint("link_token", name=op.f("uq_takeaways_link_token")),
    )
    op.create_table(
        "meeting_steps",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(80), nullable=False),
        sa.Column("done_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_steps_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("meeting_id", "step", name=op.f("pk_meeting_steps")),
    )


def downgrade() -> None:
    op.drop_table("meeting_steps")
    op.drop_table("takeaways")
    op.drop_index(op.f("ix_agenda_items_meeting_id"), table_name="agenda_items")
    op.drop_table("agenda_items")
    op.drop_index(op.f("ix_meetings_starts_at"), table_name="meetings")
    op.drop_table("meetings")
