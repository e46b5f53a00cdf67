"""Fan-out: 150 members 1:1 plus 5 channel posts through the outbox, against Teams' limits.

The fake connector enforces Teams' per-conversation limits (429 and a breach count on excess)
and answers a share of requests at random with 429 or 503, as a busy service does. The worker
runs in a real `forumbot serve`. Printed: delivered messages per second against the limit that
binds here (50 a second per app and tenant), requests per second, lost, duplicated, breaches.
Run on demand: `python bench/fanout.py [failure-rate] [runs] [throttle-seconds]`, the last being
the whole worker's pause after a 429 without Retry-After (default 0.25).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from bot.testing import (  # noqa: E402
    TEAMS_APP_LIMITS,
    TEAMS_LIMITS,
    FakeConnector,
    forumbot_serve,
    wait_healthy,
)
from forum_ops.conversations import ConversationPlace  # noqa: E402
from forum_ops.db import create_database, upgrade  # noqa: E402
from forum_ops.outbox import Outgoing, Status, counts, enqueue  # noqa: E402

MEMBERS, CHANNEL_POSTS, TENANT_LIMIT = 150, 5, 50.0
FAILURE_RATE = float(sys.argv[1]) if len(sys.argv) > 1 else 0.10
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
THROTTLE = sys.argv[3] if len(sys.argv) > 3 else None  # FORUM_OUTBOX_THROTTLE_SECONDS


def place(connector: FakeConnector, conversation_id: str, kind: str) -> ConversationPlace:
    reference = {
        "bot": {"id": "28:forum-bot"},
        "conversation": {"id": conversation_id, "conversationType": kind, "tenantId": "tenant"},
        "channelId": "msteams",
        "serviceUrl": connector.service_url,
    }
    return ConversationPlace(conversation_id, kind, "tenant", None, None, reference)


async def run_once(seed: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/fanout.db"
        db = create_database(url)
        upgrade(db)
        async with FakeConnector(
            limits=TEAMS_LIMITS, app_limits=TEAMS_APP_LIMITS, failure_rate=FAILURE_RATE, seed=seed
        ) as connector:
            settings = {"forum_outbox_throttle_seconds": THROTTLE} if THROTTLE is not None else {}
            with forumbot_serve(url, **settings) as (_server, base):
                await wait_healthy(base)
                now = datetime.now(UTC)
                with db.transaction() as session:
                    for n in range(MEMBERS):
                        enqueue(
                            session,
                            Outgoing(
                                f"m{n}",
                                "bench",
                                place(connector, f"a:member-{n}", "personal"),
                                {"type": "message", "text": f"m{n}"},
                            ),
                            now,
                        )
                    for n in range(CHANNEL_POSTS):
                        enqueue(
                            session,
                            Outgoing(
                                f"c{n}",
                                "bench",
                                place(connector, "19:forum@thread.tacv2", "channel"),
                                {"type": "message", "text": f"c{n}"},
                            ),
                            now,
                        )
                total = MEMBERS + CHANNEL_POSTS
                await connector.wait_for_sent(total, within=120)
                await asyncio.sleep(0.5)  # anything sent twice would arrive now
                with db.transaction() as session:
                    found = counts(session)
        db.dispose()
    delivered = Counter(c.body["text"] for c in connector.sent() if c.body)
    first, last = connector.attempts[0].at, max(a.at for a in connector.attempts if a.status == 200)
    elapsed = last - first
    rate = total / elapsed
    # the least time TENANT_LIMIT a second allows: bursts of 50 at 0 s, 1 s, 2 s, ...
    ideal = ((total - 1) // int(TENANT_LIMIT)) / 1.0
    failures = sum(1 for a in connector.attempts if a.status != 200)
    arrivals = [a.at for a in connector.attempts]
    busiest = max(sum(1 for t in arrivals if s <= t < s + 1.0) for s in arrivals)
    return (
        f"seed {seed}: {total} messages in {elapsed:5.2f} s = {rate:5.1f} msg/s "
        f"vs {TENANT_LIMIT:.0f}/s: {ideal / elapsed:6.1%} of what the limit allows "
        f"({ideal:.0f} s at best); requests {len(connector.attempts)} "
        f"({len(connector.attempts) / elapsed:5.1f}/s, {failures} refused); "
        f"lost {total - len(delivered)}, duplicated {sum(delivered.values()) - len(delivered)}, "
        f"limit breaches {connector.breaches}, dead {found[Status.DEAD]}; "
        f"most requests in any 1 s: {busiest}"
    )


async def main() -> None:
    print(
        f"fan-out: {MEMBERS} members 1:1 + {CHANNEL_POSTS} channel posts; "
        f"{FAILURE_RATE:.0%} of requests answered 429 or 503 at random; "
        f"pause after a 429 without Retry-After: {THROTTLE or '0.25 (the default)'} s"
    )
    for seed in range(RUNS):
        print(await run_once(seed), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
