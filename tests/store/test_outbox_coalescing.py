"""Updates in place coalesce (issue 28): a card's queued update is replaced by a newer one, never
one a worker has claimed, and never so that an older update overtakes a newer. On SQLite and
PostgreSQL, including an enqueue racing a claim of the older update on two connections."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import select, text

from forum_ops.db import Database
from forum_ops.db.schema import OutboxRow
from forum_ops.outbox.queue import (
    Operation,
    Outgoing,
    Status,
    claim,
    counts,
    enqueue,
    mark_retry,
    mark_sent,
    release,
)
from tests.conftest import NOW
from tests.store.test_outbox_store import LEASE, place


def card(n: int = 0, key: str = "tor:1:channel") -> Outgoing:
    return Outgoing(key, "vote", place(n), {"type": "message", "text": "the ballot"})


def update(key: str, n: int = 0, target: str = "tor:1:channel") -> Outgoing:
    activity = {"type": "message", "text": key}
    return Outgoing(key, "vote", place(n), activity, Operation.UPDATE, target)


def sent_card(db: Database, *cards: Outgoing) -> None:
    """The cards the updates change, sent (an update needs its message's activity id)."""
    with db.transaction() as session:
        for c in cards:
            enqueue(session, c, NOW)
        for claimed in claim(session, "w0", NOW, 10, LEASE):
            mark_sent(session, claimed.id, "w0", NOW, f"activity-{claimed.key}")


def statuses(db: Database) -> dict[str, str]:
    with db.transaction() as session:
        rows = session.execute(select(OutboxRow.key, OutboxRow.status)).all()
        return {key: status for key, status in rows}  # noqa: C416 - Row is not a pair to mypy


def test_an_update_replaces_the_same_cards_queued_updates_in_its_conversation_only(
    any_database: Database,
) -> None:
    sent_card(any_database, card(0), card(1, "tor:1:member:x"), card(0, "ask:7:channel"))
    with any_database.transaction() as session:
        for n in range(1, 4):
            enqueue(session, update(f"tor:1:tally:{n}"), NOW)
        enqueue(session, update("ask:7:update:answered", target="ask:7:channel"), NOW)
        enqueue(session, update("tor:1:member:x:tally", 1, "tor:1:member:x"), NOW)
        enqueue(session, update("tor:1:tally:4"), NOW)
    with any_database.transaction() as session:
        claimed = claim(session, "w1", NOW, 10, LEASE)
        found = counts(session)
        superseded = session.scalars(
            select(OutboxRow.last_error).where(OutboxRow.status == Status.SUPERSEDED.value)
        ).all()
    # the newest of the tally's updates goes; another card's, another conversation's stay
    assert [c.key for c in claimed] == [
        "ask:7:update:answered",
        "tor:1:member:x:tally",
        "tor:1:tally:4",
    ]
    assert claimed[-1].activity["text"] == "tor:1:tally:4"
    assert claimed[-1].target_activity_id == "activity-tor:1:channel"
    assert found[Status.SUPERSEDED] == 3
    assert set(superseded) == {"replaced by tor:1:tally:2", "replaced by tor:1:tally:3",
                               "replaced by tor:1:tally:4"}  # fmt: skip


def test_a_claimed_update_is_left_to_go_first_and_the_newer_goes_after_it(
    any_database: Database,
) -> None:
    sent_card(any_database, card())
    with any_database.transaction() as session:
        enqueue(session, update("tor:1:tally:1"), NOW)
    with any_database.transaction() as session:
        [older] = claim(session, "w1", NOW, 10, LEASE)
    with any_database.transaction() as session:
        enqueue(session, update("tor:1:tally:2"), NOW)
        enqueue(session, update("tor:1:tally:3"), NOW)
    assert statuses(any_database)["tor:1:tally:1"] == Status.SENDING
    with any_database.transaction() as session:
        assert claim(session, "w2", NOW, 10, LEASE) == []  # its conversation is w1's for now
        assert claim(session, "w1", NOW, 10, LEASE) == []  # queued, replaceable, till it is sent
        mark_sent(session, older.id, "w1", NOW, "activity-tor:1:channel")
    with any_database.transaction() as session:
        [newer] = claim(session, "w2", NOW, 10, LEASE)
    assert (older.key, newer.key) == ("tor:1:tally:1", "tor:1:tally:3")


def test_an_update_given_back_unsent_goes_no_more_when_a_newer_one_is_queued(
    any_database: Database,
) -> None:
    sent_card(any_database, card())
    with any_database.transaction() as session:
        enqueue(session, update("tor:1:tally:1"), NOW)
        enqueue(session, update("other", 1, "tor:1:member:x"), NOW)
    with any_database.transaction() as session:
        first, other = claim(session, "w1", NOW, 10, LEASE)
        enqueue(session, update("tor:1:tally:2"), NOW)
    with any_database.transaction() as session:
        release(session, first.id, "w1", NOW, NOW)  # the limits said later
        mark_retry(session, other.id, "w1", NOW, NOW, "503")  # nothing newer: retried
    with any_database.transaction() as session:
        again = claim(session, "w1", NOW, 10, LEASE)
    assert [c.key for c in again] == ["other", "tor:1:tally:2"]
    assert statuses(any_database)["tor:1:tally:1"] == Status.SUPERSEDED


def test_an_update_enqueued_while_a_worker_claims_the_older_one_is_not_lost(
    any_database: Database,
) -> None:
    """The claim holds the older update's row (its lock on PostgreSQL, the write lock on
    SQLite) while the enqueue runs on another connection: the enqueue waits, then finds the
    older update claimed, leaves it, and its own update stays queued to go after it."""
    sent_card(any_database, card())
    with any_database.transaction() as session:
        enqueue(session, update("tor:1:tally:1"), NOW)
    enqueued = threading.Event()

    def enqueue_newer() -> None:
        with any_database.transaction() as session:
            enqueue(session, update("tor:1:tally:2"), NOW)
        enqueued.set()

    postgres = any_database.engine.dialect.name == "postgresql"
    with any_database.transaction() as claiming:
        [older] = claim(claiming, "w1", NOW, 10, LEASE)
        newer = threading.Thread(target=enqueue_newer)
        newer.start()
        if postgres:  # the enqueue's UPDATE is waiting for the claimed row's lock
            _until_a_lock_is_waited_for(any_database)
        assert not enqueued.is_set()
    newer.join(30)
    assert enqueued.is_set()
    found = statuses(any_database)
    assert (found["tor:1:tally:1"], found["tor:1:tally:2"]) == (Status.SENDING, Status.QUEUED)
    with any_database.transaction() as session:
        mark_sent(session, older.id, "w1", NOW, "activity-tor:1:channel")
        [after] = claim(session, "w1", NOW + timedelta(seconds=1), 10, LEASE)
    assert after.key == "tor:1:tally:2"


def _until_a_lock_is_waited_for(db: Database, within: float = 20.0) -> None:
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with db.engine.connect() as connection:
            if connection.execute(waiting).scalar_one():
                return
        time.sleep(0.02)
    raise AssertionError("the enqueue never waited for the claimed row")
