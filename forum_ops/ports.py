"""The ports: what the domain needs from the world, as protocols. Only the calendar (Microsoft
Graph) is implemented in bot/ (bot/calendar.py); the clock (SystemClock, below), the messenger
(forum_ops/outbox/messaging.py) and the chart store (forum_ops/charts.py) are the domain's own,
since they reach nothing but the database. tests/support/fakes.py holds in-memory fakes, so a
service can be driven without a database server or HTTP.

    Clock       now, as an aware datetime
    Messenger   a card to a member 1:1, to the forum's channel or to a conversation; update,
                withdraw or reply under one sent before. Through the outbox, in the caller's unit
                of work: a service is given a MessengerFactory (forum_ops/outbox/messaging.py)
                and makes one per transaction.
    Calendar    create, move and cancel an online Teams meeting (Microsoft Graph; .ics locally)
    ChartStore  keep a chart image and give the URL a card loads it from
"""

from __future__ import annotations

from collections.abc import Collection
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from cards.views.common import LONDON


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


# Set for a card action that runs again only for its answer (its change committed, its answer was
# lost: forum_ops/turns.py): the time it was first received, so the card it is given again is the
# card it was given then ("cast at 22:01", not the minute of the redelivery).
REPLAYING_FROM: ContextVar[datetime | None] = ContextVar("forum_replaying_from", default=None)


class SystemClock:
    """The system's time, in UTC: the app's Clock (bot/services.py); tests give a FakeClock.
    Inside a replayed turn, the time the turn was first received."""

    def now(self) -> datetime:
        return REPLAYING_FROM.get() or datetime.now(UTC)


class RenderedCard(Protocol):
    """A card ready to send (cards.Card is one): its Adaptive Card JSON and the plain text
    that stands for it. Structural, so the domain never imports the presentation layer."""

    @property
    def content(self) -> dict[str, Any]: ...

    @property
    def fallback(self) -> str: ...


@dataclass(frozen=True)
class Delivery:
    """Why a message goes, and its idempotency key: the same key twice is one message (a job
    that runs again after a crash sends nothing new), and it names the message for later
    updates and withdrawals. Keys never hold personal data: ids, dates, codes."""

    key: str  # e.g. "agenda:2026-01-22:member:<aad id>"
    purpose: str  # e.g. "agenda", "reminder", "vote"

    def __post_init__(self) -> None:
        if not self.key or not self.purpose:
            raise ValueError("a delivery needs a key and a purpose")


class Messenger(Protocol):
    """Cards to people, through the outbox: each call queues one message and returns its
    outbox id (the delivery key); nothing is sent until the caller's unit of work commits."""

    def to_member(self, aad_object_id: str, card: RenderedCard, delivery: Delivery) -> str:
        """In the member's 1:1 chat with the bot (opened from the forum's team if they have
        none yet); NotReachable if neither is known."""
        ...

    def reachable(self, aad_object_ids: Collection[str]) -> frozenset[str]:
        """Those of these members `to_member` would reach: with a chat, or any with a team to
        open one from (asked once for a whole list, not member by member)."""
        ...

    def to_channel(self, card: RenderedCard, delivery: Delivery) -> str:
        """In the forum's channel; NotReachable if the bot is in no team yet."""
        ...

    def to_conversation(self, conversation_id: str, card: RenderedCard, delivery: Delivery) -> str:
        """In a conversation the bot knows (a meeting chat, a group chat)."""
        ...

    def update(self, sent_key: str, card: RenderedCard, delivery: Delivery) -> str:
        """Replace a card sent under `sent_key` (a vote's tally) where it was sent."""
        ...

    def withdraw(self, sent_key: str, delivery: Delivery) -> str:
        """Delete a card sent under `sent_key`."""
        ...

    def reply_to(self, sent_key: str, card: RenderedCard, delivery: Delivery) -> str:
        """A card threaded under the one sent under `sent_key` (in a channel: a reply in its
        thread; in a chat, which has no threads: the next message there)."""
        ...


@dataclass(frozen=True)
class Meeting:
    """An online Teams meeting to put in the invitees' calendars."""

    subject: str
    start: datetime  # aware; shown and sent in Europe/London
    end: datetime
    invitees: tuple[str, ...]  # email addresses
    body: str = ""  # plain text: the agenda, papers to read
    # the client's id for this booking (Graph's transactionId): creating twice with the same id
    # (a retry after a crash) gives back the first event instead of a second one
    transaction_id: str = ""
    organiser: str = ""  # the email of who booked it (a calendar file's ORGANIZER, local mode)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a meeting's start and end must be timezone-aware")
        if self.end <= self.start:
            raise ValueError("a meeting must end after it starts")
        if not self.subject.strip():
            raise ValueError("a meeting needs a subject")

    @property
    def london_start(self) -> datetime:
        return self.start.astimezone(LONDON)

    @property
    def london_end(self) -> datetime:
        return self.end.astimezone(LONDON)


@dataclass(frozen=True)
class BookedMeeting:
    event_id: str  # the calendar's id: pass it to move and cancel
    join_url: str | None  # the Teams join link; None where no online meeting exists (local mode)
    # local mode: the calendar file (.ics) itself, for the chair to open; nothing was sent
    file: bytes | None = None


class Calendar(Protocol):
    async def create(self, meeting: Meeting) -> BookedMeeting: ...

    async def move(self, event_id: str, meeting: Meeting) -> BookedMeeting:
        """Change a booked meeting (new times, subject, invitees or body); invitees are told."""
        ...

    async def cancel(self, event_id: str, reason: str = "") -> bytes | None:
        """Cancel a booked meeting; invitees get the cancellation with `reason`. Local mode
        returns the cancelled calendar file for the chair to open (nothing is sent)."""
        ...


class ChartStore(Protocol):
    def store(self, key: str, png: bytes) -> str:
        """Keep a PNG and return the URL a card loads it from. `key` says what the chart is
        (e.g. "top10:202:2025-26"); the URL adds an unguessable token. The same picture kept
        twice gets one URL (and is stored once); a different picture under the same key gets
        its own, so a card sent earlier keeps its own picture."""
        ...
