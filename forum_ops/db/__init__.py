"""Storage: SQLAlchemy 2 tables, the engine factory and Alembic migrations (forum_ops/install.py
upgrades a database: the schema, then the reference organisations)."""

from forum_ops.db.engine import Database, create_database

__all__ = ["Database", "create_database"]
