"""In-memory fakes of every port in forum_ops/ports.py, for unit tests of services: no
database server, no HTTP. Each keeps what it was asked, for the test to read."""

from __future__ import annotations

import itertools
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from forum_ops.errors import NotReachable
from forum_ops.ports import (
    BookedMeeting,
    Calendar,
    ChartStore,
    Clock,
    Delivery,
    Meeting,
    Messenger,
    RenderedCard,
)


class FakeClock:
    """Stands still until told to move."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a clock tells aware time")
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, by: timedelta) -> None:
        self.at += by


@dataclass(frozen=True)
class Sent:
    """One message the fake messenger queued."""

    key: str
    purpose: str
    operation: str  # send, update, withdraw, reply
    to: str  # "member:<aad id>", "channel", "conversation:<id>", or the target's `to`
    content: dict[str, Any] | None
    fallback: str = ""
    card: RenderedCard | None = None  # as given: what it offers beside it (bot/replies.py)


@dataclass
class FakeMessenger:
    """Knows which members have a chat and whether there is a channel, as the outbox would;
    a key queued twice is one message, as in the outbox."""

    members: set[str] = field(default_factory=set)  # aad ids that can be reached
    channel: bool = True
    conversations: set[str] = field(default_factory=set)
    sent: list[Sent] = field(default_factory=list)

    def to_member(self, aad_object_id: str, card: RenderedCard, delivery: Delivery) -> str:
        if aad_object_id not in self.members:
            raise NotReachable("That member has no chat with the bot and no team to open one.")
        return self._queue(delivery, "send", f"member:{aad_object_id}", card)

    def reachable(self, aad_object_ids: Collection[str]) -> frozenset[str]:
        return frozenset(a for a in aad_object_ids if a in self.members)

    def to_channel(self, card: RenderedCard, delivery: Delivery) -> str:
        if not self.channel:
            raise NotReachable("The bot is not in the forum's team yet.")
        return self._queue(delivery, "send", "channel", card)

    def to_conversation(self, conversation_id: str, card: RenderedCard, delivery: Delivery) -> str:
        if conversation_id not in self.conversations:
            raise NotReachable("The bot does not know that conversation.")
        return self._queue(delivery, "send", f"conversation:{conversation_id}", card)

    def update(self, sent_key: str, card: RenderedCard, delivery: Delivery) -> str:
        return self._queue(delivery, "update", self._target(sent_key), card)

    def withdraw(self, sent_key: str, delivery: Delivery) -> str:
        return self._queue(delivery, "withdraw", self._target(sent_key), None)

    def reply_to(self, sent_key: str, card: RenderedCard, delivery: Delivery) -> str:
        return self._queue(delivery, "reply", self._target(sent_key), card)

    def by_key(self, key: str) -> Sent:
        return next(s for s in self.sent if s.key == key)

    def _target(self, sent_key: str) -> str:
        found = [s.to for s in self.sent if s.key == sent_key]
        if not found:
            raise NotReachable("No message was sent under that key.")
        return found[0]

    def _queue(self, delivery: Delivery, operation: str, to: str, card: RenderedCard | None) -> str:
        if all(s.key != delivery.key for s in self.sent):
            self.sent.append(
                Sent(
                    delivery.key,
                    delivery.purpose,
                    operation,
                    to,
                    card.content if card else None,
                    card.fallback if card else "",
                    card,
                )
            )
        return delivery.key


@dataclass(frozen=True)
class Booking:
    meeting: Meeting
    cancelled: str | None = None  # the reason, once cancelled


@dataclass
class FakeCalendar:
    bookings: dict[str, Booking] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def create(self, meeting: Meeting) -> BookedMeeting:
        event_id = f"event-{next(self._ids)}"
        self.bookings[event_id] = Booking(meeting)
        return BookedMeeting(event_id, f"https://teams.example/meet/{event_id}")

    async def move(self, event_id: str, meeting: Meeting) -> BookedMeeting:
        self._live(event_id)
        self.bookings[event_id] = Booking(meeting)
        return BookedMeeting(event_id, f"https://teams.example/meet/{event_id}")

    async def cancel(self, event_id: str, reason: str = "") -> None:
        self.bookings[event_id] = Booking(self._live(event_id).meeting, reason)

    def _live(self, event_id: str) -> Booking:
        booking = self.bookings.get(event_id)
        if booking is None or booking.cancelled is not None:
            raise KeyError(f"no meeting {event_id} to change")
        return booking


@dataclass
class FakeChartStore:
    charts: dict[str, bytes] = field(default_factory=dict)  # by URL
    keys: list[str] = field(default_factory=list)  # in the order stored

    def store(self, key: str, png: bytes) -> str:
        """As the chart table: one URL per picture, whatever the key it is stored under."""
        if not png.startswith(b"\x89PNG"):
            raise ValueError("not a PNG")
        self.keys.append(key)
        url = next((u for u, kept in self.charts.items() if kept == png), None)
        if url is None:
            url = f"https://charts.example/{len(self.charts) + 1}.png"
            self.charts[url] = png
        return url


# mypy holds each fake to its port's shape (`mypy tests/support/fakes.py`)
_CLOCK: type[Clock] = FakeClock
_MESSENGER: type[Messenger] = FakeMessenger
_CALENDAR: type[Calendar] = FakeCalendar
_CHARTS: type[ChartStore] = FakeChartStore
