"""The forum's scheduled jobs, defined here: a name, a rule and a forum_ops function each.

Which jobs run is decided by the features that contribute them (bot/features.py, `jobs=`): a job
is domain code and needs nothing of bot/, so it is defined on this side of the layers.
A job's name is its identity in the database (occurrences are keyed by it): renaming a job starts
it afresh. Rules read wall-clock times in Europe/London (see forum_ops/scheduler/rules.py).
"""

from __future__ import annotations

from forum_ops.housekeeping import housekeeping
from forum_ops.scheduler import Job, cron

HOUSEKEEPING = Job(
    "housekeeping", cron(minute=0), housekeeping, at_start=True
)  # at start, then hourly
