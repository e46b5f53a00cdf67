"""`forumbot chat`: a terminal conversation through the real adapter over HTTP."""

from __future__ import annotations

from bot.chat import run_chat, show_card
from bot.testing import FakeConnector
from forum_ops.db import Database
from tests.conftest import CAMDEN, make_settings


async def test_a_terminal_conversation_shows_cards_and_picks_actions(
    database: Database, connector: FakeConnector
) -> None:
    answers = iter(["help", "1", "quit"])
    said: list[str] = []

    code = await run_chat(
        make_settings(database, connector),
        CAMDEN,
        ask=lambda prompt: next(answers),
        say=said.append,
    )

    assert code == 0
    transcript = "\n".join(said)
    assert "WELCOME TO THE PAN-LONDON SEND COMMISSIONING FORUM ASSISTANT" in transcript
    assert "Hello Priya Shah." in transcript
    assert "  [1] Who am I?" in transcript  # help's quick action, numbered
    assert "  Organisation  Camden (202)" in transcript  # picked: whoami's facts, aligned
    assert "data submitter, member" in transcript


def test_inputs_and_actions_are_found_for_prompting() -> None:
    card = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [
            {"type": "TextBlock", "text": "Vote on the ToR", "weight": "Bolder"},
            {
                "type": "Input.ChoiceSet",
                "id": "vote",
                "choices": [{"title": "Approve", "value": "a"}],
            },
            {"type": "ActionSet", "actions": [{"type": "Action.Submit", "title": "Inline"}]},
        ],
        "actions": [{"type": "Action.Execute", "title": "Cast vote", "verb": "vote.cast"}],
    }

    shown = show_card(card)

    assert shown.lines == ["VOTE ON THE TOR"]
    assert [i["id"] for i in shown.inputs] == ["vote"]
    assert [a["title"] for a in shown.actions] == ["Inline", "Cast vote"]  # as Teams shows them


def test_links_read_as_text_and_address() -> None:
    card = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [
            {
                "type": "TextBlock",
                "weight": "Bolder",
                "text": "[Wren\\_hollow School](https://example.org/1)",
            },
        ],
    }
    assert show_card(card).lines == ["Wren_hollow School <https://example.org/1>"]


def test_tables_line_up_in_the_terminal() -> None:
    from cards import plain_text, render_card
    from cards.views import ReportTable, ReportView

    card = render_card(
        "report",
        ReportView(
            "Benchmark",
            "Cost per placement",
            (
                ReportTable(
                    "By need",
                    ("", "Median"),
                    (("SEMH", "£67,819.83"), ("VI", "not shown: fewer than 3 boroughs")),
                ),
            ),
        ),
    ).content

    assert show_card(card).lines[3:] == [
        "        Median",
        "  SEMH  £67,819.83",
        "  VI    not shown: fewer than 3 boroughs",
    ]
    assert " | Median\nSEMH | £67,819.83" in plain_text(card)
