"""Data versions (forum_ops/db/versions.py) on SQLite and PostgreSQL: a table's version rises
with every committed change to it, in the same transaction, whichever way the change is made;
what a piece of work reads and whether it wrote are noted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select, update

from forum_ops.db import Database
from forum_ops.db.schema import MeetingRow, MemberRow, ProcessedActivityRow
from forum_ops.db.versions import reading, versions

WHEN = datetime(2027, 1, 7, 10, tzinfo=UTC)


def stored(db: Database) -> dict[str, int]:
    with db.transaction() as session:
        return dict(versions(session.connection()))


def meeting(day: str) -> MeetingRow:
    return MeetingRow(
        day=day, starts_at=WHEN, minutes=90, theme="Transport", status="planned",
        origin="secretariat", created_at=WHEN, updated_at=WHEN,
    )  # fmt: skip


def test_each_commit_raises_the_versions_of_the_tables_it_changed(any_database: Database) -> None:
    before = stored(any_database)
    with any_database.transaction() as session:  # an ORM flush
        session.add(meeting("2027-01-07"))
    orm = stored(any_database)
    assert orm["meetings"] == before.get("meetings", 0) + 1
    assert {k: v for k, v in orm.items() if k != "meetings"} == before  # nothing else

    with any_database.transaction() as session:  # Core, two statements on the table: one rise
        session.execute(update(MeetingRow).values(theme="Travel"))
        session.execute(update(MeetingRow).values(minutes=60))
        session.execute(update(MemberRow).where(MemberRow.id < 0).values(name="x"))
    core = stored(any_database)
    assert core["meetings"] == orm["meetings"] + 1
    assert core["members"] == orm.get("members", 0) + 1  # ran, even if it matched no row


def test_a_rolled_back_change_and_bookkeeping_raise_nothing(any_database: Database) -> None:
    before = stored(any_database)

    def fails() -> None:
        with any_database.transaction() as session:
            session.add(meeting("2027-01-08"))
            session.flush()
            raise RuntimeError("the work failed")

    with pytest.raises(RuntimeError):
        fails()
    with any_database.transaction() as session:  # a turn's key: bookkeeping
        session.execute(insert(ProcessedActivityRow).values(key="k", received_at=WHEN))
    assert stored(any_database) == before


def test_what_work_reads_and_whether_it_writes_is_noted(any_database: Database) -> None:
    with reading() as reads, any_database.transaction() as session:
        session.scalars(select(MeetingRow).join(MemberRow, MemberRow.aad_object_id == MeetingRow.chair_aad)).all()  # fmt: skip
    assert reads.tables == {"meetings", "members"}
    assert reads.keepable

    with reading() as reads, any_database.transaction() as session:
        session.scalars(select(MeetingRow)).all()
        session.add(meeting("2027-01-09"))
    assert reads.wrote
    assert not reads.keepable

    with reading() as reads, any_database.transaction() as session:
        session.scalars(select(ProcessedActivityRow)).all()
    assert reads.volatile
    assert not reads.keepable

    with reading() as outside:
        pass
    with any_database.transaction() as session:  # work outside the block is not noted
        session.scalars(select(MeetingRow)).all()
    assert outside.tables == set()
