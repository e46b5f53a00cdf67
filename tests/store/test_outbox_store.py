"""The outbox's storage on SQLite and PostgreSQL: idempotent enqueue, leases, exclusive claims."""

from __future__ import annotations

import threading
from datetime import timedelta

from forum_ops.db import Database
from forum_ops.outbox.conversations import ConversationPlace
from forum_ops.outbox.queue import (
    Outgoing,
    Status,
    claim,
    counts,
    dead_letters,
    enqueue,
    mark_dead,
    mark_retry,
    mark_sent,
    release,
)
from tests.conftest import NOW

LEASE = timedelta(seconds=30)


def place(n: int) -> ConversationPlace:
    return ConversationPlace(
        f"a:chat-{n}", "personal", "tenant", None, None, {"conversation": {"id": f"a:chat-{n}"}}
    )


def message(key: str, n: int = 0) -> Outgoing:
    return Outgoing(key, "test", place(n), {"type": "message", "text": key})


def fill(db: Database, count: int, conversations: int = 1) -> None:
    with db.transaction() as session:
        for i in range(count):
            enqueue(session, message(f"m{i}", i % conversations), NOW)


def test_enqueueing_a_key_twice_stores_one_message(any_database: Database) -> None:
    with any_database.transaction() as session:
        assert enqueue(session, message("agenda:2026-01-22:org-202"), NOW) is True
        assert enqueue(session, message("agenda:2026-01-22:org-202"), NOW) is False
    with any_database.transaction() as session:
        assert enqueue(session, message("agenda:2026-01-22:org-202"), NOW) is False
        assert counts(session)[Status.QUEUED] == 1


def test_a_message_enqueued_in_a_failed_transaction_is_not_stored(any_database: Database) -> None:
    try:
        with any_database.transaction() as session:
            enqueue(session, message("m"), NOW)
            raise RuntimeError("the domain change failed")
    except RuntimeError:
        pass
    with any_database.transaction() as session:
        assert counts(session)[Status.QUEUED] == 0


def test_claims_lease_oldest_first_and_outcomes_need_the_lease(any_database: Database) -> None:
    fill(any_database, 3)
    with any_database.transaction() as session:
        claimed = claim(session, "w1", NOW, 2, LEASE)
    assert [c.key for c in claimed] == ["m0", "m1"]
    assert [c.attempts for c in claimed] == [1, 1]
    with any_database.transaction() as session:
        assert mark_sent(session, claimed[0].id, "w2", NOW, "x") is False  # not w2's lease
        assert mark_sent(session, claimed[0].id, "w1", NOW, "activity-9") is True
        assert (
            mark_retry(session, claimed[1].id, "w1", NOW, NOW + timedelta(seconds=5), "503") is True
        )
        assert counts(session) == {
            Status.QUEUED: 2,
            Status.SENDING: 0,
            Status.SENT: 1,
            Status.FAILED: 0,
            Status.DEAD: 0,
            Status.SUPERSEDED: 0,
        }


def test_a_retry_falling_due_goes_before_messages_written_after_it(
    any_database: Database,
) -> None:
    fill(any_database, 3)
    with any_database.transaction() as session:
        [first] = claim(session, "w1", NOW, 1, LEASE)
        mark_retry(session, first.id, "w1", NOW, NOW + timedelta(seconds=1), "503")
    with any_database.transaction() as session:
        claimed = claim(session, "w1", NOW + timedelta(seconds=1), 2, LEASE)
    assert [c.key for c in claimed] == ["m0", "m1"]


def test_a_retry_waits_for_its_time_and_counts_its_attempts(any_database: Database) -> None:
    fill(any_database, 1)
    with any_database.transaction() as session:
        [first] = claim(session, "w1", NOW, 5, LEASE)
        mark_retry(session, first.id, "w1", NOW, NOW + timedelta(seconds=10), "429")
    with any_database.transaction() as session:
        assert claim(session, "w1", NOW + timedelta(seconds=9), 5, LEASE) == []
        [again] = claim(session, "w1", NOW + timedelta(seconds=10), 5, LEASE)
    assert again.attempts == 2


def test_a_released_message_keeps_its_attempt_count(any_database: Database) -> None:
    fill(any_database, 1)
    with any_database.transaction() as session:
        [first] = claim(session, "w1", NOW, 5, LEASE)
        release(session, first.id, "w1", NOW, NOW + timedelta(seconds=1))
    with any_database.transaction() as session:
        [again] = claim(session, "w1", NOW + timedelta(seconds=1), 5, LEASE)
    assert again.attempts == 1


def test_a_dead_workers_messages_are_claimed_again_after_its_lease(any_database: Database) -> None:
    fill(any_database, 2, conversations=1)
    with any_database.transaction() as session:
        claim(session, "dead-worker", NOW, 5, LEASE)
    with any_database.transaction() as session:
        assert claim(session, "w2", NOW + timedelta(seconds=29), 5, LEASE) == []  # still leased
        again = claim(session, "w2", NOW + timedelta(seconds=31), 5, LEASE)
    assert [c.key for c in again] == ["m0", "m1"]


def test_a_conversation_leased_to_one_worker_is_not_claimed_by_another(
    any_database: Database,
) -> None:
    fill(any_database, 1, conversations=1)
    with any_database.transaction() as session:
        [held] = claim(session, "w1", NOW, 1, LEASE)
        enqueue(session, message("later", 0), NOW)  # same conversation
        enqueue(session, message("other", 1), NOW)  # another conversation
    with any_database.transaction() as session:
        assert [c.key for c in claim(session, "w2", NOW, 5, LEASE)] == ["other"]
        assert [c.key for c in claim(session, "w1", NOW, 5, LEASE)] == ["later"]
    assert held.key == "m0"


def test_dead_letters_are_listed_newest_first(any_database: Database) -> None:
    fill(any_database, 2, conversations=2)
    with any_database.transaction() as session:
        first, second = claim(session, "w1", NOW, 5, LEASE)
        mark_dead(session, first.id, "w1", NOW, "503 after 6 attempts")
        mark_dead(session, second.id, "w1", NOW + timedelta(seconds=1), "504 after 6 attempts")
    with any_database.transaction() as session:
        letters = dead_letters(session)
    assert [(d.key, d.last_error) for d in letters] == [
        ("m1", "504 after 6 attempts"),
        ("m0", "503 after 6 attempts"),
    ]


def test_concurrent_claimers_never_share_a_message(any_database: Database) -> None:
    fill(any_database, 300, conversations=300)
    taken: dict[str, list[str]] = {"w1": [], "w2": [], "w3": []}

    def worker(owner: str) -> None:
        while True:
            with any_database.transaction() as session:
                batch = claim(session, owner, NOW, 7, LEASE)
                for c in batch:
                    mark_sent(session, c.id, owner, NOW, None)
            if not batch:
                return
            taken[owner] += [c.key for c in batch]

    threads = [threading.Thread(target=worker, args=(owner,)) for owner in taken]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    everything = [key for keys in taken.values() for key in keys]
    assert sorted(everything) == sorted(f"m{i}" for i in range(300))
    assert len(set(everything)) == 300


def test_an_installation_is_remembered_and_welcomed_once(any_database: Database) -> None:
    from forum_ops.outbox.conversations import find_conversation
    from forum_ops.outbox.installation import installed

    team = place(7)
    with any_database.transaction() as session:
        assert (
            installed(session, team, {"type": "message", "text": "welcome"}, "install-1", NOW)
            is True
        )
    with any_database.transaction() as session:  # the same installation event again
        assert (
            installed(session, team, {"type": "message", "text": "welcome"}, "install-1", NOW)
            is False
        )
        assert find_conversation(session, team.conversation_id) == team
        assert counts(session)[Status.QUEUED] == 1


def test_a_failed_installation_leaves_neither_conversation_nor_welcome(
    any_database: Database,
) -> None:
    from forum_ops.outbox.conversations import find_conversation
    from forum_ops.outbox.installation import installed

    try:
        with any_database.transaction() as session:
            installed(session, place(8), {"type": "message"}, "install-2", NOW)
            raise RuntimeError("something after it failed")
    except RuntimeError:
        pass
    with any_database.transaction() as session:
        assert find_conversation(session, place(8).conversation_id) is None
        assert counts(session)[Status.QUEUED] == 0
