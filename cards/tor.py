"""The ToR's cards: the ratification's vote card (shared and each borough's own view), the
reminder, the result post, the amendments for the secretariat and `tor`'s status card."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from cards.format import NBSP, british_date, british_datetime
from cards.render import Card, render_card
from cards.views import Fact, NoticeView, ReportTable, ReportView
from forum_ops.ratification import (
    BOROUGH_NAMES,
    Ballot,
    Choice,
    OpenReport,
    TorStatus,
    VersionInfo,
)

MAX_AMENDMENTS_SHOWN = 33


@dataclass(frozen=True)
class ChoiceButton:
    value: str
    title: str


CHOICES = tuple(ChoiceButton(c.value, c.label) for c in Choice)


@dataclass(frozen=True)
class BallotView:
    ratification_id: int
    content_hash: str
    borough: str  # "" on the shared view
    user_ids: tuple[str, ...]
    title: str
    subtitle: str
    notice: str
    own: str
    outcome: str
    tally: tuple[Fact, ...]
    votes: tuple[Fact, ...]
    not_voted: str
    can_vote: bool
    choices: tuple[ChoiceButton, ...] = CHOICES


def rule_percent(share: Fraction | float) -> str:
    """A rule's share as people state it: 50 %, 66.7 % (no trailing .0)."""
    return f"{float(share) * 100:.1f}".removesuffix(".0") + f"{NBSP}%"


def ballot_view(
    ballot: Ballot, borough: str | None = None, notice: str = "", voter: bool = True
) -> BallotView:
    """`borough` None and `voter`: the shared view, whose buttons vote for the presser's own
    borough; `voter` False: the view of someone who has no vote (ICBs, LIIA), with no buttons."""
    rules, tally = ballot.rules, ballot.tally
    if ballot.open:
        subtitle = f"{ballot.title}. Votes close {british_datetime(ballot.deadline)}."
    else:
        subtitle = f"{ballot.title}. Voting closed {british_datetime(ballot.deadline)}."
    own = ""
    if borough is not None:
        name = BOROUGH_NAMES.get(borough, borough)
        vote = ballot.vote_of(borough)
        own = (
            f"{name}'s vote: {vote.choice.label}, cast by {vote.cast_by} on "
            f"{british_datetime(vote.cast_at)}."
            + (
                " Any member of your borough can change it until the deadline."
                if ballot.open
                else ""
            )
            if vote
            else f"{name} has not voted yet. Any member of your borough can cast its one vote."
        )
    outcome = ""
    if ballot.result is not None:
        verdict = "Ratified" if ballot.result.passed else "Not ratified"
        why = []
        if not ballot.result.quorum_met:
            why.append(f"quorum not met ({tally.voted} of {tally.eligible} voted)")
        if not ballot.result.majority_met:
            why.append("approval as it stands was not a majority of counted votes")
        outcome = verdict + (": " + "; ".join(why) if why else "") + "."
    tally_facts = (
        Fact(
            "Boroughs voted", f"{tally.voted} of {tally.eligible} (quorum {rules.boroughs_needed})"
        ),
        Fact("Approve", str(tally.approve)),
        Fact("Approve with amendments", str(tally.amend)),
        Fact("Abstain", str(tally.abstain)),
        Fact("Not yet voted" if ballot.open else "Did not vote", str(tally.not_voted)),
        Fact(
            "To pass",
            f"{rules.boroughs_needed} boroughs vote ({rule_percent(rules.quorum)}), and more than "
            f"{rule_percent(rules.majority)} of the votes cast approve (abstentions aside)",
        ),
    )
    votes = tuple(Fact(v.name, v.choice.label) for v in ballot.votes)
    not_voted = (
        ("Not yet voted: " if ballot.open else "Did not vote: ") + ", ".join(ballot.not_voted) + "."
        if ballot.not_voted
        else ""
    )
    return BallotView(
        ratification_id=ballot.ratification_id,
        content_hash=ballot.content_hash,
        borough=borough or "",
        user_ids=ballot.refresh_user_ids,
        title=f"Ratify the Terms of Reference, version {ballot.version}",
        subtitle=subtitle,
        notice=notice,
        own=own,
        outcome=outcome,
        tally=tally_facts,
        votes=votes,
        not_voted=not_voted,
        can_vote=ballot.open and voter,
    )


class TorCards:
    """The TorPresenter of forum_ops/tor.py."""

    def ballot(
        self, ballot: Ballot, borough: str | None = None, notice: str = "", voter: bool = True
    ) -> Card:
        return render_card("tor_ballot", ballot_view(ballot, borough, notice, voter))

    def reminder(self, ballot: Ballot, borough: str, when: str) -> Card:
        notice = (
            f"Reminder: {BOROUGH_NAMES.get(borough, borough)} has not voted yet, and voting "
            f"closes {when}, at {british_datetime(ballot.deadline)}."
        )
        return self.ballot(ballot, borough, notice)

    def result(self, ballot: Ballot) -> Card:
        view = ballot_view(ballot)
        tally = ballot.tally
        return render_card(
            "notice",
            NoticeView(
                f"Terms of Reference, version {ballot.version}: {view.outcome}",
                f"{tally.voted} of {tally.eligible} boroughs voted: {tally.approve} approve, "
                f"{tally.amend} approve with amendments, {tally.abstain} abstain.",
                tuple(view.votes),
            ),
        )

    def amendments(self, ballot: Ballot) -> Card:
        rows = tuple(
            (v.name, v.cast_by, v.comment) for v in ballot.votes if v.choice is Choice.AMEND
        )[:MAX_AMENDMENTS_SHOWN]
        return render_card(
            "report",
            ReportView(
                title=f"Amendments asked for: ToR version {ballot.version}",
                subtitle=(
                    f"{len(rows)} borough(s) voted approve with amendments. "
                    "The full record: forumbot tor votes "
                    f"{ballot.version} --out votes.csv"
                ),
                tables=(
                    ReportTable(
                        "Amendments", ("Borough", "Cast by", "Comment"), rows, widths=(2, 2, 6)
                    ),
                ),
            ),
        )


TOR_CARDS = TorCards()


def _version_line(version: VersionInfo) -> str:
    state = (
        f"ratified {british_date(version.ratified_at.date())}"
        if version.ratified_at
        else "draft, not ratified"
    )
    return (
        f"Version {version.number}: {version.title} ({state}); added "
        f"{british_datetime(version.added_at)}; content hash {version.content_hash[:12]}."
    )


def status_card(status: TorStatus, secretariat: bool) -> Card:
    """`tor`: the current version, its status, what changed, and its ratification."""
    if status.version is None:
        return render_card(
            "notice",
            NoticeView(
                "Terms of Reference",
                "No version of the ToR has been added yet."
                + (" Send me the file (.docx, .md or .txt) here in 1:1." if secretariat else ""),
            ),
        )
    lines = [_version_line(status.version)]
    if status.previous is not None:
        if status.changes:
            lines.append(f"What changed since version {status.previous}:")
            lines.extend(
                _change_line(c.heading, c.change, c.words_added, c.words_removed)
                for c in status.changes[:30]
            )
        else:
            lines.append(f"No section changed since version {status.previous}.")
    ballot = status.ballot
    tables: tuple[ReportTable, ...] = ()
    if ballot is None:
        lines.append("No ratification has been opened for this version.")
        if secretariat:
            lines.append(
                f"Open one with: tor open {status.version.number} <deadline, e.g. 2026-03-13>"
            )
    else:
        view = ballot_view(ballot)
        when = british_datetime(ballot.deadline)
        lines.append(
            (f"Ratification open: votes close {when}." if ballot.open else f"Voting closed {when}.")
            + (f" {view.outcome}" if view.outcome else "")
        )  # the version's title is the line above: not again
        tables = (
            ReportTable(
                "Votes so far" if ballot.open else "Votes",
                ("", ""),
                tuple((f.title, f.value) for f in view.tally[:5]),
                widths=(3, 2),
            ),
        )
        if secretariat:
            rows = tuple((v.name, v.comment) for v in ballot.votes if v.choice is Choice.AMEND)[
                :MAX_AMENDMENTS_SHOWN
            ]
            if rows:
                tables += (
                    ReportTable(
                        "Amendments asked for", ("Borough", "Comment"), rows, widths=(2, 6)
                    ),
                )
    return render_card(
        "report",
        ReportView(
            title="Terms of Reference", subtitle=lines[0], lines=tuple(lines[1:]), tables=tables
        ),
    )


def _change_line(heading: str, change: str, added: int, removed: int) -> str:
    if change == "changed":
        return f"• {heading}: changed ({added} words added, {removed} removed)"
    return f"• {heading}: {change}"


def opened_card(report: OpenReport) -> Card:
    ballot = report.ballot
    return render_card(
        "notice",
        NoticeView(
            f"Ratification of version {ballot.version} is open",
            f"Votes close {british_datetime(ballot.deadline)}.",
            (
                Fact("Forum channel", "posted" if report.channel else "not known yet"),
                Fact("Borough members 1:1", str(report.members)),
                Fact("Not reachable", str(report.unreachable)),
                Fact(
                    "Quorum", f"{ballot.rules.boroughs_needed} of {ballot.tally.eligible} boroughs"
                ),
            ),
        ),
    )


def added_card(version: VersionInfo) -> Card:
    return render_card(
        "notice",
        NoticeView(
            f"ToR version {version.number} added",
            _version_line(version) + " Type tor to see what changed.",
        ),
    )
