"""Storage: SQLAlchemy 2 tables, the engine factory and Alembic migrations."""

from forum_ops.db.engine import Database, create_database
from forum_ops.db.migrate import upgrade

__all__ = ["Database", "create_database", "upgrade"]
