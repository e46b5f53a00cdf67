"""The rules of a ToR ratification, as pure functions (who votes, the tally, the result), and
the cards' port; the storage-free values its cards are made from are in cards/views/tor.py.

One vote per borough (the 33 local authorities; ICBs and LIIA do not vote). A ratification
passes when enough boroughs voted (quorum: a share of the 33, at least) and enough of the votes
that count approve it as it stands (majority: a share of approve + approve-with-amendments, more
than; abstentions are not counted). "Approve with amendments" is a vote for the ToR subject to
changes, so a ratification where most counted votes ask for amendments does not pass: the
secretariat revises the text and opens the new version.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Protocol

from cards.views.tor import Ballot, Choice, Result, Rules, Tally
from forum_ops.errors import VoteRefused
from forum_ops.members.reference import LOCAL_AUTHORITIES
from forum_ops.ports import RenderedCard

BOROUGH_NAMES = {la.code: la.name for la in LOCAL_AUTHORITIES}
MAX_COMMENT_CHARS = 2000


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


def result(tally: Tally, rules: Rules) -> Result:
    quorum_met = tally.voted >= rules.boroughs_needed
    majority_met = tally.counted > 0 and Fraction(tally.approve, tally.counted) > rules.majority
    return Result(quorum_met, majority_met)


class TorPresenter(Protocol):
    """Cards for a ratification (cards/tor.py). `borough` None: the shared view."""

    def ballot(
        self, ballot: Ballot, borough: str | None = None, notice: str = ""
    ) -> RenderedCard: ...

    def reminder(self, ballot: Ballot, borough: str, when: str) -> RenderedCard: ...

    def result(self, ballot: Ballot) -> RenderedCard: ...

    def amendments(self, ballot: Ballot) -> RenderedCard: ...
