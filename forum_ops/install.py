"""Bring a database up to date: the newest schema (forum_ops/db, Alembic), then the reference
organisations in step (forum_ops/members). Above both, so storage never calls up into members."""

from __future__ import annotations

from forum_ops.db import Database


def upgrade(db: Database) -> None:
    """Migrate the database to the newest revision, then insert or update the reference
    organisations; idempotent (`forumbot db upgrade`). Alembic is imported only when migrating."""
    from forum_ops.db.migrate import migrate
    from forum_ops.members.organisations import sync_reference_organisations

    migrate(db)
    with db.transaction() as session:
        sync_reference_organisations(session)
