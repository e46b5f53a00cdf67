"""Storage on SQLite and PostgreSQL: migrations match the models, times stay aware, turns dedupe."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from forum_ops.conversations import ConversationPlace, find_conversation, remember_conversation
from forum_ops.db import Database
from forum_ops.db.schema import Base, ConversationRow
from forum_ops.turns import activity_key, begin_turn, forget_old_activities, start_turn
from tests.conftest import CAMDEN, NOW


def test_the_migrations_build_exactly_the_models_schema(any_database: Database) -> None:
    with any_database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_a_redelivered_activity_is_seen_as_a_duplicate(any_database: Database) -> None:
    key = activity_key("msteams", "19:abc@thread.tacv2", "1759944781430")

    first = start_turn(any_database, key, CAMDEN, NOW)
    second = start_turn(any_database, key, CAMDEN, NOW + timedelta(seconds=5))

    assert first.duplicate is False
    assert first.member is not None
    assert first.member.name == "Priya Shah"
    assert second.duplicate is True


def test_a_redelivery_racing_the_first_counts_as_a_duplicate(any_database: Database) -> None:
    """The first delivery has recorded the key but not committed when the redelivery arrives on
    another thread: the redelivery waits for the lock, then loses on the key."""
    key = activity_key("msteams", "19:abc@thread.tacv2", "race")
    recorded, results = threading.Event(), []

    def redelivery() -> None:
        recorded.wait()
        results.append(start_turn(any_database, key, CAMDEN, NOW))

    racer = threading.Thread(target=redelivery)
    racer.start()
    with any_database.transaction() as session:
        assert begin_turn(session, key, CAMDEN, NOW).duplicate is False
        recorded.set()
        time.sleep(0.3)  # the redelivery is now waiting on the first's uncommitted key
    racer.join(10)

    assert [r.duplicate for r in results] == [True]


def test_old_activity_keys_are_forgotten(any_database: Database) -> None:
    start_turn(any_database, "old", None, NOW - timedelta(days=3))
    start_turn(any_database, "new", None, NOW)
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
