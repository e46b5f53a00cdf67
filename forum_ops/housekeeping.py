"""Hourly housekeeping: forget what the forum no longer needs to keep."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from forum_ops.charts import forget_expired_charts
from forum_ops.dialogs import forget_expired_dialogs
from forum_ops.report_files import forget_expired_files
from forum_ops.scheduler import JobRun, forget_finished_occurrences
from forum_ops.turns import forget_old_activities

log = logging.getLogger(__name__)


def housekeeping(session: Session, run: JobRun) -> None:
    """Forget expired charts, dialogs and report files, processed-activity keys older than Teams
    could redeliver, and the scheduler's occurrences finished over a week ago."""
    charts = forget_expired_charts(session, run.now)
    dialogs = forget_expired_dialogs(session, run.now)
    forgotten = forget_old_activities(session, run.now)
    files = forget_expired_files(session, run.now)
    occurrences = forget_finished_occurrences(session, run.now)
    log.info(
        "housekeeping.done",
        extra={
            "activity_keys_forgotten": forgotten,
            "charts_forgotten": charts,
            "dialogs_forgotten": dialogs,
            "job_occurrences_forgotten": occurrences,
            "report_files_forgotten": files,
        },
    )
