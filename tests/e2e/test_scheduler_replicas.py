"""Two app processes on one PostgreSQL database: every occurrence of every job runs once."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.testing import forumbot_serve, wait_healthy
from forum_ops.db import Database
from forum_ops.db.schema import JobOccurrenceRow
from forum_ops.scheduler import Status
from forum_ops.scheduler.store import occurrence_key, plan
from tests.conftest import migrated, postgres_database
from tests.support.scheduled_jobs import AT, create_marks, marks, occurrence_reaches, replica_jobs

ENOUGH = 40  # occurrences run (about four seconds' worth), by both instances
STARTUP = 120.0  # seconds: a loaded machine (2 cores, several test runs) starts slowly


async def both_have_run(db: Database, pids: set[int], within: float = 60.0) -> None:
    """Wait until ENOUGH occurrences have run, and each instance has run some of them."""
    deadline = time.monotonic() + within
    while True:
        with db.transaction() as session:
            found = marks(session)
        if len(found) >= ENOUGH and {pid for _key, pid, _attempt in found} == pids:
            return
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{len(found)} runs in {within} s, by {Counter(p for _, p, _ in found)}"
            )
        await asyncio.sleep(0.05)


async def test_two_app_instances_run_each_due_job_exactly_once() -> None:
    with postgres_database() as url:
        db = migrated(url)
        create_marks(db.engine)
        now = datetime.now(UTC)
        at = now + timedelta(seconds=1)
        due_once = replica_jobs(at)[0]
        with db.transaction() as session:  # due before either instance is up
            plan(session, due_once, now)
        server = {
            "forum_scheduler_poll_seconds": "0.05",
            "forum_scheduler_extra_jobs": "tests.support.scheduled_jobs:REPLICA_JOBS",
            AT.lower(): at.isoformat(),
        }
        with (
            forumbot_serve(url, **server) as (one, first),
            forumbot_serve(url, **server) as (two, second),
        ):
            await asyncio.gather(wait_healthy(first, STARTUP), wait_healthy(second, STARTUP))
            await occurrence_reaches(db, occurrence_key(due_once.name, at), {Status.DONE})
            pids = {one.pid, two.pid}
            await both_have_run(db, pids)  # ten jobs falling due every second
        with db.transaction() as session:
            found = marks(session)
            done = session.scalar(  # of the jobs under test (housekeeping runs too, at start)
                select(func.count()).where(
                    JobOccurrenceRow.status == Status.DONE.value,
                    JobOccurrenceRow.job.in_([job.name for job in replica_jobs(at)]),
                )
            )
        db.dispose()

    runs = Counter(key for key, _pid, _attempt in found)
    by_process = Counter(pid for _key, pid, _attempt in found)
    print(f"\nscheduler replicas: {len(runs)} occurrences run, {sorted(by_process.values())} each")
    assert runs[occurrence_key(due_once.name, at)] == 1
    assert max(runs.values()) == 1  # no occurrence ran twice
    assert len(runs) == done  # and every one marked done ran
    assert len(runs) >= ENOUGH
    assert set(by_process) == pids  # both instances took a share
