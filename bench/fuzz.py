"""The long endpoint fuzz: N hostile activities against a real `forumbot serve`, status counts.

The server runs as its own process (SQLite, the forum's members and a small synthetic set of
returns, auth off so that cases reach the handlers); this process plays the Bot Connector
(bot.testing.FakeConnector receives the replies). The cases are tests/support/fuzzing.py's, the same as
the fuzz in the test suite, drawn by hypothesis. Printed: how many cases were sent, the count of
each status code (any 5xx, or a connection the server dropped, is a failure), and whether
/healthz and the process are still up. Exits 1 on any failure.

    python bench/fuzz.py [cases=20000] [seconds=900] [concurrency=8]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import aiohttp
from hypothesis import HealthCheck, Phase, given, settings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analytics.returns_synthetic import synthetic_returns  # noqa: E402
from bot.testing import FakeConnector, forumbot_serve, wait_healthy  # noqa: E402
from forum_ops.members.reference import LOCAL_AUTHORITIES  # noqa: E402
from forum_ops.returns.service import Submission, replace_return  # noqa: E402
from tests.conftest import NOW, TENANT, migrated  # noqa: E402
from tests.support.fuzzing import base_activities, cases  # noqa: E402

CASES = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 900.0
CONCURRENCY = int(sys.argv[3]) if len(sys.argv) > 3 else 8
PLACEHOLDER = "http://127.0.0.1:9/"


def draw(count: int) -> list[bytes]:
    """`count` cases drawn by hypothesis (generation only: nothing to shrink here)."""
    drawn: list[bytes] = []

    @settings(
        max_examples=count,
        phases=[Phase.generate],
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(cases(base_activities(PLACEHOLDER, TENANT)))
    def collect(case: bytes) -> None:
        drawn.append(case)

    collect()
    return drawn


def prepare(url: str) -> None:
    db = migrated(url)
    returns = synthetic_returns([la.code for la in LOCAL_AUTHORITIES], total=300).placements
    with db.transaction() as session:
        for borough, frame in returns.groupby("borough"):
            replace_return(session, Submission(str(borough), "2025-26", "fuzz", "x"), frame, NOW)
    db.dispose()


BATCH = 1000


async def main() -> int:
    statuses: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/fuzz.db"
        prepare(url)
        async with FakeConnector() as connector:
            with forumbot_serve(
                url,
                forum_allowed_tenants=TENANT,
                forum_openid_metadata_url=connector.metadata_url,
                forum_public_url="http://127.0.0.1:3978",
            ) as (process, base):
                await wait_healthy(base, within=120)
                started = time.monotonic()
                deadline = started + SECONDS
                limit = aiohttp.TCPConnector(limit=CONCURRENCY)
                async with aiohttp.ClientSession(connector=limit) as http:

                    async def worker(queue: Iterator[bytes]) -> None:
                        for body in queue:
                            if time.monotonic() > deadline:
                                return
                            try:
                                async with http.post(
                                    base + "/api/messages",
                                    data=body,
                                    headers={"Content-Type": "application/json"},
                                ) as response:
                                    await response.read()
                                    statuses[str(response.status)] += 1
                            except aiohttp.ClientError as error:
                                statuses[type(error).__name__] += 1

                    # drawn and sent a batch at a time, so a run bounded in time still reports
                    next_batch = asyncio.create_task(asyncio.to_thread(draw, min(BATCH, CASES)))
                    while sum(statuses.values()) < CASES and time.monotonic() < deadline:
                        batch = await next_batch
                        next_batch = asyncio.create_task(asyncio.to_thread(draw, BATCH))
                        real = connector.service_url.encode()
                        left = CASES - sum(statuses.values())
                        queue = iter([b.replace(PLACEHOLDER.encode(), real) for b in batch][:left])
                        await asyncio.gather(*(worker(queue) for _ in range(CONCURRENCY)))
                        print(f"{sum(statuses.values())} sent: {dict(statuses)}", flush=True)
                    next_batch.cancel()
                    elapsed = time.monotonic() - started
                    async with http.get(base + "/healthz") as health:
                        healthy = health.status == 200
                alive = process.poll() is None
    sent = sum(statuses.values())
    print(f"{sent} cases sent in {elapsed:.0f} s at concurrency {CONCURRENCY}")
    for status, count in sorted(statuses.items()):
        print(f"  {status}: {count}")
    failures = sum(n for s, n in statuses.items() if not s.isdigit() or int(s) >= 500)
    print(
        f"5xx or dropped: {failures}; /healthz after: {'200' if healthy else 'DOWN'}; "
        f"server process {'alive' if alive else 'DEAD'}"
    )
    return 0 if failures == 0 and healthy and alive else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
