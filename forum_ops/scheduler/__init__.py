"""Scheduled jobs: rules in Europe/London time, occurrences recorded in the database and run once.

A job is `Job(name, rule, handler)`: a function `(session, run)` with a rule (`cron(...)` or
`once(...)`), declared in its feature's entry of bot/features.py (`jobs=`). Every replica plans and
runs; the database decides who runs each occurrence.
"""

from forum_ops.scheduler.jobs import Job, JobFunction, JobRun, JobSettings
from forum_ops.scheduler.rules import Rule, cron, once
from forum_ops.scheduler.runner import Outcome, Scheduler
from forum_ops.scheduler.store import Status
from forum_ops.scheduler.store import forget_finished as forget_finished_occurrences

__all__ = [
    "Job",
    "JobFunction",
    "JobRun",
    "JobSettings",
    "Outcome",
    "Rule",
    "Scheduler",
    "Status",
    "cron",
    "forget_finished_occurrences",
    "once",
]
