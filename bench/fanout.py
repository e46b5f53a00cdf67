"""Fan-out: 150 members 1:1 plus 5 channel posts through the outbox, against Teams' limits.

The fake connector enforces Teams' per-conversation and per-app limits on the messages it accepts
(429 and a breach count on excess) and answers a share of requests at random with 429 or 503, as
a busy service does. The worker runs in a real `forumbot serve`. Printed per run: delivered
messages per second against the limit that binds here (50 a second per app and tenant), the same
against the best schedule that limit allows (bursts of 50 at 0, 1, 2 and 3 s: 3 s for 155), the
requests, lost, duplicated, breaches; then the median and the worst run.
Run on demand: `python bench/fanout.py [failure-rate] [runs] [setting=value ...]`, the settings
passed to the server, e.g. `forum_outbox_count_refused=true` or `forum_outbox_throttle_seconds=0.1`.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
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
from forum_ops.db import create_database  # noqa: E402
from forum_ops.install import upgrade  # noqa: E402
from forum_ops.outbox.conversations import ConversationPlace  # noqa: E402
from forum_ops.outbox.queue import Outgoing, Status, counts, enqueue  # noqa: E402

MEMBERS, CHANNEL_POSTS, TENANT_LIMIT = 150, 5, 50.0
FAILURE_RATE = float(sys.argv[1]) if len(sys.argv) > 1 else 0.10
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 10
SETTINGS = dict(arg.split("=", 1) for arg in sys.argv[3:])


def place(connector: FakeConnector, conversation_id: str, kind: str) -> ConversationPlace:
    reference = {
        "bot": {"id": "28:forum-bot"},
        "conversation": {"id": conversation_id, "conversationType": kind, "tenantId": "tenant"},
        "channelId": "msteams",
        "serviceUrl": connector.service_url,
    }
    return ConversationPlace(conversation_id, kind, "tenant", None, None, reference)


@dataclass(frozen=True)
class Run:
    of_limit: float  # delivered messages per second / the limit
    of_best: float  # the best schedule's time / this run's time
    lost: int
    duplicated: int
    breaches: int
    line: str


async def run_once(seed: int) -> Run:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/fanout.db"
        db = create_database(url)
        upgrade(db)
        async with FakeConnector(
            limits=TEAMS_LIMITS, app_limits=TEAMS_APP_LIMITS, failure_rate=FAILURE_RATE, seed=seed
        ) as connector:
            with forumbot_serve(url, **SETTINGS) as (_server, base):
                await wait_healthy(base, within=120)
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
    best = ((total - 1) // int(TENANT_LIMIT)) / 1.0  # bursts of 50 at 0 s, 1 s, 2 s, ...
    refused = sum(1 for a in connector.attempts if a.status != 200)
    arrivals = [a.at for a in connector.attempts]
    busiest = max(sum(1 for t in arrivals if s <= t < s + 1.0) for s in arrivals)
    lost, duplicated = total - len(delivered), sum(delivered.values()) - len(delivered)
    line = (
        f"seed {seed}: {total} messages in {elapsed:4.2f} s = {rate:4.1f} msg/s = "
        f"{rate / TENANT_LIMIT:6.1%} of {TENANT_LIMIT:.0f}/s, {best / elapsed:6.1%} of the best "
        f"schedule ({best:.0f} s); requests {len(connector.attempts)} ({refused} refused, "
        f"at most {busiest} in a second); lost {lost}, duplicated {duplicated}, "
        f"limit breaches {connector.breaches}, dead {found[Status.DEAD]}"
    )
    return Run(rate / TENANT_LIMIT, best / elapsed, lost, duplicated, connector.breaches, line)


async def main() -> None:
    print(
        f"fan-out: {MEMBERS} members 1:1 + {CHANNEL_POSTS} channel posts; "
        f"{FAILURE_RATE:.0%} of requests answered 429 or 503 at random; {RUNS} runs"
        + "".join(f"; {name}={value}" for name, value in SETTINGS.items())
    )
    runs = []
    for seed in range(RUNS):
        runs.append(await run_once(seed))
        print(runs[-1].line, flush=True)
    of_limit, of_best = [r.of_limit for r in runs], [r.of_best for r in runs]
    print(
        f"of the limit: median {statistics.median(of_limit):.1%}, worst {min(of_limit):.1%}; "
        f"of the best schedule: median {statistics.median(of_best):.1%}, "
        f"worst {min(of_best):.1%}; lost {sum(r.lost for r in runs)}, "
        f"duplicated {sum(r.duplicated for r in runs)}, breaches {sum(r.breaches for r in runs)}"
    )


if __name__ == "__main__":
    asyncio.run(main())
