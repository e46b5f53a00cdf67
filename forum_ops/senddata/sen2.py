"""The SEN2 release the forum uses: stored as published, replaced whole by a re-import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from forum_ops.db.schema import Sen2FileRow


@dataclass(frozen=True)
class Sen2File:
    kind: str  # caseload, needs
    filename: str
    content: str


@dataclass(frozen=True)
class Sen2Release:
    caseload: Sen2File
    needs: Sen2File | None
    imported_at: datetime


def replace_release(session: Session, files: list[Sen2File], now: datetime) -> None:
    """The new release replaces the old one in the caller's transaction (both files or neither)."""
    session.execute(delete(Sen2FileRow))
    for file in files:
        session.add(
            Sen2FileRow(
                kind=file.kind, filename=file.filename, content=file.content, imported_at=now
            )
        )


def latest_release(session: Session) -> Sen2Release | None:
    rows = {row.kind: row for row in session.scalars(select(Sen2FileRow))}
    if "caseload" not in rows:
        return None

    def as_file(row: Sen2FileRow) -> Sen2File:
        return Sen2File(row.kind, row.filename, row.content)

    needs = rows.get("needs")
    return Sen2Release(
        as_file(rows["caseload"]), as_file(needs) if needs else None, rows["caseload"].imported_at
    )


_FILES = Sen2FileRow.__table__
_STAMP = select(_FILES.c.imported_at).where(_FILES.c.kind == "caseload")


def release_stamp(session: Session) -> datetime | None:
    """When the stored release was imported (cheap: for caches to know when to reload)."""
    return session.connection().execute(_STAMP).scalar()  # Core: asked by every senddata
