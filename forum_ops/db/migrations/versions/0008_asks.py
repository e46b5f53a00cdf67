"""Asks: the peer-support round robin (asks, who was asked, replies), and members' time away.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from forum_ops.db.schema import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("away_since", UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("away_until", sa.Date(), nullable=True))
    op.create_table(
        "asks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_aad", sa.String(64), nullable=False),
        sa.Column("organisation_code", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("topics", sa.String(400), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("card_key", sa.String(200), nullable=True),
        sa.Column("max_asked", sa.Integer(), nullable=False),
        sa.Column("best_reply_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("first_reply_at", UtcDateTime(), nullable=True),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("escalated_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asks")),
    )
    op.create_index(op.f("ix_asks_author_aad"), "asks", ["author_aad"])
    op.create_index("ix_asks_status_created_at", "asks", ["status", "created_at"])
    op.create_table(
        "ask_routes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ask_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("responder_aad", sa.String(64), nullable=False),
        sa.Column("organisation_code", sa.String(16), nullable=False),
        sa.Column("topic_match", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("asked_at", UtcDateTime(), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("done_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ask_id"], ["asks.id"], name=op.f("fk_ask_routes_ask_id_asks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ask_routes")),
    )
    op.create_index(op.f("ix_ask_routes_ask_id"), "ask_routes", ["ask_id"])
    op.create_index("ix_ask_routes_state_due_at", "ask_routes", ["state", "due_at"])
    op.create_index(
        "ix_ask_routes_responder_asked_at", "ask_routes", ["responder_aad", "asked_at"]
    )
    op.create_table(
        "ask_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ask_id", sa.Integer(), nullable=False),
        sa.Column("author_aad", sa.String(64), nullable=False),
        sa.Column("organisation_code", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("link", sa.String(2000), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ask_id"], ["asks.id"], name=op.f("fk_ask_replies_ask_id_asks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ask_replies")),
    )
    op.create_index(op.f("ix_ask_replies_ask_id"), "ask_replies", ["ask_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ask_replies_ask_id"), table_name="ask_replies")
    op.drop_table("ask_replies")
    op.drop_index("ix_ask_routes_responder_asked_at", table_name="ask_routes")
    op.drop_index("ix_ask_routes_state_due_at", table_name="ask_routes")
    op.drop_index(op.f("ix_ask_routes_ask_id"), table_name="ask_routes")
    op.drop_table("ask_routes")
    op.drop_index("ix_asks_status_created_at", table_name="asks")
    op.drop_index(op.f("ix_asks_author_aad"), table_name="asks")
    op.drop_table("asks")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("away_until")
        batch.drop_column("away_since")
