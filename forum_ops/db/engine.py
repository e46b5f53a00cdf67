"""The engine factory: SQLite (WAL) by default, PostgreSQL by URL.

SQLite has one writer at a time. A connection that finds the write lock taken waits in SQLite's
busy handler, which sleeps 1, 2, 5, 10 ... up to 100 ms between looks whatever the holder does:
with turns and the outbox worker writing at once (issue 28: `ask` at concurrency 4 spent most
of its time there, p99 15x p50), a writer slept on long after the lock was free. So the writers
of one process take turns on a lock of the process first, handed over the moment the holder's
connection goes back to the pool (after its commit or rollback): a connection takes it at its
first INSERT, UPDATE, DELETE or DDL and keeps it to the end of its transaction. Other processes
(the CLI, a second server on the same file) still meet at SQLite's own lock, as before.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from forum_ops.db.versions import count_changes

WROTE = "forum.wrote"  # in a connection's info: its transaction has run an INSERT, UPDATE or DELETE
WRITE_TURN = "forum.write_turn"  # in a SQLite connection's info: it holds its process's write turn
WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
WRITE_TURN_TIMEOUT = 30.0  # as long as SQLite's own busy timeout (connect_args below)
_write_turns: dict[str, threading.Lock] = {}  # by database file: every engine on it shares one
_write_turns_guard = threading.Lock()


class TurnHook(Protocol):
    """What an inbound turn does at each commit of the work it causes (forum_ops/turns.py)."""

    def before_commit(self, session: Session, wrote: bool) -> bool:
        """Called with the transaction's work flushed; True: commit it, False: roll it back."""
        ...

    def after_commit(self) -> None: ...


# The turn being handled, if any: set by the bot for the turn's work (copied into its threads)
TURN: ContextVar[TurnHook | None] = ContextVar("forum_turn", default=None)


@dataclass(frozen=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def transaction(self, *, effect: bool = True) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error.

        Inside an inbound turn, the turn's hook sees each commit that changes something, so
        the activity's key is written in the same transaction as the turn's first change.
        `effect=False`: work that is not the turn's own (its bookkeeping) and commits apart.
        """
        turn = TURN.get() if effect else None
        if turn is None:
            with self.sessions.begin() as session:
                yield session
            return
        with self.sessions() as session:
            session.begin()
            try:
                yield session
                session.flush()
                if turn.before_commit(session, bool(session.connection().info.get(WROTE))):
                    session.commit()
                    turn.after_commit()
                else:  # what the caller read stays readable; what it wrote is undone
                    session.expunge_all()
                    session.rollback()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def create_database(url: str) -> Database:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=8
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        if engine.url.database and engine.url.database != ":memory:":
            _take_turns_to_write(engine, engine.url.database)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=8)
    event.listen(engine, "begin", _transaction_begins)
    event.listen(engine, "after_cursor_execute", _statement_ran)
    sessions = sessionmaker(engine, expire_on_commit=False)
    count_changes(engine, sessions)
    return Database(engine, sessions)


def _transaction_begins(connection: Connection) -> None:
    connection.info.pop(WROTE, None)


def _statement_ran(
    connection: Connection, _cursor: Any, _sql: str, _params: Any, context: Any, _many: bool
) -> None:
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        connection.info[WROTE] = True


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable across app crashes; WAL keeps it safe
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _take_turns_to_write(engine: Engine, database: str) -> None:
    """One writer at a time in this process on this SQLite file (see the module's docstring)."""
    with _write_turns_guard:
        turn = _write_turns.setdefault(database, threading.Lock())

    def before_write(
        connection: Connection, _cursor: Any, sql: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        info = connection.connection.info  # the pooled DBAPI connection's, kept to its check-in
        if info.get(WRITE_TURN) or not sql.lstrip()[:7].upper().startswith(WRITE_VERBS):
            return
        if not turn.acquire(timeout=WRITE_TURN_TIMEOUT):  # as SQLite would say it
            raise sqlite3.OperationalError("database is locked")
        info[WRITE_TURN] = True

    def hand_over(_dbapi_connection: Any, record: Any, *_: Any) -> None:
        if record is not None and record.info.pop(WRITE_TURN, None):
            turn.release()

    event.listen(engine, "before_cursor_execute", before_write)
    event.listen(engine.pool, "checkin", hand_over)  # after the commit or rollback on return
    event.listen(engine.pool, "invalidate", hand_over)
