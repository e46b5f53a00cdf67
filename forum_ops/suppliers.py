"""The specialist supplier directory's snapshot: replaced whole by each GIAS import."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from forum_ops.db.schema import SupplierRow

FIELDS = (
    "name",
    "type",
    "sector",
    "la_code",
    "la_name",
    "low_age",
    "high_age",
    "phases",
    "needs",
    "capacity",
    "pupils",
    "ofsted",
    "postcode",
    "website",
    "easting",
    "northing",
)


@dataclass(frozen=True)
class SnapshotChanges:
    opened: int  # in the new snapshot, not the old
    closed: int  # in the old, not the new
    changed: int  # in both, with a field changed
    total: int


def replace_snapshot(
    session: Session, records: Iterable[dict[str, Any]], now: datetime
) -> SnapshotChanges:
    """The new snapshot replaces the old in the caller's transaction; says what changed."""
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


def snapshot_stamp(session: Session) -> datetime | None:
    return session.scalar(select(func.max(SupplierRow.imported_at)))
