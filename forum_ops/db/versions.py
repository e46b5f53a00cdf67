"""Data versions: a counter per table, raised in the same transaction as every change to the
table, so that an answer worked out from some tables can be given again, unchanged, until one
of them changes (bot/kept_answers.py). The counters live in the database, so a change made by
another replica, a scheduled job or the `forumbot` CLI is seen by every process at its next turn.

    with reading() as reads:            # what the work below reads, and whether it writes
        card = work()
    if reads.keepable:
        kept[key] = (card, reads.tables)  # give it again while versions(session) agree

Tables are known from the statements SQLAlchemy compiles (every query and change here is one;
the project runs no raw SQL), so nobody declares what an answer reads and nothing can be left
out. Bookkeeping tables (`VOLATILE`) are not counted: a turn's key, the outbox and the
scheduler's occurrences change on every turn, and an answer that reads one is never kept.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Table, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.visitors import iterate

from forum_ops.db.schema import DataVersionRow

VERSIONS = DataVersionRow.metadata.tables[DataVersionRow.__tablename__]
VOLATILE = frozenset({"processed_activities", "outbox", "job_occurrences", VERSIONS.name})
TOUCHED = "forum.touched"  # in a connection's info: the counted tables its transaction changed
_ALL = select(VERSIONS.c.name, VERSIONS.c.version)


@dataclass
class Reads:
    """What a piece of work read and whether it changed anything counted."""

    tables: set[str] = field(default_factory=set)
    wrote: bool = False
    volatile: bool = False  # it read a bookkeeping table, whose changes are not counted

    @property
    def keepable(self) -> bool:
        return not self.wrote and not self.volatile


_READS: ContextVar[Reads | None] = ContextVar("forum_reads", default=None)


@contextmanager
def reading() -> Iterator[Reads]:
    """Note what the work in this block reads, in this thread and in the executor threads it
    runs work in (the services copy their caller's context)."""
    reads = Reads()
    token = _READS.set(reads)
    try:
        yield reads
    finally:
        _READS.reset(token)


def versions(connection: Connection) -> Mapping[str, int]:
    """Every counted table's version as stored now (a table never changed is not listed)."""
    return {row.name: row.version for row in connection.execute(_ALL)}


def count_changes(engine: Engine, sessions: sessionmaker[Session]) -> None:
    """Note the tables each statement reads and changes, and raise the changed tables' versions
    as each session commits."""
    event.listen(engine, "begin", _transaction_begins)
    event.listen(engine, "after_cursor_execute", _statement_ran)
    event.listen(sessions, "before_commit", _raise_versions)


def _transaction_begins(connection: Connection) -> None:
    connection.info.pop(TOUCHED, None)


def _statement_ran(
    connection: Connection, _cursor: Any, _sql: str, _params: Any, context: Any, _many: bool
) -> None:
    compiled = getattr(context, "compiled", None)
    if compiled is None:
        return
    reads = _READS.get()
    if context.isinsert or context.isupdate or context.isdelete:
        table = getattr(compiled.statement, "table", None)
        name = table.name if isinstance(table, Table) else None
        if name in VOLATILE:
            return
        connection.info.setdefault(TOUCHED, set()).add(name or "*")
        if reads is not None:
            reads.wrote = True
    elif reads is not None:
        tables = _tables(compiled)
        reads.tables.update(tables)
        if not tables.isdisjoint(VOLATILE):
            reads.volatile = True


_TABLES: weakref.WeakKeyDictionary[Any, frozenset[str]] = weakref.WeakKeyDictionary()


def _tables(compiled: Any) -> frozenset[str]:
    """The tables a compiled query reads (worked out once per compiled statement: SQLAlchemy
    keeps compiled statements in its cache, so a turn's queries mostly find theirs)."""
    found = _TABLES.get(compiled)
    if found is None:
        found = frozenset(t.name for t in iterate(compiled.statement) if isinstance(t, Table))
        _TABLES[compiled] = found
    return found


def _raise_versions(session: Session) -> None:
    session.flush()  # the last changes are counted too
    transaction = session.get_transaction()
    if transaction is None:
        return
    connection = session.connection()
    touched = connection.info.pop(TOUCHED, None)
    if not touched:
        return
    rows = [{"name": name, "version": 1} for name in sorted(touched)]  # one lock order for all
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(VERSIONS).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=[VERSIONS.c.name], set_={"version": VERSIONS.c.version + 1}
    )
    connection.execute(statement)
