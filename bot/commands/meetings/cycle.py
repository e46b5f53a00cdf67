"""The meetings' cycle job (forum_ops/meetings/cycle.py) with its cards rendered here: the
domain decides what goes to whom and when; bot/ turns it into cards. This module loads on the
job's first run (bot/features.py names it through bot/lazy.py), not at start-up: cards bring jinja2, and the SEND Data
item pandas."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cards import Card
from cards.views.meetings import Agenda, ChairSuggestion, MeetingInfo, Takeaway
from forum_ops.meetings.cycle import CycleCards, run_cycle
from forum_ops.scheduler import JobRun


class SessionCharts:
    """The ChartStore port inside the job's transaction: the chart is kept with the agenda."""

    def __init__(self, session: Session, now: datetime, public_url: str) -> None:
        self._session, self._now, self._public_url = session, now, public_url

    def store(self, key: str, png: bytes) -> str:
        from forum_ops.charts import keep_chart

        token = keep_chart(self._session, png, self._now)
        return f"{self._public_url.rstrip('/')}/charts/{token}.png"


class MeetingCards:
    def __init__(self, public_url: str) -> None:
        self._public_url = public_url

    def agenda(self, session: Session, agenda: Agenda, reminder: bool) -> Card:
        from bot.services import utc_now
        from cards import render_card
        from cards.agenda import agenda_view
        from cards.format import british_date
        from forum_ops.errors import ForumError
        from forum_ops.senddata.figures import agenda_figures
        from forum_ops.senddata.service import read_frames

        figures = None
        if agenda.send_data:
            try:
                charts = SessionCharts(session, utc_now(), self._public_url)
                figures = agenda_figures(read_frames(session), agenda.meeting.day, charts)
            except ForumError:  # no SEN2 release imported yet: the card says so
                figures = None
        title = (
            f"Reminder: the forum meets tomorrow, {british_date(agenda.meeting.day)}"
            if reminder
            else ""
        )
        return render_card("agenda", agenda_view(agenda, figures, title))

    def chair_wanted(self, meeting: MeetingInfo, suggestions: tuple[ChairSuggestion, ...]) -> Card:
        from cards import render_card
        from cards.takeaway import chair_wanted_view

        return render_card("notice", chair_wanted_view(meeting, suggestions))

    def takeaway_form(self, meeting: MeetingInfo, draft: Takeaway | None) -> Card:
        from cards import render_card
        from cards.takeaway import takeaway_form_view

        return render_card("takeaway_form", takeaway_form_view(meeting, draft))

    def takeaway_nudge(self, meeting: MeetingInfo) -> Card:
        from cards import render_card
        from cards.takeaway import takeaway_nudge_view

        return render_card("notice", takeaway_nudge_view(meeting))

    def takeaway(self, takeaway: Takeaway) -> Card:
        from cards import render_card
        from cards.takeaway import takeaway_view

        return render_card("takeaway", takeaway_view(takeaway, self._public_url))

    def nothing_to_post(self, meeting: MeetingInfo) -> Card:
        from cards import render_card
        from cards.takeaway import nothing_to_post_view

        return render_card("notice", nothing_to_post_view(meeting))


_PORT: type[CycleCards] = MeetingCards  # mypy holds the class to the protocol's shape


def cycle(session: Session, run: JobRun) -> None:
    """The meetings.cycle job (bot/features.py names it lazily): links follow the app's
    FORUM_PUBLIC_URL, as the scheduler worker read it (run.settings)."""
    run_cycle(session, run, MeetingCards(run.settings.public_url))
