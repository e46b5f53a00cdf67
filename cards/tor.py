"""The ToR's cards: the ratification's vote card (shared and each borough's own view), the
reminder, the result post, the amendments for the secretariat and `tor`'s status card."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from cards.format import NBSP, british_date, british_datetime
from cards.render import Card, CardTooLarge, render_card
from cards.views.common import Fact, NoticeView, ReportTable, ReportView
from cards.views.tor import (
    Ballot,
    Choice,
    NumberedSection,
    OpenReport,
    SectionChange,
    TorReading,
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
    version: int = 0
    changed: str = ""  # "What changed since version 1:" or "Version 1 is the first."
    change_lines: tuple[str, ...] = ()  # by section number, as Read shows them


MAX_CHANGE_LINES = 10  # on the ballot; Read shows every section


def changes_lines(
    previous: int | None, changes: tuple[SectionChange, ...], version: int
) -> tuple[str, tuple[str, ...]]:
    """What changed since the version before, a line per section, numbered as Read numbers
    them (so "§3" in an amendment is a section people can see)."""
    if previous is None:
        return f"Version {version} is the first version: Read it before you vote.", ()
    if not changes:
        return f"No section changed since version {previous}.", ()
    lines = [_change_line(c) for c in changes[:MAX_CHANGE_LINES]]
    if len(changes) > MAX_CHANGE_LINES:
        lines.append(f"and {len(changes) - MAX_CHANGE_LINES} more: Read shows each change")
    return f"What changed since version {previous}:", tuple(lines)


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
        name = ballot.borough_name(borough)
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
    changed, lines = changes_lines(ballot.previous, ballot.changes, ballot.version)
    return BallotView(
        version=ballot.version,
        changed=changed,
        change_lines=lines,
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


def ballot_card(
    ballot: Ballot, borough: str | None = None, notice: str = "", voter: bool = True
) -> Card:
    """The vote card: `borough` None is the shared view; a voter's own has the buttons."""
    return render_card("tor_ballot", ballot_view(ballot, borough, notice, voter))


class TorCards:
    """The ToR's presenter (forum_ops/tor/ratification.py's TorPresenter), given to the ToR
    service by bot/services.py and to its jobs by bot/commands/tor/jobs.py."""

    def ballot(
        self, ballot: Ballot, borough: str | None = None, notice: str = "", voter: bool = True
    ) -> Card:
        return ballot_card(ballot, borough, notice, voter)

    def reminder(self, ballot: Ballot, borough: str, when: str) -> Card:
        notice = (
            f"Reminder: {ballot.borough_name(borough)} has not voted yet. Voting closes "
            f"{when}: {british_datetime(ballot.deadline)}."
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


def _version_line(version: VersionInfo) -> str:
    state = (
        f"ratified {british_date(version.ratified_at.date())}"
        if version.ratified_at
        else "draft, not ratified"
    )
    return (
        f"Version {version.number}: {version.title} ({state}); added "
        f"{british_datetime(version.added_at)}."
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
    with_changes = ", with what changed," if status.previous else ""
    lines.append(f"Read it section by section{with_changes}: tor read {status.version.number}")
    if status.previous is not None:
        if status.changes:
            lines.append(f"What changed since version {status.previous}:")
            lines.extend(_change_line(c) for c in status.changes[:30])
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


def _change_line(change: SectionChange) -> str:
    where = f"§{change.number} {change.heading}" if change.number else change.heading
    if change.change == "changed":
        return (
            f"• {where}: changed ({change.words_added} words added, {change.words_removed} removed)"
        )
    return f"• {where}: {change.change}"


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


# -- reading a version (the ballot's and tor's Read button, `tor read [<version>]`) ------------

PAGE_BYTES = (12_000, 6_000, 3_000)  # each page's text; smaller until the card fits 28 KB
PART_OVERHEAD = 400  # bytes of JSON around a section's text blocks


@dataclass(frozen=True)
class ReadPart:
    heading: str  # "§3 Membership", with "(changed since version 1)" or "(continued)"
    body: str
    diff: tuple[str, ...]  # "Removed: “…”" / "Added: “…”", on a changed section's first part
    changed: bool


@dataclass(frozen=True)
class ReadButton:
    title: str
    verb: str
    data: tuple[tuple[str, int], ...]  # the button's data besides the verb


@dataclass(frozen=True)
class ReadView:
    title: str
    subtitle: str
    parts: tuple[ReadPart, ...]
    removed: str
    buttons: tuple[ReadButton, ...]


def _diff_lines(section: NumberedSection) -> tuple[str, ...]:
    return tuple(
        f"{'Removed' if part.kind == 'removed' else 'Added'}: “{part.text}”"
        for part in section.diff
    )


def _chunks(body: str, budget: int) -> list[str]:
    """A section's text in pieces of at most `budget` bytes, cut between paragraphs (or lines,
    or, for one very long line, between words)."""
    pieces: list[str] = []
    current = ""
    for paragraph in body.split("\n"):
        while len(paragraph.encode()) > budget:  # one line longer than a page
            cut = paragraph[: budget // 4].rsplit(" ", 1)[0] or paragraph[: budget // 4]
            if current:
                pieces.append(current)
                current = ""
            pieces.append(cut)
            paragraph = paragraph[len(cut) :].lstrip()
        joined = f"{current}\n{paragraph}" if current else paragraph
        if len(joined.encode()) > budget and current:
            pieces.append(current)
            current = paragraph
        else:
            current = joined
    if current or not pieces:
        pieces.append(current)
    return pieces


def read_pages(reading: TorReading, budget: int) -> list[tuple[ReadPart, ...]]:
    """The version's sections as pages of about `budget` bytes, in order."""
    pages: list[list[ReadPart]] = [[]]
    used = 0
    for section in reading.sections:
        title = f"§{section.number} {section.heading}"
        mark = (
            f" (changed since version {reading.previous})"
            if section.change == "changed"
            else f" (new since version {reading.previous})"
            if section.change == "added"
            else ""
        )
        diff = _diff_lines(section)
        for n, chunk in enumerate(_chunks(section.body, budget // 2)):
            part = ReadPart(
                title + (mark if n == 0 else " (continued)"),
                chunk,
                diff if n == 0 else (),
                bool(section.change) and n == 0,
            )
            size = PART_OVERHEAD + sum(len(t.encode()) for t in (part.body, *part.diff))
            if pages[-1] and used + size > budget:
                pages.append([])
                used = 0
            pages[-1].append(part)
            used += size
    return [tuple(page) for page in pages]


def reading_card(reading: TorReading, page: int = 1) -> Card:
    """A version's text, a page at a time: numbered sections (as amendments cite them), what
    changed in each since the version before, Previous and Next, and back to the vote."""
    version = reading.version
    for budget in PAGE_BYTES:
        pages = read_pages(reading, budget)
        shown = min(max(page, 1), len(pages))
        state = (
            f"ratified {british_date(version.ratified_at.date())}"
            if version.ratified_at
            else "draft, not ratified"
        )
        subtitle = f"{version.title} ({state}), added {british_datetime(version.added_at)}."
        if reading.previous is not None:
            subtitle += (
                f" What changed since version {reading.previous} is marked under each section."
            )
        if len(pages) > 1:
            subtitle += f" Page {shown} of {len(pages)}."
        buttons = []
        if shown > 1:
            buttons.append(
                ReadButton(
                    "Previous page", "tor.read", (("version", version.number), ("page", shown - 1))
                )
            )
        if shown < len(pages):
            buttons.append(
                ReadButton(
                    "Next page", "tor.read", (("version", version.number), ("page", shown + 1))
                )
            )
        if reading.open_ratification is not None:
            buttons.append(
                ReadButton(
                    "Back to the vote", "tor.view", (("ratification", reading.open_ratification),)
                )
            )
        removed = (
            f"Removed since version {reading.previous}: " + "; ".join(reading.removed) + "."
            if reading.removed and shown == len(pages)
            else ""
        )
        view = ReadView(
            f"Terms of Reference, version {version.number}",
            subtitle,
            pages[shown - 1],
            removed,
            tuple(buttons),
        )
        try:
            return render_card("tor_text", view)
        except CardTooLarge:
            continue
    raise CardTooLarge(f"ToR version {version.number} page {page} does not fit a card")
