"""The directory of support networks and best practice (the report's recommendations 4 and 5).

Entries are networks (formal, informal), best-practice examples and tools, each with a scope,
topics, what it offers and how to join or read it. Members search the approved entries with the
forum's one full-text search (the database's index, forum_ops/db/fulltext.py, as the asks do:
every write of an entry re-indexes it, and only approved entries are in it) and suggest new ones;
the secretariat approves (editing as it goes) or declines a suggestion, and confirms entries
nobody has checked for 12 months. A CSV import is all or nothing; the export is guarded
against formula injection (analytics/spreadsheet_safety.py).

    suggested --approve (secretariat, may edit)--> approved --checked--> approved (last_checked)
    suggested --decline--> declined          import / demo / takeaway --> approved
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics.spreadsheet_safety import csv_bytes
from cards.views.common import LONDON
from cards.views.directory import DirectoryPage, Entry, EntryDraft, Kind, Scope, Source, Status
from forum_ops.csv_files import CsvFile
from forum_ops.db import Database, fulltext
from forum_ops.db.schema import DirectoryEntryRow
from forum_ops.directory.entries import (
    CSV_COLUMNS,
    LIMITS,
    MAX_IMPORT_LINES,
    PAGE,
    check_draft,
    draft_or_error,
    stale_before,
)
from forum_ops.errors import ForumError, NotAllowed
from forum_ops.members.model import Member
from forum_ops.ports import Clock


def _entry(row: DirectoryEntryRow) -> Entry:
    draft = EntryDraft(
        row.name, Kind(row.kind), Scope(row.scope),
        tuple(t for t in row.topics.split(";") if t), row.offers, row.how_to_join, row.link,
        row.contact, row.owner, row.last_checked,
    )  # fmt: skip
    return Entry(row.id, draft, Status(row.status), Source(row.source))


def _write(row: DirectoryEntryRow, draft: EntryDraft) -> None:
    row.name, row.kind, row.scope = draft.name, draft.kind.value, draft.scope.value
    row.topics, row.offers, row.how_to_join = (
        ";".join(draft.topics),
        draft.offers,
        draft.how_to_join,
    )
    row.link, row.contact, row.owner = draft.link, draft.contact, draft.owner
    row.last_checked = draft.last_checked


def add_entry(
    session: Session,
    draft: EntryDraft,
    status: Status,
    source: Source,
    now: datetime,
    suggested_by: str | None = None,
) -> Entry:
    row = DirectoryEntryRow(
        status=status.value, source=source.value, suggested_by=suggested_by,
        created_at=now, updated_at=now,
    )  # fmt: skip
    _write(row, draft)
    session.add(row)
    session.flush()
    fulltext.index_entry(session, row.id)
    return _entry(row)


def _today(now: datetime) -> date:
    return now.astimezone(LONDON).date()


def _approved(session: Session) -> list[Entry]:
    rows = session.scalars(
        select(DirectoryEntryRow)
        .where(DirectoryEntryRow.status == Status.APPROVED.value)
        .order_by(func.lower(DirectoryEntryRow.name), DirectoryEntryRow.id)
    )
    return [_entry(row) for row in rows]


def search_directory(db: Database, clock: Clock, words: str, limit: int = PAGE) -> DirectoryPage:
    """`directory [words]`: approved entries ranked by the forum's full-text search; without
    words, the first entries by name."""
    words = words.strip()[:300]
    approved = DirectoryEntryRow.status == Status.APPROVED.value
    with db.transaction() as session:
        if words:
            hits = fulltext.search(session, fulltext.DIRECTORY, words, limit)
            rows = session.scalars(
                select(DirectoryEntryRow).where(DirectoryEntryRow.id.in_(hits.ids), approved)
            )
            by_id = {row.id: _entry(row) for row in rows}
            found = [by_id[i] for i in hits.ids if i in by_id]
            total = hits.documents
        else:
            found = [_entry(row) for row in session.scalars(
                select(DirectoryEntryRow).where(approved)
                .order_by(func.lower(DirectoryEntryRow.name), DirectoryEntryRow.id).limit(limit)
            )]  # fmt: skip
            total = fulltext.documents(session, fulltext.DIRECTORY)
    return DirectoryPage("search", words, tuple(found), total, stale_before(_today(clock.now())))


def suggest_entry(
    db: Database, clock: Clock, member: Member, values: Mapping[str, object]
) -> Entry:
    """A member's suggestion from the card form: kept for the secretariat to approve."""
    draft = replace(draft_or_error(values), last_checked=None)
    with db.transaction() as session:
        return add_entry(
            session, draft, Status.SUGGESTED, Source.SUGGESTION, clock.now(), member.aad_object_id
        )


def _secretariat(member: Member) -> None:
    if not member.is_secretariat:
        raise NotAllowed("Only the forum's secretariat can approve and check directory entries.")


def _row(session: Session, entry_id: int) -> DirectoryEntryRow:
    row = session.get(DirectoryEntryRow, entry_id, with_for_update=True)
    if row is None:
        raise ForumError("That directory entry no longer exists.")
    return row


def approve_entry(
    db: Database,
    clock: Clock,
    member: Member,
    entry_id: int,
    values: Mapping[str, object] | None = None,
) -> Entry:
    """The secretariat approves a suggestion (with its edits, if given) or edits an entry;
    either way the entry counts as checked today."""
    _secretariat(member)
    draft = draft_or_error(values) if values is not None else None
    now = clock.now()
    with db.transaction() as session:
        row = _row(session, entry_id)
        if row.status == Status.DECLINED.value:
            raise ForumError("That suggestion was declined; suggest it again to reconsider it.")
        if draft is not None:
            _write(row, draft)
        row.status, row.last_checked, row.updated_at = Status.APPROVED.value, _today(now), now
        session.flush()
        fulltext.index_entry(session, row.id)
        return _entry(row)


def decline_entry(db: Database, clock: Clock, member: Member, entry_id: int) -> Entry:
    _secretariat(member)
    with db.transaction() as session:
        row = _row(session, entry_id)
        if row.status != Status.SUGGESTED.value:
            raise ForumError("Only a suggestion waiting for approval can be declined.")
        row.status, row.updated_at = Status.DECLINED.value, clock.now()
        fulltext.index_entry(session, row.id)
        return _entry(row)


def mark_checked(db: Database, clock: Clock, member: Member, entry_id: int) -> Entry:
    """The secretariat confirms an approved entry is still right."""
    return approve_entry(db, clock, member, entry_id)


def secretariat_list(
    db: Database, clock: Clock, member: Member, listing: str, most: int = PAGE
) -> DirectoryPage:
    """`directory pending` (suggestions to approve) or `directory unchecked` (approved entries
    not checked for 12 months), oldest first."""
    _secretariat(member)
    today = _today(clock.now())
    with db.transaction() as session:
        entries = _approved(session)
        if listing == "pending":
            rows = session.scalars(
                select(DirectoryEntryRow)
                .where(DirectoryEntryRow.status == Status.SUGGESTED.value)
                .order_by(DirectoryEntryRow.created_at, DirectoryEntryRow.id)
            )
            chosen = [_entry(row) for row in rows]
        else:
            chosen = _unchecked(entries, today)
    return DirectoryPage(listing, "", tuple(chosen[:most]), len(entries), stale_before(today))


def _unchecked(entries: list[Entry], today: date) -> list[Entry]:
    limit = stale_before(today)
    return sorted(
        (e for e in entries if e.draft.last_checked is None or e.draft.last_checked < limit),
        key=lambda e: (e.draft.last_checked or date.min, e.id),
    )


def unchecked_count(session: Session, now: datetime) -> int:
    """Approved entries not checked for 12 months (the quarterly report's figure)."""
    return len(_unchecked(_approved(session), _today(now)))


def add_takeaway(
    db: Database, clock: Clock, member: Member, title: str, summary: str, link: str = ""
) -> Entry:
    """A published takeaway as a best-practice example, in one click (the secretariat's)."""
    _secretariat(member)
    values = {"name": title, "kind": Kind.BEST_PRACTICE.value, "scope": Scope.PAN_LONDON.value,
              "offers": summary[: LIMITS["offers"]], "link": link, "owner": "the forum"}  # fmt: skip
    draft = replace(draft_or_error(values), last_checked=_today(clock.now()))
    with db.transaction() as session:
        return add_entry(session, draft, Status.APPROVED, Source.TAKEAWAY, clock.now())


@dataclass(frozen=True)
class ImportReport:
    added: int
    updated: int


DIRECTORY_FILE = CsvFile(
    "The directory file",
    ("name", "kind", "scope"),
    check_draft,
    key=lambda value: value.get("name", "").casefold() or None,
    key_column="name",
    most_lines=MAX_IMPORT_LINES,
)


def import_directory(db: Database, text: str, now: datetime) -> ImportReport:
    """Upsert approved entries by name (case-insensitive), all or nothing."""
    drafts = DIRECTORY_FILE.read(text)
    added = updated = 0
    with db.transaction() as session:
        existing = {
            row.name.casefold(): row
            for row in session.scalars(
                select(DirectoryEntryRow).where(DirectoryEntryRow.status != Status.DECLINED.value)
            )
        }
        for draft in drafts:
            row = existing.get(draft.name.casefold())
            if row is None:
                add_entry(session, draft, Status.APPROVED, Source.IMPORT, now)
                added += 1
            else:
                _write(row, draft)
                row.status, row.updated_at = Status.APPROVED.value, now
                fulltext.index_entry(session, row.id)
                updated += 1
    return ImportReport(added, updated)


def export_rows(entries: Iterable[Entry]) -> list[list[object]]:
    return [
        [e.draft.name, e.draft.kind.value, e.draft.scope.value, ";".join(e.draft.topics),
         e.draft.offers, e.draft.how_to_join, e.draft.link, e.draft.contact, e.draft.owner,
         e.draft.last_checked.isoformat() if e.draft.last_checked else ""]
        for e in entries
    ]  # fmt: skip


def export_directory(db: Database) -> bytes:
    """The approved entries as CSV in the import's columns (re-importable), injection-safe."""
    with db.transaction() as session:
        entries = _approved(session)
    return csv_bytes(CSV_COLUMNS, export_rows(entries))


def directory_counts(session: Session) -> dict[Kind, int]:
    """Approved entries by kind (the tracker's evidence for recommendations 4 and 5)."""
    rows = session.execute(
        select(DirectoryEntryRow.kind, func.count())
        .where(DirectoryEntryRow.status == Status.APPROVED.value)
        .group_by(DirectoryEntryRow.kind)
    )
    found = {Kind(kind): int(n) for kind, n in rows}
    return {kind: found.get(kind, 0) for kind in Kind}
