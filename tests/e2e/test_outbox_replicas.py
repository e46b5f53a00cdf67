"""Two app processes against one PostgreSQL database never send the same message."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import select

from bot.testing import FakeConnector, forumbot_serve, wait_healthy
from forum_ops.db.schema import OutboxRow
from forum_ops.outbox.queue import Status
from tests.conftest import migrated, postgres_database
from tests.support.outboxing import put, settled

MESSAGES, CONVERSATIONS = 1000, 100
SERVER = {
    "forum_outbox_poll_seconds": "0.05",
    "forum_outbox_tenant_limits": "150/1",
}


async def test_two_replicas_deliver_each_message_exactly_once(connector: FakeConnector) -> None:
    with postgres_database() as url:
        db = migrated(url)
        with (
            forumbot_serve(url, **SERVER) as (_one, first),
            forumbot_serve(url, **SERVER) as (_two, second),
        ):
            await asyncio.gather(wait_healthy(first), wait_healthy(second))
            for n in range(MESSAGES):  # enqueued while both workers are polling
                put(db, connector, f"msg-{n:04d}", f"a:chat-{n % CONVERSATIONS}")
            found = await settled(db, within=120)
        with db.transaction() as session:
            by_worker = Counter(session.scalars(select(OutboxRow.sent_by)))
        db.dispose()

    delivered = Counter(call.body["text"] for call in connector.sent() if call.body)
    assert found[Status.SENT] == MESSAGES
    assert set(delivered) == {f"msg-{n:04d}" for n in range(MESSAGES)}
    assert max(delivered.values()) == 1
    assert len(by_worker) == 2  # both replicas delivered a share
    print(f"\nreplicas: {sorted(by_worker.values())} messages each")
