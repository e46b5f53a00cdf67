"""The round robin's values (forum_ops/asks/service.py): states, views for the cards, the figures,
and the cards' port. Storage-free, so cards/ can read them without reaching the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from forum_ops.members.model import Member
from forum_ops.ports import FileOffer, RenderedCard


class AskStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    CLOSED = "closed-unanswered"

    @property
    def finished(self) -> bool:
        return self in (AskStatus.RESOLVED, AskStatus.CLOSED)


class RouteState(StrEnum):
    WAITING = "waiting"
    REPLIED = "replied"
    PASSED = "passed"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"  # the ask was resolved or closed while they were asked
    UNREACHABLE = "unreachable"  # the card could not be delivered: never asked, not counted


@dataclass(frozen=True)
class AskConfig:
    responders: int = 3  # asked at once
    reroutes: int = 4  # more people asked, one at a time, after Passes and silences
    channel_id: str = ""  # the peer-support channel; empty: the forum's channel


# -- what the cards are given ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyView:
    id: int
    organisation: str  # the organisation's name: what everyone but the secretariat sees
    author_name: str
    text: str
    link: str
    created_at: datetime
    late: bool = False  # sent after the author resolved or closed the ask: kept, and shown so


@dataclass(frozen=True)
class AskView:
    id: int
    text: str
    details: str
    tags: tuple[str, ...]
    status: AskStatus
    organisation: str
    author_name: str
    author_aad: str
    created_at: datetime
    asked: tuple[str, ...]  # organisations asked, in order (names)
    waiting: int  # people asked who have not replied or passed yet
    replies: tuple[ReplyView, ...]
    best: ReplyView | None
    escalated: bool


@dataclass(frozen=True)
class Digest:
    waiting: tuple[AskView, ...]  # open asks with no reply yet
    answered: tuple[AskView, ...]  # asks with a first reply in the past week
    since: datetime


class AskCards(Protocol):
    """The cards of the round robin (cards/asks.py): views in, rendered cards out."""

    def posted(self, ask: AskView) -> RenderedCard:
        """The ask in the channel, updated in place: organisations, never people."""
        ...

    def request(self, ask: AskView) -> RenderedCard:
        """To a responder 1:1: the question with Reply (text, link) and Pass (reason)."""
        ...

    def reply(self, ask: AskView, reply: ReplyView, for_author: bool) -> RenderedCard:
        """A reply: under the ask in the channel, or to its author 1:1 (with 'most useful')."""
        ...

    def escalated(self, ask: AskView) -> RenderedCard:
        """To the secretariat: nobody answered (names shown: the secretariat sees people)."""
        ...

    def digest(self, digest: Digest) -> RenderedCard: ...


@dataclass(frozen=True)
class Opened:
    ask: AskView
    asked: int  # people asked now
    posted: bool  # the channel card was queued


@dataclass(frozen=True)
class Passed:
    """A Pass, and what came of it: `asked` people newly asked in the passer's place (0 when the
    ask has a reply already, is finished, or nobody is left); `changed` False when the ask was
    finished already and nothing was recorded."""

    ask: AskView
    asked: int
    changed: bool = True


@dataclass(frozen=True)
class Availability:
    member: Member
    away: bool
    until: date | None


@dataclass(frozen=True)
class TopicFigures:
    tag: str
    asks: int
    answered: int
    median_first_reply: timedelta | None


@dataclass(frozen=True)
class Load:
    """How often one member (or organisation) was asked, and what they did."""

    key: str  # aad id, or the organisation's code
    name: str
    asked: int
    replied: int
    passed: int
    expired: int


@dataclass(frozen=True)
class AskFigures:
    start: datetime
    end: datetime
    asks: int
    answered: int  # with at least one reply
    resolved: int
    closed_unanswered: int
    median_first_reply: timedelta | None
    reroutes: int  # people asked after the first round (after Passes and silences)
    escalated: int  # asks the secretariat was told about
    topic_match_share: float | None  # of people asked, the share whose topics matched
    by_topic: tuple[TopicFigures, ...]
    by_member: tuple[Load, ...]  # most asked first
    by_organisation: tuple[Load, ...]

    @property
    def answered_share(self) -> float | None:
        return self.answered / self.asks if self.asks else None


@dataclass(frozen=True)
class FiguresReport:
    """`asks report`: the figures, and every row of their tables kept as a CSV for a week (the
    card shows the busiest rows), offered to the secretariat member who asked
    (forum_ops/report_files.py)."""

    figures: AskFigures
    csv: FileOffer
