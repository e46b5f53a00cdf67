"""Report files offered to one person in Teams (a file consent card), not served at a link.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from forum_ops.db.schema import UtcDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_files") as batch:
        batch.add_column(sa.Column("offered_to", sa.String(64), nullable=True))
        batch.add_column(sa.Column("again", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("answered_at", UtcDateTime(), nullable=True))
    # the reports kept before were served to whoever held their link: forget them (the
    # secretariat can make them again); the meetings' calendar files stay public
    files = sa.table("report_files", sa.column("filename", sa.String))
    op.get_bind().execute(files.delete().where(sa.not_(files.c.filename.like("%.ics"))))


def downgrade() -> None:
    with op.batch_alter_table("report_files") as batch:
        batch.drop_column("answered_at")
        batch.drop_column("again")
        batch.drop_column("offered_to")
