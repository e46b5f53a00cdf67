"""Jobs the scheduler tests run, in this process or in `forumbot serve` subprocesses (named by
FORUM_SCHEDULER_EXTRA_JOBS="tests.support.scheduled_jobs:REPLICA_JOBS"). Each run writes a row to
`job_marks`, a table the tests create, in the run's own transaction: a mark is a run that counted.
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import datetime

from sqlalchemy import Column, Integer, MetaData, String, Table, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from forum_ops.db import Database
from forum_ops.db.schema import JobOccurrenceRow
from forum_ops.scheduler import Job, JobRun, cron, once

MARKS = Table(
    "job_marks",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("key", String(200)),
    Column("pid", Integer),
    Column("attempt", Integer),
)
AT = "SCHEDULER_TEST_AT"  # the one-off jobs' moment, ISO 8601, shared with subprocesses


def create_marks(engine: Engine) -> None:
    MARKS.create(engine, checkfirst=True)


def marks(session: Session) -> list[tuple[str, int, int]]:
    rows = session.execute(select(MARKS.c.key, MARKS.c.pid, MARKS.c.attempt).order_by(MARKS.c.id))
    return [(key, pid, attempt) for key, pid, attempt in rows]


def mark(session: Session, run: JobRun) -> None:
    session.execute(MARKS.insert().values(key=run.key, pid=os.getpid(), attempt=run.attempt))


def mark_slowly_the_first_time(session: Session, run: JobRun) -> None:
    """Marks, then on its first attempt hangs before committing: the test kills the process."""
    mark(session, run)
    if run.attempt == 1:
        time.sleep(600)


def replica_jobs(at: datetime) -> tuple[Job, ...]:
    every_second = tuple(
        Job(f"every-second-{n}", cron(second="*", minute="*"), mark) for n in range(10)
    )
    return (Job("due-once", once(at), mark), *every_second)


def crash_jobs(at: datetime) -> tuple[Job, ...]:
    return (Job("slow-first-time", once(at), mark_slowly_the_first_time),)


_at = os.environ.get(AT)
REPLICA_JOBS = replica_jobs(datetime.fromisoformat(_at)) if _at else ()
CRASH_JOBS = crash_jobs(datetime.fromisoformat(_at)) if _at else ()


async def occurrence_reaches(
    db: Database, key: str, statuses: set[str], within: float = 30.0
) -> JobOccurrenceRow:
    """Wait until the occurrence `key` is in one of `statuses`; returns its row."""
    deadline = time.monotonic() + within
    while True:
        with db.transaction() as session:
            row = session.scalar(select(JobOccurrenceRow).where(JobOccurrenceRow.key == key))
        if row is not None and row.status in statuses:
            return row
        if time.monotonic() > deadline:
            raise AssertionError(f"{key} is {row.status if row else 'not planned'}, not {statuses}")
        await asyncio.sleep(0.05)
