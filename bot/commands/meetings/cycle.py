"""The meetings' cycle job (forum_ops/meetings/cycle.py) given its presenter: the domain
decides what goes to whom and when, and asks cards/meeting_cards.py for the cards. This module
loads on the job's first run (bot/features.py declares it, bot/lazy.py loads it), not at
start-up: cards bring jinja2, and the SEND Data item pandas."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cards.meeting_cards import MeetingCards
from forum_ops.meetings.cycle import run_cycle
from forum_ops.scheduler import JobRun


def cycle(session: Session, run: JobRun) -> None:
    """The meetings.cycle job (declared in bot/features.py): links follow the app's
    FORUM_PUBLIC_URL, as the scheduler worker read it (run.settings)."""
    run_cycle(session, run, MeetingCards(run.settings.public_url))
