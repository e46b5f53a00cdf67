"""The meetings' views (forum_ops/meetings/ builds them; cards/meetings.py, agenda.py,
takeaway.py and takeaway_pdf.py show them): a meeting, its chair, proposals, the agenda and
the takeaway."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class ChairBooking:
    """A chair's `schedule`, told to the secretariat before the invitations go (or that the
    calendar then refused it)."""

    meeting: MeetingInfo  # as the plan has it before this booking
    chair: str  # "Priya Shah (Camden)"
    starts_at: datetime  # aware: the time being booked
    invited: int  # members the calendar invites
    moving: bool  # the meeting's event exists: it is moved, and its invitations updated
    asked_at: datetime  # aware: when the chair asked
    refused: str = ""  # the calendar's refusal, in words: nothing was booked or sent


@dataclass(frozen=True)
class ChairInfo:
    name: str
    organisation: str  # the organisation's name
    aad: str  # the chair's Entra object id: who may schedule and decide


@dataclass(frozen=True)
class MeetingInfo:
    """A meeting as every card shows it."""

    id: int
    number: int  # 1 for the forum's first meeting: standing items start at 2
    day: date
    starts_at: datetime  # aware, UTC
    minutes: int
    theme: str
    status: str  # planned, cancelled
    chair: ChairInfo | None
    join_url: str | None
    booked: bool  # a calendar event exists (Teams meeting, or .ics locally)
    warnings: tuple[str, ...]
    offered: bool = False  # no chair yet, but a member's offer waits for the secretariat

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"


@dataclass(frozen=True)
class Proposal:
    id: int
    text: str
    proposer: str  # "Name (Organisation)"
    status: str  # proposed, accepted, declined
    meeting: MeetingInfo


@dataclass(frozen=True)
class Agenda:
    meeting: MeetingInfo
    items: tuple[str, ...]  # in order: themes, SEND Data, accepted proposals, the takeaway
    send_data: bool  # the SEND Data item is on it (from the second meeting on)
    waiting: int  # proposals the chair has not decided yet


@dataclass(frozen=True)
class TakeawayAction:
    what: str
    who: str


@dataclass(frozen=True)
class Takeaway:
    """A meeting's Useful Commissioning Takeaway (forum_ops/meetings/takeaway.py)."""

    meeting: MeetingInfo
    title: str
    insight: str
    tool: str  # a practical tool or link
    actions: tuple[TakeawayAction, ...]  # at most 3
    status: str  # draft, published
    published_at: datetime | None
    link: str | None = None  # the PDF's token while its link lasts (/takeaways/<token>.pdf)


@dataclass(frozen=True)
class ChairSuggestion:
    name: str
    organisation: str
    chaired: int  # meetings chaired so far
