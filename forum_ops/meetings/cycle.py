"""Each meeting's cycle, run by one scheduler job every 15 minutes (London wall-clock rules):

    3 weeks before, 09:00   no chair yet: the secretariat is asked, with suggestions
    7 days before, 09:00    the agenda to the forum's channel and to every member 1:1
    1 day before, 09:00     the reminder with the join link, to the same
    the scheduled end       the chair gets the takeaway form 1:1 (Teams raises meeting-end
                            events only for meetings started from the app: the plan drives this)
    1 working day after     not published: the chair and the secretariat are reminded
    2 working days after    not published: whatever was drafted is posted (or the secretariat
                            is told there is nothing to post)

Each step's moment is computed from the meeting's start in Europe/London, so 09:00 is 09:00
on either side of the clock changes. A step done is a row of `meeting_steps`, written in the
job's transaction with the outbox messages it queues (each under its own key): a restart
between "due" and "sent" runs the step once, and a member sees each message once. A meeting
that moves gets its steps again for the new time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from cards.views.common import LONDON
from cards.views.meetings import Agenda
from forum_ops.charts import SessionCharts
from forum_ops.dates import london_moment
from forum_ops.db.schema import MeetingRow, MeetingStepRow, MemberRow, TakeawayRow
from forum_ops.errors import ForumError, NotReachable
from forum_ops.meetings.agenda import agenda_of
from forum_ops.meetings.presenter import MeetingCards
from forum_ops.meetings.service import chair_suggestions, extend_plan, meeting_info
from forum_ops.meetings.takeaway import is_empty, post, takeaway_of
from forum_ops.members.model import Role
from forum_ops.ports import Delivery, Messenger, RenderedCard
from forum_ops.scheduler import JobRun
from forum_ops.working_days import after_working_days

if TYPE_CHECKING:
    from cards.views.senddata import SendDataFigures

SENDS_AT = time(9, 0)  # London: chair prompt, agenda, reminder
LOOK_BACK = timedelta(days=10)  # meetings whose takeaway steps may still be due
LOOK_AHEAD = timedelta(days=22)  # the chair prompt is 21 days before


@dataclass(frozen=True)
class Step:
    name: str
    due: datetime

    def key(self, row: MeetingRow) -> str:
        return f"{self.name}@{row.starts_at.isoformat()}"


def steps_of(starts_at: datetime, minutes: int) -> tuple[Step, ...]:
    """When each step of a meeting's cycle falls due."""
    day = starts_at.astimezone(LONDON).date()
    end = (starts_at + timedelta(minutes=minutes)).astimezone(LONDON)
    return (
        Step("chair", london_moment(day - timedelta(days=21), SENDS_AT)),
        Step("agenda", london_moment(day - timedelta(days=7), SENDS_AT)),
        Step("reminder", london_moment(day - timedelta(days=1), SENDS_AT)),
        Step("takeaway-form", end),
        Step("takeaway-nudge", after_working_days(end, 1)),
        Step("takeaway-post", after_working_days(end, 2)),
    )


def _members(session: Session, role: Role | None = None) -> list[str]:
    query = select(MemberRow.aad_object_id).order_by(MemberRow.name)
    if role is not None:
        query = query.where(MemberRow.roles.contains(role.value))
    return list(session.scalars(query))


def _send(messenger: Messenger, to: str, card: RenderedCard, key: str, purpose: str) -> None:
    try:
        if to == "channel":
            messenger.to_channel(card, Delivery(f"{key}:channel", purpose))
        else:
            messenger.to_member(to, card, Delivery(f"{key}:member:{to}", purpose))
    except NotReachable:
        pass  # no channel yet, or a member the bot cannot reach: `outbox` shows who got it


class _Cycle:
    def __init__(self, session: Session, run: JobRun, cards: MeetingCards) -> None:
        self.session, self.run, self.cards = session, run, cards

    def step(self, row: MeetingRow, step: Step) -> None:
        started = self.run.now >= row.starts_at
        key = f"meeting:{row.id}:{step.key(row)}"
        if step.name == "chair":
            if row.chair_aad is None and not started:
                card = self.cards.chair_wanted(
                    meeting_info(self.session, row.id), chair_suggestions(self.session, row)
                )
                for aad in _members(self.session, Role.SECRETARIAT):
                    _send(self.run.messenger, aad, card, key, "chair")
        elif step.name in ("agenda", "reminder"):
            if not started:
                agenda = agenda_of(self.session, row)
                figures = self.send_data(agenda)
                card = self.cards.agenda(agenda, figures, step.name == "reminder")
                for to in ("channel", *_members(self.session)):
                    _send(self.run.messenger, to, card, key, step.name)
        else:
            self.takeaway_step(row, step, key)

    def send_data(self, agenda: Agenda) -> SendDataFigures | None:
        """The SEND Data standing item's figures, its charts kept in the job's transaction
        with the agenda that links to them; None before any SEN2 release is imported."""
        if not agenda.send_data:
            return None
        # imported when an agenda has the item: SEND Data brings pandas
        from forum_ops.senddata.figures import agenda_figures
        from forum_ops.senddata.service import read_frames

        charts = SessionCharts(self.session, self.run.now, self.run.settings.public_url)
        try:
            return agenda_figures(read_frames(self.session), agenda.meeting.day, charts)
        except ForumError:  # no SEN2 release imported yet: the card says so
            return None

    def takeaway_step(self, row: MeetingRow, step: Step, key: str) -> None:
        found = self.session.get(TakeawayRow, row.id)
        if found is not None and found.status == "published":
            return
        meeting = meeting_info(self.session, row.id)
        writers = [row.chair_aad] if row.chair_aad else []
        secretariat = _members(self.session, Role.SECRETARIAT)
        if step.name == "takeaway-form":
            card = self.cards.takeaway_form(meeting, takeaway_of(self.session, row))
            for aad in writers or secretariat:
                _send(self.run.messenger, aad, card, key, "takeaway")
        elif step.name == "takeaway-nudge":
            card = self.cards.takeaway_nudge(meeting)
            for aad in dict.fromkeys([*writers, *secretariat]):
                _send(self.run.messenger, aad, card, key, "takeaway")
        elif is_empty(found):
            for aad in secretariat:
                _send(self.run.messenger, aad, self.cards.nothing_to_post(meeting), key, "takeaway")
        else:
            assert found is not None
            post(self.session, row, found, self.run.messenger, self.cards, self.run.now)


def due_steps(session: Session, now: datetime) -> Iterator[tuple[MeetingRow, Step]]:
    """Steps of meetings near `now` that are due and not done yet, earliest first."""
    rows = session.scalars(
        select(MeetingRow)
        .where(
            MeetingRow.status == "planned",
            MeetingRow.starts_at > now - LOOK_BACK,
            MeetingRow.starts_at < now + LOOK_AHEAD,
        )
        .order_by(MeetingRow.starts_at)
    ).all()
    for row in rows:
        done = set(
            session.scalars(select(MeetingStepRow.step).where(MeetingStepRow.meeting_id == row.id))
        )
        for step in steps_of(row.starts_at, row.minutes):
            if step.due <= now and step.key(row) not in done:
                yield row, step


def run_cycle(session: Session, run: JobRun, cards: MeetingCards) -> None:
    """The job's work: keep the plan a year ahead, then do every step that is due."""
    extend_plan(session, run.now)
    for row, step in list(due_steps(session, run.now)):
        _Cycle(session, run, cards).step(row, step)
        session.add(MeetingStepRow(meeting_id=row.id, step=step.key(row), done_at=run.now))
        session.flush()
