"""The ToR ratification's scheduled jobs. The work is forum_ops/tor.py's; the cards it sends
are cards/tor.py's, so the jobs are bound to them here, on the side that may see both."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cards.tor import TOR_CARDS
from forum_ops import tor
from forum_ops.scheduler import Job, JobRun, cron


def remind(session: Session, run: JobRun) -> None:
    tor.send_reminders(session, run, TOR_CARDS)


def close(session: Session, run: JobRun) -> None:
    tor.close_due(session, run, TOR_CARDS)


REMIND = Job("tor.remind", cron(hour=9, minute=0), remind)  # 09:00 London, every day
# Votes stop at the deadline to the second (cast_vote checks the clock); the result follows
# within five minutes. A missed run (the app down) is caught up once at the restart.
CLOSE = Job("tor.close", cron(minute="*/5"), close)
JOBS = (REMIND, CLOSE)
