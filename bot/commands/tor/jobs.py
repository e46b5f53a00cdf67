"""The ToR ratification's scheduled jobs' functions. The work is forum_ops/tor/service.py's; the cards it
sends are cards/tor.py's, so the jobs are bound to them here, on the side that may see both.
Their rules are in bot/features.py, which names these functions lazily (bot/lazy.py):
this module, and the cards with it, load on a job's first run, not at start-up."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cards.tor import TorCards
from forum_ops.scheduler import JobRun
from forum_ops.tor import service as tor


def remind(session: Session, run: JobRun) -> None:
    tor.send_reminders(session, run, TorCards())


def close(session: Session, run: JobRun) -> None:
    tor.close_due(session, run, TorCards())
