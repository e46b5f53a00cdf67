"""The Terms of Reference's views (forum_ops/tor/ builds them; cards/tor.py shows them): a
ratification's ballot with its rules and tally, a version, what changed, a version to read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from fractions import Fraction


@dataclass(frozen=True)
class SectionChange:
    heading: str
    change: str  # added, removed, changed
    words_added: int = 0
    words_removed: int = 0
    number: int = 0  # the section's number in the new version (as `Read` shows it); 0: removed


@dataclass(frozen=True)
class DiffPart:
    """Words removed from or added to a section, in the order they come."""

    kind: str  # "removed" or "added"
    text: str


@dataclass(frozen=True)
class NumberedSection:
    """A section as members read it: numbered in order, so an amendment can say "§3"."""

    number: int
    heading: str  # "(introduction)" for text before the first heading
    body: str
    change: str = ""  # since the version before: "", "added" or "changed"
    diff: tuple[DiffPart, ...] = ()


ELIGIBLE_BOROUGHS = 33


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
    # DfE LA code -> the borough's name, for a borough's own view (the domain's reference data)
    borough_names: Mapping[str, str] = field(default_factory=dict, compare=False)

    def vote_of(self, borough: str | None) -> BoroughVote | None:
        return next((v for v in self.votes if v.borough == borough), None)

    def borough_name(self, borough: str) -> str:
        return self.borough_names.get(borough, borough)


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
