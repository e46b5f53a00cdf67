"""The round robin's views (forum_ops/asks/service.py builds them, cards/asks.py shows them):
an ask and its replies, the digest, a member's availability, the secretariat's figures, and
the topics' labels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from cards.views.common import Person

# The round robin's topic tags as cards name them (the tags and the words that mean them:
# forum_ops/asks/topics.py).
TOPIC_LABELS: dict[str, str] = {
    "s75": "Section 75",
    "transport": "Transport",
    "therapies": "Therapies",
    "short-breaks": "Short breaks",
    "inmss": "INMSS",
    "data-sharing": "Data sharing",
    "post-16": "Post-16",
    "tribunal": "Tribunal",
    "joint-commissioning": "Joint commissioning",
    "dps": "DPS / framework",
    "preparing-for-adulthood": "Preparing for adulthood",
    "alternative-provision": "Alternative provision",
}


def topic_label(tag: str) -> str:
    return TOPIC_LABELS.get(tag, tag)


class AskStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    CLOSED = "closed-unanswered"

    @property
    def finished(self) -> bool:
        return self in (AskStatus.RESOLVED, AskStatus.CLOSED)


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


@dataclass(frozen=True)
class Availability:
    member: Person
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
