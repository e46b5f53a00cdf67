"""Storage: SQLAlchemy 2 tables, the engine factory and Alembic migrations."""

from forum_ops.db.engine import Database, create_database

__all__ = ["Database", "create_database", "upgrade"]


def upgrade(db: Database) -> None:
    """Migrate the database to the newest revision (Alembic, imported only when migrating)."""
    from forum_ops.db.migrate import upgrade as migrate

    migrate(db)
