"""Every scheduled job of the forum, registered here: one line each.

A job's name is its identity in the database (occurrences are keyed by it): renaming a job starts
it afresh. Rules read wall-clock times in Europe/London (see forum_ops/scheduler/rules.py).
"""

from __future__ import annotations

from forum_ops.housekeeping import housekeeping
from forum_ops.scheduler import Job, cron

JOBS: tuple[Job, ...] = (
    Job("housekeeping", cron(minute=0), housekeeping, at_start=True),  # at start, then hourly
)
