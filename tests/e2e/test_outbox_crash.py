"""kill -9 at any moment loses nothing; only messages in flight at the kill may go twice, and a
worker leases only what Teams' limits let it send in the next half second, so they are few."""

from __future__ import annotations

import signal
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from bot.testing import FakeConnector, forumbot_serve, wait_healthy
from forum_ops.db.schema import OutboxRow
from forum_ops.outbox.queue import Status
from forum_ops.outbox.ratelimit import SlidingWindows, Window
from tests.conftest import migrated
from tests.support.outboxing import put, settled

MESSAGES, CONVERSATIONS = 300, 50
FAST_SERVER = {
    "forum_outbox_lease_seconds": "2",
    "forum_outbox_poll_seconds": "0.05",
    "forum_outbox_backoff_seconds": "0.05",
    "forum_outbox_tenant_limits": "50/1",  # Teams' own limit
}
# What the limits let go in half a second from a standing start (5 at once, then 5 every
# 0.08 s: 35), plus a few being sent or recorded at the kill
LEASED_AT_MOST = SlidingWindows(Window.parse("50/1"), 0.02, burst=5).budget("", 0.0, 0.5, 64) + 5


async def test_a_worker_killed_mid_delivery_loses_nothing(
    tmp_path: Path, connector: FakeConnector
) -> None:
    url = f"sqlite:///{tmp_path / 'forum.db'}"
    db = migrated(url)
    for n in range(MESSAGES):
        put(db, connector, f"msg-{n:03d}", f"a:chat-{n % CONVERSATIONS}")

    with forumbot_serve(url, **FAST_SERVER) as (first, base):
        await wait_healthy(base, within=120)  # a loaded machine starts slowly
        await connector.wait_for_sent(int(MESSAGES * 0.3), within=60)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    delivered_before = len(connector.sent())
    with db.transaction() as session:
        in_flight = set(
            session.scalars(select(OutboxRow.key).where(OutboxRow.status == Status.SENDING.value))
        )

    with forumbot_serve(url, **FAST_SERVER) as (_second, base):
        await wait_healthy(base, within=120)  # a loaded machine starts slowly
        found = await settled(db, within=60)

    delivered = Counter(call.body["text"] for call in connector.sent() if call.body)
    duplicates = {key for key, n in delivered.items() if n > 1}
    print(
        f"\ncrash test: killed after {delivered_before} of {MESSAGES} deliveries; "
        f"{len(in_flight)} in flight at the kill; {len(duplicates)} delivered twice"
    )
    assert found[Status.SENT] == MESSAGES
    assert set(delivered) == {f"msg-{n:03d}" for n in range(MESSAGES)}  # nothing lost
    assert duplicates <= in_flight  # only what was in flight may go twice
    assert len(in_flight) <= LEASED_AT_MOST  # and that is only what goes in the next moment
    assert max(delivered.values()) <= 2
    db.dispose()
