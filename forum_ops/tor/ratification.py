"""The rules of a ToR ratification, as pure functions (who votes, the tally, the result), and
the storage-free values its cards are made from.

One vote per borough (the 33 local authorities; ICBs and LIIA do not vote). A ratification
passes when enough boroughs voted (quorum: a share of the 33, at least) and enough of the votes
that count approve it as it stands (majority: a share of approve + approve-with-amendments, more
than; abstentions are not counted). "Approve with amendments" is a vote for the ToR subject to
changes, so a ratification where most counted votes ask for amendments does not pass: the
secretariat revises the text and opens the new version.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from typing import Protocol

from forum_ops.members.reference import LOCAL_AUTHORITIES
from forum_ops.ports import RenderedCard
from forum_ops.tor.text import NumberedSection, SectionChange

ELIGIBLE_BOROUGHS = 33
BOROUGH_NAMES = {la.code: la.name for la in LOCAL_AUTHORITIES}
MAX_COMMENT_CHARS = 2000


class Choice(StrEnum):
    APPROVE = "approve"
    AMEND = "amend"  # approve with amendments: a comment is required
    ABSTAIN = "abstain"

    @property
    def label(self) -> str:
        return {
            Choice.APPROVE: "Approve",
            Choice.AMEND: "Approve with amendments",
            Choice.ABSTAIN: "Abstain",
        }[self]


class VoteRefused(ValueError):
    """A vote that cannot stand; the message says why, for the voter's card."""


def check_choice(choice: object, comment: object) -> tuple[Choice, str]:
    """The choice and its trimmed comment from a card's data, or VoteRefused."""
    try:
        chosen = Choice(str(choice))
    except ValueError:
        raise VoteRefused("Choose approve, approve with amendments or abstain.") from None
    text = comment.strip() if isinstance(comment, str) else ""
    if chosen is Choice.AMEND and not text:
        raise VoteRefused("Say which amendments you want in the comment box, then vote again.")
    if len(text) > MAX_COMMENT_CHARS:
        raise VoteRefused(f"A comment can be at most {MAX_COMMENT_CHARS} characters.")
    return chosen, text


@dataclass(frozen=True)
class Rules:
    quorum: Fraction  # share of the eligible boroughs that must vote (at least)
    majority: Fraction  # share of counted votes approving as it stands (more than)
    eligible: int = ELIGIBLE_BOROUGHS

    @classmethod
    def of(cls, quorum: float, majority: float, eligible: int = ELIGIBLE_BOROUGHS) -> Rules:
        if not 0 < quorum <= 1 or not 0 <= majority < 1:
            raise ValueError("quorum is a share in (0, 1], majority a share in [0, 1)")
        q = Fraction(str(quorum)).limit_denominator(10_000)
        m = Fraction(str(majority)).limit_denominator(10_000)
        return cls(q, m, eligible)

    @property
    def boroughs_needed(self) -> int:
        """The fewest boroughs that make the quorum."""
        needed = self.quorum * self.eligible
        return int(needed) if needed.denominator == 1 else int(needed) + 1


@dataclass(frozen=True)
class Tally:
    approve: int
    amend: int
    abstain: int
    eligible: int = ELIGIBLE_BOROUGHS

    @classmethod
    def of(cls, choices: Iterable[Choice], eligible: int = ELIGIBLE_BOROUGHS) -> Tally:
        chosen = list(choices)
        return cls(
            chosen.count(Choice.APPROVE),
            chosen.count(Choice.AMEND),
            chosen.count(Choice.ABSTAIN),
            eligible,
        )

    @property
    def voted(self) -> int:
        return self.approve + self.amend + self.abstain

    @property
    def not_voted(self) -> int:
        return self.eligible - self.voted

    @property
    def counted(self) -> int:
        """Votes the majority is taken over: abstentions are not counted."""
        return self.approve + self.amend


@dataclass(frozen=True)
class Result:
    quorum_met: bool
    majority_met: bool

    @property
    def passed(self) -> bool:
        return self.quorum_met and self.majority_met


def result(tally: Tally, rules: Rules) -> Result:
    quorum_met = tally.voted >= rules.boroughs_needed
    majority_met = tally.counted > 0 and Fraction(tally.approve, tally.counted) > rules.majority
    return Result(quorum_met, majority_met)


# -- what the cards are made from (forum_ops/tor/service.py fills them; cards/tor.py shows them) ----


@dataclass(frozen=True)
class BoroughVote:
    borough: str  # DfE LA code
    name: str  # the borough's name
    choice: Choice
    comment: str
    cast_by: str  # the member's name
    cast_at: datetime


@dataclass(frozen=True)
class Ballot:
    """A ratification as every card shows it."""

    ratification_id: int
    version: int
    title: str
    content_hash: str
    deadline: datetime
    open: bool  # votes are taken (status open and the deadline not reached)
    rules: Rules
    tally: Tally
    result: Result | None  # once closed
    votes: tuple[BoroughVote, ...]  # by borough name
    not_voted: tuple[str, ...]  # borough names
    refresh_user_ids: tuple[str, ...]  # Teams user ids shown their own view (at most 60)
    previous: int | None = None  # the version before, that `changes` compare with
    changes: tuple[SectionChange, ...] = ()  # what changed since `previous`, by section

    def vote_of(self, borough: str | None) -> BoroughVote | None:
        return next((v for v in self.votes if v.borough == borough), None)


class TorPresenter(Protocol):
    """Cards for a ratification (cards/tor.py). `borough` None: the shared view."""

    def ballot(
        self, ballot: Ballot, borough: str | None = None, notice: str = ""
    ) -> RenderedCard: ...

    def reminder(self, ballot: Ballot, borough: str, when: str) -> RenderedCard: ...

    def result(self, ballot: Ballot) -> RenderedCard: ...

    def amendments(self, ballot: Ballot) -> RenderedCard: ...


@dataclass(frozen=True)
class VersionInfo:
    number: int
    title: str
    content_hash: str
    filename: str
    added_at: datetime
    ratified_at: datetime | None


@dataclass(frozen=True)
class TorStatus:
    """What `tor` shows: the current version, what changed since the one before, and its
    latest ratification."""

    version: VersionInfo | None
    previous: int | None  # the number of the version compared with
    changes: tuple[SectionChange, ...]
    ballot: Ballot | None


@dataclass(frozen=True)
class TorReading:
    """A version to read: its numbered sections, each marked with what changed since the
    version before, and the ratification open on it (to go back to the vote), if any."""

    version: VersionInfo
    previous: int | None
    sections: tuple[NumberedSection, ...]
    removed: tuple[str, ...]  # headings of the version before that are gone
    open_ratification: int | None


@dataclass(frozen=True)
class OpenReport:
    ballot: Ballot
    channel: bool
    members: int  # borough members sent the card 1:1
    unreachable: int
