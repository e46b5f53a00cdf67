"""The round robin's values (forum_ops/asks/service.py): states, the settings, what a command
returns, and the cards' port. The views the cards are given (an ask, its replies, the figures)
are in cards/views/asks.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from cards.views.asks import AskFigures, AskView, Digest, ReplyView
from cards.views.common import FileOffer
from forum_ops.ports import RenderedCard


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
class FiguresReport:
    """`asks report`: the figures, and every row of their tables kept as a CSV for a week (the
    card shows the busiest rows), offered to the secretariat member who asked
    (forum_ops/report_files.py)."""

    figures: AskFigures
    csv: FileOffer
