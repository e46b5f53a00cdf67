"""The specialist supplier directory's snapshot: replaced whole by each GIAS import.

A snapshot that would close more than a set share of the schools in the directory is refused
unless the caller allows it: schools close a few at a time, and a file that closes a tenth of
them at once is far likelier a partial download than a wave of closures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from analytics.gias_format import DIRECTORY_COLUMNS
from forum_ops.db.schema import SupplierRow
from forum_ops.errors import MassClosure

FIELDS = DIRECTORY_COLUMNS[1:]  # each school's fields after its key, the URN


@dataclass(frozen=True)
class SnapshotChanges:
    opened: int  # in the new snapshot, not the old
    closed: int  # in the old, not the new
    changed: int  # in both, with a field changed
    total: int


def replace_snapshot(
    session: Session,
    records: Iterable[dict[str, Any]],
    now: datetime,
    max_closed_share: float | None = None,
) -> SnapshotChanges:
    """The new snapshot replaces the old in the caller's transaction; says what changed.
    MassClosure, changing nothing, if it would close more than `max_closed_share` of the old
    snapshot's schools (None: any share)."""
    new = {str(r["urn"]): r for r in records}
    old = {row.urn: row for row in session.scalars(select(SupplierRow))}
    changed = sum(
        1
        for urn, record in new.items()
        if urn in old and any(_differs(getattr(old[urn], f), record[f]) for f in FIELDS)
    )
    report = SnapshotChanges(
        len(new.keys() - old.keys()), len(old.keys() - new.keys()), changed, len(new)
    )
    if max_closed_share is not None and old and report.closed > max_closed_share * len(old):
        raise MassClosure(report.closed, report.total, len(old), max_closed_share)
    session.execute(delete(SupplierRow))
    session.add_all(
        SupplierRow(urn=urn, imported_at=now, **{f: record[f] for f in FIELDS})
        for urn, record in new.items()
    )
    return report


def _differs(before: Any, after: Any) -> bool:
    if isinstance(before, float) and isinstance(after, float):
        return not (before == after or (before != before and after != after))  # NaN equals NaN here
    return bool(before != after)


def snapshot_rows(session: Session) -> list[dict[str, Any]]:
    return [
        {"urn": row.urn, **{f: getattr(row, f) for f in FIELDS}}
        for row in session.scalars(select(SupplierRow))
    ]


def boroughs_of(session: Session, urns: list[str]) -> dict[str, str]:
    """URN -> the borough (LA name) of each of these schools the directory holds."""
    rows = session.execute(
        select(SupplierRow.urn, SupplierRow.la_name).where(SupplierRow.urn.in_(urns))
    )
    return {row.urn: row.la_name for row in rows}


def snapshot_stamp(session: Session) -> datetime | None:
    return session.scalar(select(func.max(SupplierRow.imported_at)))
