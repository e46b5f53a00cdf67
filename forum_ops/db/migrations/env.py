"""Alembic environment: runs on the connection that forum_ops.db.migrate.migrate passes in."""

from alembic import context
from sqlalchemy import Connection, create_engine

from forum_ops.db.schema import Base

config = context.config
connection = config.attributes.get("connection")


def run(conn: Connection) -> None:
    context.configure(
        connection=conn,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:  # `alembic` on the command line, e.g. to autogenerate a revision
    with create_engine(config.get_main_option("sqlalchemy.url") or "").begin() as conn:
        run(conn)
