"""The round robin's cards are hostile-proof: any text renders, validates against Adaptive
Cards 1.5, stays under Teams' size limit and shows literally; organisations, not people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cards import plain_text, render_card
from cards.asks import (
    ALL_TIME,
    AskCards,
    ask_card_view,
    ask_thread_card,
    asks_list_card,
    duration,
    opened_card,
    report_card,
)
from cards.markdown import unescape_markdown
from cards.render import MAX_CARD_BYTES
from cards.views.asks import AskFigures, Load, TopicFigures
from forum_ops.asks.service import AskStatus, AskView, Digest, ReplyView
from tests.support.cardcheck import assert_valid_card, card_texts

AT = datetime(2026, 1, 22, 10, tzinfo=UTC)
HOSTILE = [
    'quote " backslash \\ star * under _ [x](https://evil.example) <at>Everyone</at> 🎉',
    "x" * 5000,
    "",
]


def ask(text: str, status: AskStatus = AskStatus.ANSWERED) -> AskView:
    reply = ReplyView(7, "Hackney", "Rae Person", text or "ok", "https://x.sharepoint.com/a b", AT)
    return AskView(
        id=3,
        text=text or "q",
        details=text,
        tags=("s75", "transport"),
        status=status,
        organisation="Camden",
        author_name="Priya Shah",
        author_aad="aad",
        created_at=AT,
        asked=("Hackney", "Greenwich", "NHS North Central London ICB"),
        waiting=1,
        replies=(reply,),
        best=reply if status is AskStatus.RESOLVED else None,
        escalated=False,
    )


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("status", list(AskStatus))
def test_every_ask_card_survives_any_text(text: str, status: AskStatus) -> None:
    cards = AskCards()
    view = ask(text, status)
    rendered = [
        cards.posted(view),
        cards.request(view),
        cards.reply(view, view.replies[0], for_author=True),
        cards.reply(view, view.replies[0], for_author=False),
        cards.escalated(view),
        cards.digest(Digest((view,), (view,), AT - timedelta(days=7))),
        opened_card(view, 3, True),
        asks_list_card("all", [view] * 15, AT + timedelta(days=2)),
        ask_thread_card(view, names=True),
        ask_thread_card(view, names=False),
    ]
    for card in rendered:
        assert_valid_card(card.content)
        assert card.size <= MAX_CARD_BYTES
    # the channel and responders see organisations only; the author is told who replied (to
    # follow up), and `asks <number>` names them in 1:1 only
    public = [rendered[0], rendered[1], rendered[3], rendered[-1]]
    assert "Rae Person (Hackney)" in plain_text(rendered[2].content)
    assert "Rae Person (Hackney)" in plain_text(rendered[-2].content)
    for card in public:
        assert "Priya" not in plain_text(card.content)
        assert "Rae Person" not in plain_text(card.content)
    if text and len(text) < 4000:
        shown = [unescape_markdown(t) for t in card_texts(rendered[0].content)]
        assert text in shown  # literally, never as markdown or a mention


def test_the_posted_card_says_how_many_replies_and_the_most_useful_one() -> None:
    resolved = AskCards().posted(ask("Our draft", AskStatus.RESOLVED))
    text = plain_text(resolved.content)
    assert "1 reply" in text
    assert "Most useful reply, from Hackney" in text
    assert "Resolved" in text


@pytest.mark.parametrize(
    ("wait", "shown"),
    [
        (timedelta(minutes=20), "under an hour"),
        (timedelta(minutes=70), "1 hour"),
        (timedelta(hours=6, minutes=10), "6 hours"),
        (timedelta(hours=60), "2.5 days"),
        (timedelta(days=3), "3 days"),
        (None, "none yet"),
    ],
)
def test_waits_read_as_people_say_them(wait: timedelta | None, shown: str) -> None:
    """Drawn at 500 px the report said "0.0 hours" and "6.0 hours"."""
    assert duration(wait) == shown


def figures(start: datetime) -> AskFigures:
    load = (Load("aad", "Sam Demo (Camden)", 3, 1, 1, 1),)
    topics = (TopicFigures("transport", 2, 1, timedelta(hours=6)),)
    return AskFigures(start, AT, 2, 1, 0, 0, timedelta(hours=6), 1, 0, 0.5, topics, load, load)


def test_the_report_of_every_ask_says_so_rather_than_since_2000() -> None:
    card = report_card(figures(ALL_TIME)).content
    assert_valid_card(card)
    assert card_texts(card)[0] == "Round robin: every ask to Thursday 22 January 2026"
    assert "2000" not in plain_text(card)
    week = report_card(figures(AT - timedelta(days=7))).content
    assert (
        card_texts(week)[0] == "Round robin, Thursday 15 January 2026 to Thursday 22 January 2026"
    )


def test_an_open_ask_is_not_in_faint_yellow() -> None:
    card = render_card("ask", ask_card_view(ask("q", AskStatus.OPEN))).content
    colours = {str(e.get("color", "")).casefold() for e in card["body"] if e["type"] == "TextBlock"}
    assert "warning" not in colours
    assert "Open: waiting for replies" in card_texts(card)


def _table_rows(card: dict[str, Any]) -> list[list[str]]:
    """Each Table's rows after its header, as the first cell's text."""
    return [
        [unescape_markdown(row["cells"][0]["items"][0]["text"]) for row in element["rows"][1:]]
        for element in card["body"]
        if element["type"] == "Table"
    ]


def test_the_report_shows_the_busiest_rows_and_counts_the_rest() -> None:
    """`asks report` was 960 px tall at 500 px with six rows a table: each table keeps its
    three busiest rows (the figures come sorted, busiest first) and says how many more."""
    topics = tuple(TopicFigures(f"tag{n:02d}", 20 - n, 1, None) for n in range(12))
    members = tuple(Load(f"m{n}", f"Member {n:02d} (Camden)", 30 - n, 1, 0, 0) for n in range(15))
    organisations = tuple(Load(f"o{n}", f"Org {n:02d}", 30 - n, 1, 0, 0) for n in range(4))
    base = figures(ALL_TIME)
    many = AskFigures(**{**base.__dict__, "by_topic": topics, "by_member": members,
                         "by_organisation": organisations})  # fmt: skip
    card = report_card(many).content
    assert_valid_card(card)
    assert _table_rows(card) == [
        ["tag00", "tag01", "tag02"],  # an unknown tag shows as given
        ["Member 00 (Camden)", "Member 01 (Camden)", "Member 02 (Camden)"],
        ["Org 00", "Org 01", "Org 02"],
    ]
    text = plain_text(card)
    assert "and 9 more topics" in text
    assert "and 12 more members" in text
    assert "and 1 more organisation" in text
    few = report_card(base).content  # one row each: nothing is left off, nothing to say
    assert "more" not in plain_text(few)
