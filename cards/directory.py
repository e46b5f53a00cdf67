"""View models for the directory of networks and best practice, the recommendations tracker and
the quarterly report's summary, written from the services' results (forum_ops.directory.service,
forum_ops.directory.recommendations, forum_ops.report.service)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from analytics.quarters import Quarter
from cards.format import british_date
from cards.render import Card, render_card
from cards.views.common import Fact, FileOffer, NoticeView
from cards.views.directory import (
    DirectoryPage,
    Entry,
    Kind,
    Progress,
    Rag,
    Recommendation,
    Scope,
    Tracker,
)


@dataclass(frozen=True)
class EntryForm:
    """An entry's values as the form's inputs show them."""

    name: str = ""
    kind: str = Kind.FORMAL_NETWORK.value
    scope: str = Scope.PAN_LONDON.value
    topics: str = ""
    offers: str = ""
    how_to_join: str = ""
    link: str = ""
    contact: str = ""
    owner: str = ""


@dataclass(frozen=True)
class Button:
    title: str
    data: dict[str, Any]


@dataclass(frozen=True)
class EntryLine:
    id: int
    name: str
    kind_scope: str
    lines: tuple[str, ...]
    link: str
    buttons: tuple[Button, ...]  # the secretariat's, on its lists; none on a search
    form: EntryForm


@dataclass(frozen=True)
class DirectoryView:
    title: str
    subtitle: str
    entries: tuple[EntryLine, ...]
    note: str
    kinds: tuple[str, ...]
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class DirectoryFormView:
    title: str
    intro: str
    entry: EntryForm
    kinds: tuple[str, ...]
    scopes: tuple[str, ...]
    submit_title: str
    submit_data: dict[str, Any]


def _form(entry: Entry) -> EntryForm:
    d = entry.draft
    return EntryForm(
        d.name, d.kind.value, d.scope.value, "; ".join(d.topics), d.offers, d.how_to_join,
        d.link, d.contact, d.owner,
    )  # fmt: skip


def _line(entry: Entry, listing: str) -> EntryLine:
    d = entry.draft
    lines = [
        f"Topics: {', '.join(d.topics)}" if d.topics else "",
        f"Offers: {d.offers}" if d.offers else "",
        f"How to join or read it: {d.how_to_join}" if d.how_to_join else "",
        f"Contact: {d.contact}" if d.contact else "",
        f"Owner: {d.owner}" if d.owner else "",
        f"Last checked: {british_date(d.last_checked)}" if d.last_checked else "Not checked yet",
    ]
    buttons: tuple[Button, ...] = ()
    if listing == "pending":
        buttons = (
            Button("Approve", {"verb": "directory.approve", "entry": entry.id}),
            Button("Decline", {"verb": "directory.decline", "entry": entry.id}),
        )
    elif listing == "unchecked":
        buttons = (Button("Still right", {"verb": "directory.checked", "entry": entry.id}),)
    return EntryLine(
        entry.id, d.name, f"{d.kind.value}, {d.scope.value}", tuple(x for x in lines if x),
        d.link, buttons, _form(entry),
    )  # fmt: skip


def directory_view(page: DirectoryPage) -> DirectoryView:
    if page.listing == "pending":
        title = "Directory suggestions waiting for approval"
        subtitle = f"{len(page.entries)} shown, oldest first." if page.entries else "None waiting."
    elif page.listing == "unchecked":
        title = "Directory entries not checked for 12 months"
        limit = british_date(page.unchecked_before)
        subtitle = (
            f"Last checked before {limit} or never; oldest first."
            if page.entries
            else f"Every entry has been checked since {limit}."
        )
    elif page.words:
        title = f"Directory: {page.words}"
        subtitle = (
            f"{len(page.entries)} of {page.total} entries match, best first."
            if page.entries
            else f"No entry of the {page.total} matches; try fewer or other words."
        )
    else:
        title = "Directory of networks and best practice"
        subtitle = f"{page.total} entries; search with words, e.g. directory transport."
    return DirectoryView(
        title, subtitle, tuple(_line(e, page.listing) for e in page.entries),
        "Know a network or an example others should find? Suggest it below.",
        tuple(k.value for k in Kind), tuple(s.value for s in Scope),
    )  # fmt: skip


def suggestion_form() -> DirectoryFormView:
    return DirectoryFormView(
        "Suggest a network, example or tool",
        "The forum's secretariat checks each suggestion before it joins the directory. "
        "Links must start https:// (or http://).",
        EntryForm(),
        tuple(k.value for k in Kind),
        tuple(s.value for s in Scope),
        "Send the suggestion",
        {"verb": "directory.suggest"},
    )


def saved_notice(entry: Entry, what: str) -> NoticeView:
    d = entry.draft
    return NoticeView(
        f"{d.name}: {what}",
        {
            "suggested": "Thank you: the secretariat will check it before it is listed.",
            "approved": "It is in the directory now.",
            "declined": "It will not be listed.",
            "checked": "Marked as checked today.",
        }.get(what, ""),
        (Fact("Kind", d.kind.value), Fact("Scope", d.scope.value)),
    )


@dataclass(frozen=True)
class TrackerRow:
    number: int
    title: str
    status: str
    rag: str  # RED, AMBER, GREEN: the word, not a colour (Teams' amber on white is 1.47:1)
    held: str


@dataclass(frozen=True)
class TrackerView:
    title: str
    subtitle: str
    rows: tuple[TrackerRow, ...]


def tracker_view(tracker: Tracker) -> TrackerView:
    done = sum(1 for r in tracker.recommendations if r.status is Progress.DONE)
    return TrackerView(
        "Recommendations of SEND Commissioning in London",
        f"{done} of {len(tracker.recommendations)} done. Evidence the assistant holds is "
        f"counted for {tracker.period}.",
        tuple(
            TrackerRow(
                r.number,
                r.title,
                r.status.value,
                r.rag.value.upper(),
                r.held or "none",  # "-" is escaped for markdown: "\\-" on Teams mobile
            )
            for r in tracker.recommendations
        ),
    )


@dataclass(frozen=True)
class RecommendationView:
    title: str
    facts: tuple[Fact, ...]
    links: tuple[str, ...]
    editable: bool
    number: int
    status: str
    rag: str
    next_step: str
    evidence: str
    statuses: tuple[str, ...]
    rags: tuple[str, ...]


def recommendation_view(r: Recommendation, editable: bool) -> RecommendationView:
    facts = [
        Fact("Theme", r.theme),
        Fact("Lead", r.lead),
        Fact("Status", r.status.value),
        Fact("RAG", r.rag.value.upper()),
        Fact("Next step", r.next_step or "not set"),
    ]
    if r.held:
        facts.append(Fact("Held by the assistant", r.held))
    return RecommendationView(
        f"Recommendation {r.number}: {r.title}", tuple(facts),
        tuple(f"Evidence: {link}" for link in r.evidence), editable, r.number, r.status.value,
        r.rag.value, r.next_step, "\n".join(r.evidence), tuple(p.value for p in Progress),
        tuple(g.value for g in Rag),
    )  # fmt: skip


@dataclass(frozen=True)
class QuarterlyReportView:
    title: str
    message: str
    facts: tuple[Fact, ...]
    again: str = ""  # the quarter's label: a button that makes the draft afresh (the prompt)


def report_view(quarter: str, facts: Sequence[tuple[str, str]]) -> QuarterlyReportView:
    """`quarter` as people say it: "July to September 2026" (Quarter.title). The Word document
    and the workbook are offered beside the card (Card.offering), never linked."""
    return QuarterlyReportView(
        f"Quarterly report, {quarter}",
        "The draft for the ALDCS SEND Steering Group: the Word document to edit and the "
        "workbook with its figures. Choose Allow below on each and I'll put it in your OneDrive.",
        tuple(Fact(title, value) for title, value in facts),
    )


def prompt_view(quarter: Quarter, facts: Sequence[tuple[str, str]]) -> QuarterlyReportView:
    """The scheduled prompt to the secretariat, two weeks before the report is due."""
    return QuarterlyReportView(
        f"The quarterly report on {quarter.title} is due on {british_date(quarter.due)}",
        "The draft for the ALDCS SEND Steering Group is ready: the Word document to edit and the "
        "workbook with its figures. Choose Allow below on each and I'll put it in your OneDrive "
        "(for 7 days; the button makes them afresh). Its headline figures:",
        tuple(Fact(title, value) for title, value in facts),
        quarter.label,
    )


class QuarterlyReportCards:
    """The quarterly report's presenter (forum_ops/report/service.py's ReportCards port)."""

    def prompt(
        self, quarter: Quarter, facts: Sequence[tuple[str, str]], files: tuple[FileOffer, ...]
    ) -> Card:
        return render_card("quarterly_report", prompt_view(quarter, facts)).offering(*files)
