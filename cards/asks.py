"""The round robin's cards (forum_ops/asks/service.py): the ask in the channel, the 1:1 request with
Reply and Pass, replies, lists, the weekly digest and the secretariat's figures.

Organisations are named, never people, on every card the channel or a responder sees; the
secretariat's cards (escalation, report) name people.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cards.format import british_date, british_datetime, count, percent
from cards.render import Card, CardTooLarge, render_card
from cards.views.asks import (
    AskFigures,
    AskStatus,
    AskView,
    Availability,
    Digest,
    Load,
    ReplyView,
    topic_label,
)
from cards.views.common import LONDON, Fact, FileOffer, NoticeView, Person, ReportTable

ALL_TIME = datetime(2000, 1, 1, tzinfo=UTC)  # figures from here are "every ask so far"
ROWS_SHOWN = 3  # rows of each table on `asks report`: 960 px tall at 500 px with 6 (issue 13)
STATUS = {  # in words, in the default colour: Teams' green on white is 2.07:1 (issue 25)
    AskStatus.OPEN: "Open: waiting for replies",
    AskStatus.ANSWERED: "Answered",
    AskStatus.RESOLVED: "Resolved",
    AskStatus.CLOSED: "Closed unanswered",
}


def status_word(status: AskStatus) -> str:
    """The status as a sentence says it: "resolved", "closed unanswered"."""
    return STATUS[status].split(":")[0].casefold()


@dataclass(frozen=True)
class ReplyLine:
    heading: str  # who (name and organisation in 1:1; the organisation in a channel) and when
    text: str
    link: str  # a markdown link, built here from a checked http(s) address; empty: none


@dataclass(frozen=True)
class AskCardView:
    ask_id: int
    title: str
    status: str
    question: str
    details: str
    facts: tuple[Fact, ...]
    best: str
    best_title: str
    best_link: str
    controls: bool  # the author's own copy: add detail, close
    replies_title: str = ""  # `asks <number>`: the ask with its replies
    replies: tuple[ReplyLine, ...] = ()


@dataclass(frozen=True)
class RequestView:
    ask_id: int
    title: str
    question: str
    details: str
    note: str


@dataclass(frozen=True)
class ReplyCardView:
    ask_id: int
    reply_id: int
    title: str
    text: str
    link: str
    can_resolve: bool


@dataclass(frozen=True)
class AskLine:
    heading: str
    summary: str
    facts: str
    ask_id: str = ""  # as text: the `asks <number>` a press on the line runs


@dataclass(frozen=True)
class AskSection:
    title: str
    lines: tuple[AskLine, ...]


@dataclass(frozen=True)
class AskListView:
    title: str
    sections: tuple[AskSection, ...]
    empty: str
    openable: bool = False  # each line opens its ask with the replies (`asks <number>`)


@dataclass(frozen=True)
class AskReportView:
    title: str
    facts: tuple[Fact, ...]
    tables: tuple[ReportTable, ...]
    csv_name: str = ""  # every row of the tables, in a CSV offered beside the card


def replies_phrase(n: int) -> str:
    return "no replies yet" if n == 0 else "1 reply" if n == 1 else f"{n} replies"


def tags_phrase(tags: Iterable[str]) -> str:
    return ", ".join(topic_label(t) for t in tags) or "none given"


def age(since: datetime, now: datetime) -> str:
    days = (now - since).days
    if days < 1:
        hours = int((now - since).total_seconds() // 3600)
        return "under an hour" if hours < 1 else f"{hours} hour{'s' * (hours != 1)}"
    return f"{days} day{'s' * (days != 1)}"


def duration(value: timedelta | None) -> str:
    if value is None:
        return "none yet"
    hours = value.total_seconds() / 3600
    if hours < 1:
        return "under an hour"
    if hours < 48:
        return "1 hour" if round(hours) == 1 else f"{round(hours)} hours"
    return f"{hours / 24:.1f}".removesuffix(".0") + " days"


def ask_card_view(ask: AskView, controls: bool = False) -> AskCardView:
    status = STATUS[ask.status]
    facts = [
        Fact("From", ask.organisation),
        Fact("Topics", tags_phrase(ask.tags)),
        Fact("Asked", ", ".join(ask.asked) or "nobody yet: the secretariat will help"),
        Fact("Replies", replies_phrase(len(ask.replies))),
        Fact("Posted", british_datetime(ask.created_at)),
    ]
    best = ask.best
    return AskCardView(
        ask.id,
        f"Ask {ask.id}",
        status,
        ask.text,
        ask.details,
        tuple(facts),
        best.text if best else "",
        f"Most useful reply, from {best.organisation}" if best else "",
        best.link if best else "",
        controls and not ask.status.finished,
    )


class AskCards:
    """The cards the round robin sends (forum_ops.asks.service.AskCards)."""

    def posted(self, ask: AskView) -> Card:
        return render_card("ask", ask_card_view(ask))

    def request(self, ask: AskView) -> Card:
        note = (
            f"From a colleague at {ask.organisation}; topics: {tags_phrase(ask.tags)}. "
            "Reply with what you know or a link to a document, or Pass and the ask moves on. "
            f"To share a file, send it to me here with the words reply {ask.id}. "
            "With no answer in 2 working days it moves on by itself."
        )
        return render_card(
            "ask_request",
            RequestView(ask.id, f"Ask {ask.id}: can you help?", ask.text, ask.details, note),
        )

    def reply(self, ask: AskView, reply: ReplyView, for_author: bool) -> Card:
        """To the author: who replied (name and organisation, to follow up); under the ask in
        the channel: the organisation. A late reply (after the ask was resolved or closed) says
        so, and cannot be picked as the most useful."""
        late = "late " if reply.late else ""
        if for_author:
            title = (
                f"A {late}reply to your ask {ask.id}, from {reply.author_name} "
                f"({reply.organisation})"
            )
            if reply.late:
                title += f": the ask was {status_word(ask.status)} already; it is kept"
        else:
            title = f"{'Late reply' if reply.late else 'Reply'} from {reply.organisation}"
        return render_card(
            "ask_reply",
            ReplyCardView(
                ask.id,
                reply.id,
                title,
                reply.text,
                reply.link,
                for_author and not reply.late and not ask.status.finished,
            ),
        )

    def escalated(self, ask: AskView) -> Card:
        return render_card(
            "notice",
            NoticeView(
                f"Ask {ask.id} has nobody left to answer it",
                f"{ask.author_name} ({ask.organisation}) asked: {ask.text}",
                (
                    Fact("Asked", ", ".join(ask.asked) or "nobody could be asked"),
                    Fact("Topics", tags_phrase(ask.tags)),
                    Fact("Posted", british_datetime(ask.created_at)),
                ),
            ),
        )

    def digest(self, digest: Digest) -> Card:
        now = digest.since + timedelta(days=7)
        sections = []
        if digest.waiting:
            lines = tuple(ask_line(a, now) for a in digest.waiting)
            sections.append(AskSection("Waiting for an answer", lines))
        if digest.answered:
            lines = tuple(ask_line(a, now) for a in digest.answered)
            sections.append(AskSection("Answered this past week", lines))
        title = f"Round robin: the week to {british_date(now.astimezone(LONDON).date())}"
        return render_card("ask_list", AskListView(title, tuple(sections), "Nothing this week."))


def ask_line(ask: AskView, now: datetime) -> AskLine:
    status = STATUS[ask.status]
    facts = (
        f"{ask.organisation} · {tags_phrase(ask.tags)} · {replies_phrase(len(ask.replies))}"
        f" · {age(ask.created_at, now)} old"
    )
    return AskLine(f"Ask {ask.id} · {status}", ask.text, facts, str(ask.id))


def asks_list_card(which: str, asks: list[AskView], now: datetime) -> Card:
    titles = {
        "open": "Open asks",
        "mine": "Your asks",
        "all": "All asks, newest first",
    }
    title = titles.get(which, f"Asks matching “{which}”")
    lines = tuple(ask_line(a, now) for a in asks)
    shown = f"{len(lines)} shown: press one (or say asks <number>) to read it with its replies"
    sections = (AskSection(shown, lines),) if lines else ()
    empty = "None. Start one with ask <your question>."
    return render_card("ask_list", AskListView(title, sections, empty, openable=True))


THREAD_CLIPS = (1500, 600, 200)  # each reply's text, shorter until the card fits Teams' limit


def _link(url: str) -> str:
    """A markdown link to a reply's checked http(s) address (no spaces: forum_ops/asks/service.py)."""
    safe = url.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
    host = safe.split("//", 1)[-1].split("/", 1)[0]
    return f"[Open the link ({host})]({safe})"


def _reply_line(ask: AskView, reply: ReplyView, names: bool, clip: int) -> ReplyLine:
    who = f"{reply.author_name} ({reply.organisation})" if names else reply.organisation
    marks = []
    if ask.best is not None and ask.best.id == reply.id:
        marks.append("most useful")
    if reply.late:
        marks.append(f"late: after the ask was {status_word(ask.status)}")
    mark = f" ({'; '.join(marks)})" if marks else ""
    text = reply.text if len(reply.text) <= clip else reply.text[: clip - 1].rstrip() + "…"
    heading = f"{who}, {british_datetime(reply.created_at)}{mark}"
    return ReplyLine(heading, text, _link(reply.link) if reply.link else "")


def ask_thread_card(ask: AskView, names: bool) -> Card:
    """`asks <number>`: the ask and every reply, oldest first: who replied (name and
    organisation in 1:1, so the reader can follow up; the organisation in a channel), when,
    the text and the link. Long replies are shortened until the card fits Teams' limit."""
    view = ask_card_view(ask)
    if not ask.replies:
        title = "No replies yet."
    elif names:
        title = f"Replies ({len(ask.replies)})"
    else:
        title = f"Replies ({len(ask.replies)}); ask me 1:1 to see who replied"
    for clip in THREAD_CLIPS:
        lines = tuple(_reply_line(ask, r, names, clip) for r in ask.replies)
        thread = AskCardView(
            **{**view.__dict__, "best": "", "replies_title": title, "replies": lines}
        )
        try:
            return render_card("ask", thread)
        except CardTooLarge:
            continue
    raise CardTooLarge(f"ask {ask.id} with its replies does not fit a card")


def opened_sentence(ask: AskView, asked: int, posted: bool) -> str:
    where = "posted in the peer-support channel" if posted else "not posted: no channel yet"
    people = (
        f"sent to {asked} colleague{'s' * (asked != 1)} at {', '.join(ask.asked)}"
        if asked
        else "nobody could be asked yet: the secretariat has been told"
    )
    return f"Your ask {ask.id} is {where}, and {people}. Replies come to you 1:1."


def opened_card(ask: AskView, asked: int, posted: bool) -> Card:
    """The author's own copy of a new ask: what happened, and Add detail / Close."""
    view = ask_card_view(ask, controls=True)
    status = opened_sentence(ask, asked, posted)
    return render_card("ask", AskCardView(**{**view.__dict__, "status": status}))


def availability_card(state: Availability, own: bool) -> Card:
    who = "You are" if own else f"{state.member.name} is"
    if not state.away:
        message = f"{who} back in the round robin: asks can come {'to you' if own else 'to them'}."
    elif state.until:
        message = f"{who} away until {british_date(state.until)}: no asks until then."
    else:
        message = f"{who} away until you say back: no asks meanwhile."
    return render_card("notice", NoticeView("Round robin", message))


def topics_card(member: Person, own: bool) -> Card:
    whose = "Your topics" if own else f"{member.name}'s topics"
    listed = ", ".join(member.topics) or "none yet"
    return render_card(
        "notice",
        NoticeView(
            whose,
            f"{listed}. Asks on these topics come first to you. "
            "Change them with topics add <topic> or topics remove <topic>.",
        ),
    )


def _load_rows(loads: tuple[Load, ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (x.name, count(x.asked), count(x.replied), count(x.passed), count(x.expired)) for x in loads
    )


def _capped(
    title: str, header: tuple[str, ...], rows: tuple[tuple[str, ...], ...], noun: str
) -> ReportTable:
    """The first ROWS_SHOWN rows (the busiest: the figures come sorted), and "and N more"."""
    more = len(rows) - ROWS_SHOWN
    note = f"and {count(more)} more {noun}{'s' * (more != 1)}" if more > 0 else ""
    return ReportTable(title, header, rows[:ROWS_SHOWN], note, (5, 2, 2, 2, 2)[: len(header)])


def report_card(figures: AskFigures, csv: FileOffer | None = None) -> Card:
    """The secretariat's figures, readable at a glance: the headline facts, then each table's
    busiest rows (ROWS_SHOWN) and how many more there are; every row is in the CSV `csv`,
    offered beside the card (a file consent card: the file goes to their OneDrive)."""
    share = figures.answered_share
    facts = (
        Fact("Asks", count(figures.asks)),
        Fact(
            "Answered",
            f"{count(figures.answered)} ({percent(share) if share is not None else 'n/a'})",
        ),
        Fact("Resolved", count(figures.resolved)),
        Fact("Closed unanswered", count(figures.closed_unanswered)),
        Fact("Median first reply", duration(figures.median_first_reply)),
        Fact("Re-routes", count(figures.reroutes)),
        Fact("Secretariat told", count(figures.escalated)),
        Fact(
            "Matched on topic",
            percent(figures.topic_match_share) if figures.topic_match_share is not None else "n/a",
        ),
    )
    header = ("asked", "replied", "passed", "no answer")
    tables = (
        _capped(
            "Busiest topics",
            ("topic", "asks", "answered", "first reply"),
            tuple(
                (
                    topic_label(t.tag),
                    count(t.asks),
                    count(t.answered),
                    duration(t.median_first_reply),
                )
                for t in figures.by_topic
            ),
            "topic",
        ),
        _capped("Most asked members", ("member", *header), _load_rows(figures.by_member), "member"),
        _capped(
            "Most asked organisations",
            ("organisation", *header),
            _load_rows(figures.by_organisation),
            "organisation",
        ),
    )
    start, end = (
        figures.start.astimezone(LONDON).date(),
        (figures.end - timedelta(seconds=1)).astimezone(LONDON).date(),
    )
    title = (
        f"Round robin: every ask to {british_date(end)}"
        if figures.start <= ALL_TIME
        else f"Round robin, {british_date(start)} to {british_date(end)}"
    )
    if csv is None:
        return render_card("ask_report", AskReportView(title, facts, tables))
    return render_card("ask_report", AskReportView(title, facts, tables, csv.filename)).offering(
        csv
    )
