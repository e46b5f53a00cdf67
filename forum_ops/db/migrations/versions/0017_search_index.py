"""The full-text index in the database (issue 28): asks and approved directory entries as
their analysed stems and an inverted index, back-filled here (forum_ops/db/fulltext.py).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from forum_ops.db import fulltext

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("doc_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("words", sa.Integer(), nullable=False),
        sa.Column("stems", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "doc_id", name=op.f("pk_search_documents")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "search_terms",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("term", sa.String(100), nullable=False),
        sa.Column("doc_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("words", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "kind",
            "term",
            "doc_id",
            name=op.f("pk_search_terms"),
            postgresql_include=["occurrences", "words"],
        ),
        sqlite_with_rowid=False,
    )
    totals = op.create_table(
        "search_totals",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("words", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_search_totals")),
    )
    op.bulk_insert(totals, [{"kind": k, "documents": 0, "words": 0} for k in fulltext.KINDS])
    fulltext.index_everything(op.get_bind())


def downgrade() -> None:
    op.drop_table("search_totals")
    op.drop_table("search_terms")
    op.drop_table("search_documents")
