"""How often a feature was used, by day: counts only, nothing about who (the recommendations
tracker's evidence, e.g. supplier look-ups for recommendation 14)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from forum_ops.db.schema import UsageCountRow

SUPPLIER_LOOKUP = "supplier_lookup"  # a `suppliers` search (its first page) or the extension's


def record_use(session: Session, feature: str, day: date) -> None:
    """Count one use of a feature on a day: one upsert, whichever replica counts first."""
    counts = UsageCountRow.metadata.tables[UsageCountRow.__tablename__]
    dialect = session.get_bind().dialect.name
    insert = pg_insert(counts) if dialect == "postgresql" else sqlite_insert(counts)
    statement = insert.values(feature=feature, day=day, count=1).on_conflict_do_update(
        index_elements=["feature", "day"], set_={"count": counts.c.count + 1}
    )
    session.connection().execute(statement)


def uses(session: Session, feature: str, start: date, end: date) -> int:
    """Uses of a feature on days in [start, end)."""
    total = session.scalar(
        select(func.coalesce(func.sum(UsageCountRow.count), 0)).where(
            UsageCountRow.feature == feature, UsageCountRow.day >= start, UsageCountRow.day < end
        )
    )
    return int(total or 0)


def uses_by_month(session: Session, feature: str, start: date, end: date) -> dict[str, int]:
    """Uses in [start, end) by month ("2026-01")."""
    found: dict[str, int] = {}
    for day, n in session.execute(
        select(UsageCountRow.day, UsageCountRow.count).where(
            UsageCountRow.feature == feature, UsageCountRow.day >= start, UsageCountRow.day < end
        )
    ):
        key = f"{day:%Y-%m}"
        found[key] = found.get(key, 0) + int(n)
    return found
