"""Importing a GIAS extract into the supplier directory: one path for real and demo extracts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from analytics.gias import directory_records, read_extract, supplier_directory
from forum_ops.db import Database
from forum_ops.suppliers.snapshot import SnapshotChanges, replace_snapshot


def import_suppliers(
    db: Database,
    raw: bytes,
    name: str,
    now: datetime,
    progress: Callable[[str], None] = lambda _: None,
    max_closed_share: float | None = None,
) -> SnapshotChanges:
    """Read and check the whole extract first; then replace the snapshot in one transaction.
    A bad or cut-short file raises UnexpectedLayout, and one that would close more than
    `max_closed_share` of the directory MassClosure; either changes nothing."""
    progress(f"Reading {name} ({len(raw) / 1_000_000:.1f} MB)")
    extract = read_extract(raw, name)
    progress(f"{len(extract):,} establishments read; keeping open special schools and SEN units")
    directory = supplier_directory(extract)
    progress(f"{len(directory):,} specialist suppliers; saving")
    with db.transaction() as session:
        return replace_snapshot(session, directory_records(directory), now, max_closed_share)
