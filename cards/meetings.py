"""Meeting cards' view models, written from the meetings service's values
(forum_ops/meetings/plan.py): the forward plan, a changed meeting, chairs. Times the British way,
in London; the join link on every card about a meeting."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from cards.format import british_date, british_datetime
from cards.views.common import Fact
from cards.views.meetings import MeetingInfo


@dataclass(frozen=True)
class MeetingLine:
    when: str
    facts: tuple[Fact, ...]
    join_url: str  # "" when there is no Teams meeting yet
    file_url: str = ""  # local mode: the calendar file (.ics) to download, on the booker's card


@dataclass(frozen=True)
class MeetingsView:
    title: str
    message: str
    meetings: tuple[MeetingLine, ...]


def status_of(meeting: MeetingInfo) -> str:
    """What is true of the meeting's booking, whatever the calendar: a Teams meeting with its
    link; booked without one (local mode: a calendar file, nothing sent); or not booked."""
    if meeting.cancelled:
        return "cancelled"
    if meeting.join_url:
        return "scheduled in Teams"
    if meeting.booked:
        return "scheduled without a Teams link (a calendar file; no invitations were sent)"
    return "planned; not scheduled yet, so no invitation or Teams link yet"


def meeting_line(meeting: MeetingInfo, file_url: str = "") -> MeetingLine:
    facts = [
        Fact("Theme", meeting.theme or "not chosen yet"),
        Fact(
            "Chair",
            f"{meeting.chair.name} ({meeting.chair.organisation})"
            if meeting.chair
            else "none yet: an offer to chair waits for the secretariat"
            if meeting.offered  # "to volunteer, say chair ..." was refused: someone has offered
            else f"none yet: to volunteer, say chair {meeting.day.day} {meeting.day:%B %Y}",
        ),
        Fact("Status", status_of(meeting)),
    ]
    if meeting.warnings and not meeting.cancelled:
        # "Note", short as the other labels: "Check the date" wrapped and widened the column
        facts.append(Fact("Note", "; ".join(meeting.warnings)))
    if meeting.join_url and not meeting.cancelled:
        facts.append(Fact("Join", meeting.join_url))
    return MeetingLine(
        f"{british_datetime(meeting.starts_at)} ({meeting.minutes} minutes)",
        tuple(facts),
        meeting.join_url if meeting.join_url and not meeting.cancelled else "",
        file_url,
    )


def meetings_view(
    meetings: Iterable[MeetingInfo], title: str = "", message: str = ""
) -> MeetingsView:
    lines = tuple(meeting_line(m) for m in meetings)
    return MeetingsView(
        title or "The forum's next meetings",
        message or ("" if lines else "No meetings are planned yet: the secretariat adds them."),
        lines,
    )


def meeting_view(
    title: str, meeting: MeetingInfo, message: str = "", file_url: str = ""
) -> MeetingsView:
    """One meeting after a change (added, moved, chaired, scheduled); `file_url` is the
    calendar file written in local mode, for the one who booked it."""
    return MeetingsView(title, message, (meeting_line(meeting, file_url),))


class Delivered(Protocol):
    """A meeting's messages in the outbox (forum_ops.meetings.service.MeetingDelivery)."""

    @property
    def day(self) -> date: ...
    @property
    def counts(self) -> tuple[tuple[str, str, int], ...]: ...


def delivery_facts(deliveries: Iterable[Delivered]) -> tuple[Fact, ...]:
    """One line per meeting: "agenda 3 sent; reminder 2 sent, 1 queued"."""
    facts = []
    for meeting in deliveries:
        by_purpose: dict[str, list[str]] = {}
        for purpose, status, n in meeting.counts:
            by_purpose.setdefault(purpose, []).append(f"{n} {status}")
        value = "; ".join(f"{p} {', '.join(parts)}" for p, parts in by_purpose.items())
        facts.append(Fact(british_date(meeting.day), value or "nothing sent yet"))
    return tuple(facts)
