"""The forum's scheduled jobs, defined here: a name, a rule and a forum_ops function each.

Which jobs run is decided by the features that contribute them (bot/features.py, `jobs=`): a job
is domain code and needs nothing of bot/, so it is defined on this side of the layers.
A job's name is its identity in the database (occurrences are keyed by it): renaming a job starts
it afresh. Rules read wall-clock times in Europe/London (see forum_ops/scheduler/rules.py).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from forum_ops.housekeeping import housekeeping
from forum_ops.scheduler import Job, JobFunction, JobRun, cron


def meetings_cycle(cycle: JobFunction) -> Job:
    """Each meeting's cycle (forum_ops/meetings/cycle.py: run_cycle), every 15 minutes London
    time. Its cards are bot/'s, so bot/features.py gives `cycle` as a LazyJob naming
    bot/commands/meetings/cycle.py:cycle: the cards load on its first run, not at start-up."""
    return Job("meetings.cycle", cron(minute="*/15"), cycle)


def quarterly_report_prompt(session: Session, run: JobRun) -> None:
    # imported when it runs: the report's module brings pandas, which start-up does not wait for
    from forum_ops.report.service import prompt_quarterly_report

    prompt_quarterly_report(session, run)


def release_returns(session: Session, run: JobRun) -> None:
    # imported when it runs, like the report: releases bring pandas
    from forum_ops.returns.releases import release_monthly

    release_monthly(session, run)


HOUSEKEEPING = Job(
    "housekeeping", cron(minute=0), housekeeping, at_start=True
)  # at start, then hourly
# 09:00 London on the 14th of January, April, July and October: two weeks before the report on
# the quarter just ended is due (the 28th; analytics/quarters.py)
QUARTERLY_REPORT_PROMPT = Job(
    "quarterly-report-prompt", cron(month="1,4,7,10", day=14, hour=9), quarterly_report_prompt
)
# 06:00 London daily; it cuts a release only on the month's first working day (DOMAIN rule 10)
RELEASE = Job("returns.release", cron(hour=6, minute=0), release_returns)
