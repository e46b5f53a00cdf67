"""Work rows that are written once and claimed once, with a lease: the outbox's messages
(forum_ops/outbox/queue.py) and the scheduler's occurrences (forum_ops/scheduler/store.py).

`insert_once` writes a row unless its key is there already (INSERT ... ON CONFLICT DO NOTHING),
so replicas and re-runs agree on one row. `claim_due` leases rows that are waiting and due, or
whose lease ran out (their claimant died), to one owner: `FOR UPDATE SKIP LOCKED` on PostgreSQL,
so replicas claiming at once never take the same row and never wait for each other; SQLite
has one writer at a time, which serialises claims the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Table, and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import InstrumentedAttribute, Session

from forum_ops.db.schema import JobOccurrenceRow, OutboxRow

Leased = TypeVar("Leased", OutboxRow, JobOccurrenceRow)


def insert_once(session: Session, table: type[Leased], values: dict[str, Any]) -> bool:
    """Add a row in the caller's transaction; False if a row with its key exists."""
    connection = session.connection()  # Core: the ORM's bulk-insert path cost twice the query
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    rows = table.__table__
    assert isinstance(rows, Table)
    statement = insert(rows).values(**values).on_conflict_do_nothing(index_elements=["key"])
    return connection.execute(statement.returning(rows.c.id)).scalar_one_or_none() is not None


def claim_due(
    session: Session,
    table: type[Leased],
    *,
    owner: tuple[InstrumentedAttribute[str | None], str],
    statuses: tuple[str, str],
    now: datetime,
    limit: int,
    lease: timedelta,
    order_by: Sequence[ColumnElement[Any] | InstrumentedAttribute[Any]],
    where: Sequence[ColumnElement[bool]] = (),
) -> Sequence[Leased]:
    """Lease up to `limit` rows to an owner (`owner`: its column and name) and return them,
    their attempts counted: rows in the waiting status whose `not_before` has come, and rows in
    the leased status whose lease ran out, in `order_by`, and meeting `where`. `statuses` is
    (waiting, leased). Call in its own transaction."""
    column, name = owner
    waiting, leased = statuses
    due = or_(
        and_(table.status == waiting, table.not_before <= now),
        and_(table.status == leased, table.lease_until < now),
    )
    # Most claims find nothing (a worker claims whenever a commit rings its doorbell): a plain
    # read says so without the UPDATE, which on SQLite would wait for the one writer's turn
    # and hold it, and on PostgreSQL would lock rows, for nothing.
    if session.scalar(select(table.id).where(due, *where).limit(1)) is None:
        return []
    candidates = (
        select(table.id)
        .where(due, *where)
        .order_by(*order_by)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return session.scalars(
        update(table)
        .where(table.id.in_(candidates.scalar_subquery()))
        .values(
            {
                column: name,
                table.status: leased,
                table.lease_until: now + lease,
                table.attempts: table.attempts + 1,
                table.updated_at: now,
            }
        )
        .returning(table)
    ).all()
