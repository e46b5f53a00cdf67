"""The round robin's cards are hostile-proof: any text renders, validates against Adaptive
Cards 1.5, stays under Teams' size limit and shows literally; organisations, not people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cards import plain_text
from cards.asks import AskCards, asks_list_card, opened_card
from cards.markdown import unescape_markdown
from cards.render import MAX_CARD_BYTES
from forum_ops.asks import AskStatus, AskView, Digest, ReplyView
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
    ]
    for card in rendered:
        assert_valid_card(card.content)
        assert card.size <= MAX_CARD_BYTES
    public = rendered[:4]
    for card in public:  # the channel and responders see organisations only
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
