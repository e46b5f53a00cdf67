"""kill -9 after a job fell due and before its run committed: it runs once after the restart."""

from __future__ import annotations

import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.testing import forumbot_serve, wait_healthy
from forum_ops.scheduler import Status
from forum_ops.scheduler.store import occurrence_key, plan
from tests.conftest import migrated
from tests.support.scheduled_jobs import AT, crash_jobs, create_marks, marks, occurrence_reaches

STARTUP = 120.0  # seconds: a loaded machine (2 cores, several test runs) starts slowly
FAST = {"forum_scheduler_poll_seconds": "0.05", "forum_scheduler_lease_seconds": "2"}


async def test_a_job_killed_before_it_ran_runs_once_after_the_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'forum.db'}"
    db = migrated(url)
    create_marks(db.engine)
    now = datetime.now(UTC)
    at = now + timedelta(seconds=1)
    (job,) = crash_jobs(at)
    with db.transaction() as session:  # planned ahead, as the previous run of the app would have
        plan(session, job, now)
    key = occurrence_key(job.name, at)
    server = {
        **FAST,
        "forum_scheduler_extra_jobs": "tests.support.scheduled_jobs:CRASH_JOBS",
        AT.lower(): at.isoformat(),
    }

    with forumbot_serve(url, **server) as (first, base):
        await wait_healthy(base, within=STARTUP)
        running = await occurrence_reaches(db, key, {Status.RUNNING})
        first.send_signal(signal.SIGKILL)  # the job is in its run, which hangs on attempt 1
        first.wait(10)
    with db.transaction() as session:
        assert marks(session) == []  # nothing of the killed run was committed
    assert running.attempts == 1

    with forumbot_serve(url, **server) as (second, base):
        await wait_healthy(base, within=STARTUP)
        done = await occurrence_reaches(db, key, {Status.DONE, Status.FAILED}, within=60)
        with db.transaction() as session:
            found = marks(session)
        second_pid = second.pid
    print(
        f"\nscheduler crash: killed pid {first.pid} in attempt 1; {done.status} by {done.claimed_by}"
    )
    assert done.status == Status.DONE
    assert done.attempts == 2
    assert done.claimed_by != running.claimed_by
    assert found == [(key, second_pid, 2)]  # ran once, after the restart
    db.dispose()
