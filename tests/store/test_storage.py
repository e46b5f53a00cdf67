"""Storage on SQLite and PostgreSQL: migrations match the models, times stay aware, turns dedupe."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import TypeVar

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event, text

from forum_ops.db import Database
from forum_ops.db.engine import TURN
from forum_ops.db.schema import Base, ConversationRow
from forum_ops.outbox.conversations import (
    ConversationPlace,
    find_conversation,
    remember_conversation,
)
from forum_ops.turns import (
    Redelivered,
    TurnLedger,
    activity_key,
    claim_answer,
    forget_old_activities,
    given_answer,
    record_key,
    start_turn,
)
from tests.conftest import CAMDEN, NOW

T = TypeVar("T")


def test_the_migrations_build_exactly_the_models_schema(any_database: Database) -> None:
    with any_database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def _place(n: int) -> ConversationPlace:
    return ConversationPlace(f"19:c{n}@thread.tacv2", "channel", "t", None, "team", {"n": n})


def _as_turn(ledger: TurnLedger, work: Callable[[], T]) -> T:
    """`work` as the bot runs a turn's work: with the turn's ledger as the database's hook."""
    token = TURN.set(ledger)
    try:
        return work()
    finally:
        TURN.reset(token)


def _change(database: Database, n: int, fail: bool = False) -> None:
    with database.transaction() as session:
        remember_conversation(session, _place(n), NOW)
        if fail:
            raise RuntimeError("killed before the commit")


def _conversations(database: Database) -> int:
    with database.transaction() as session:
        return session.query(ConversationRow).count()


def test_a_redelivered_activity_is_seen_as_a_duplicate(any_database: Database) -> None:
    key = activity_key("msteams", "19:abc@thread.tacv2", "1759944781430")

    first = start_turn(any_database, key, CAMDEN, NOW)
    _as_turn(TurnLedger(key, NOW), lambda: _change(any_database, 1))  # the key goes with it
    second = start_turn(any_database, key, CAMDEN, NOW + timedelta(seconds=5))

    assert first.duplicate is False
    assert first.member is not None
    assert first.member.name == "Priya Shah"
    assert second.duplicate is True


def test_the_key_commits_with_the_turns_first_change_and_not_before(
    any_database: Database,
) -> None:
    """A turn that reads and then dies before its change commits leaves no key: the
    redelivery runs again. Reading alone records nothing; the change and the key commit as one."""
    key = activity_key("msteams", "19:abc@thread.tacv2", "killed")
    ledger = TurnLedger(key, NOW)
    assert start_turn(any_database, key, CAMDEN, NOW).duplicate is False
    _as_turn(ledger, lambda: _conversations(any_database))  # a read
    with pytest.raises(RuntimeError):
        _as_turn(ledger, lambda: _change(any_database, 1, fail=True))
    assert start_turn(any_database, key, CAMDEN, NOW).duplicate is False
    assert _conversations(any_database) == 0

    again = TurnLedger(key, NOW)
    _as_turn(again, lambda: _change(any_database, 1))
    _as_turn(again, lambda: _change(any_database, 2))  # a second change of the same turn
    assert start_turn(any_database, key, CAMDEN, NOW).duplicate is True
    assert _conversations(any_database) == 2
    assert again.recorded


def waiting_for_the_first(database: Database, issued: threading.Event) -> None:
    """Until the other thread's write waits on this one's transaction: on SQLite, once it has
    issued a write (the database's one write lock); on PostgreSQL, once the server shows a
    session waiting on a lock (the key's row)."""
    assert issued.wait(20)
    if database.engine.dialect.name != "postgresql":
        return
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with database.engine.connect() as connection:
            if connection.scalar(query):
                return
        time.sleep(0.02)
    raise AssertionError("the redelivery never waited on the key")


def test_a_redelivery_racing_the_first_changes_nothing(any_database: Database) -> None:
    """The first delivery has written its change and key but not committed when the redelivery
    on another thread makes the same change: it waits for the key, loses, and is rolled back."""
    key = activity_key("msteams", "19:abc@thread.tacv2", "race")
    written, outcome = threading.Event(), []

    def redelivery() -> None:
        written.wait()
        try:
            _as_turn(TurnLedger(key, NOW), lambda: _change(any_database, 2))
            outcome.append("committed")
        except Redelivered:
            outcome.append("redelivered")

    racer = threading.Thread(target=redelivery)
    issued = threading.Event()  # the redelivery's first write (SQLite waits for the lock there)

    def watch(_conn: object, statement: object, *_: object) -> None:
        # before the statement reaches the cursor: SQLite's writers of one process wait for
        # their turn there (forum_ops/db/engine.py)
        if threading.current_thread() is racer and getattr(statement, "is_insert", False):
            issued.set()

    event.listen(any_database.engine, "before_execute", watch)
    racer.start()
    with any_database.transaction() as session:
        remember_conversation(session, _place(1), NOW)
        assert record_key(session, key, NOW)
        written.set()
        waiting_for_the_first(any_database, issued)  # the redelivery now waits on the key
    racer.join(20)
    event.remove(any_database.engine, "before_execute", watch)

    assert outcome == ["redelivered"]
    assert _conversations(any_database) == 1


def test_a_replayed_turn_changes_nothing_and_reads_what_it_wrote(any_database: Database) -> None:
    key = activity_key("msteams", "19:abc@thread.tacv2", "replay")

    def change_and_read() -> int:
        with any_database.transaction() as session:
            remember_conversation(session, _place(3), NOW)
            session.flush()
            return session.query(ConversationRow).count()

    assert _as_turn(TurnLedger(key, NOW, replaying=True), change_and_read) == 1
    assert _conversations(any_database) == 0
    assert start_turn(any_database, key, CAMDEN, NOW).duplicate is False


def test_an_answer_is_claimed_once_and_kept(any_database: Database) -> None:
    key = activity_key("msteams", "19:abc@thread.tacv2", "answer")
    card = {"status": 200, "body": {"type": "application/vnd.microsoft.card.adaptive"}}
    assert claim_answer(any_database, key, NOW, card) is True
    assert claim_answer(any_database, key, NOW, {"status": 200, "body": {}}) is False
    assert given_answer(any_database, key) == card
    seen = start_turn(any_database, key, CAMDEN, NOW)
    assert (seen.duplicate, seen.answered, seen.response) == (True, True, card)


def test_old_activity_keys_are_forgotten(any_database: Database) -> None:
    with any_database.transaction() as session:
        record_key(session, "old", NOW - timedelta(days=3))
        record_key(session, "new", NOW)
    with any_database.transaction() as session:
        assert forget_old_activities(session, NOW) == 1
    assert start_turn(any_database, "new", None, NOW).duplicate is True
    assert start_turn(any_database, "old", None, NOW).duplicate is False


def test_times_come_back_aware_and_in_utc(any_database: Database) -> None:
    london_summer = datetime(2026, 7, 9, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    place = ConversationPlace("19:general@thread.tacv2", "channel", "t", None, "team", {"a": 1})
    with any_database.transaction() as session:
        remember_conversation(session, place, london_summer)
    with any_database.transaction() as session:
        row = session.query(ConversationRow).one()
        assert row.updated_at == london_summer
        assert row.updated_at.tzinfo is not None
        assert row.updated_at.utcoffset() == timedelta(0)
        assert find_conversation(session, "19:general@thread.tacv2") == place


def test_naive_times_are_refused(any_database: Database) -> None:
    place = ConversationPlace("19:x@thread.tacv2", "channel", "t", None, None, {})
    with (
        pytest.raises(Exception, match="naive datetimes are not stored"),
        any_database.transaction() as session,
    ):
        remember_conversation(session, place, datetime(2026, 1, 22, 10, 0))  # noqa: DTZ001
    assert UTC  # imported for readers: stored times are UTC
