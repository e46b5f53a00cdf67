"""`forumbot chat`: a terminal conversation through the real adapter over HTTP."""

from __future__ import annotations

import re

from bot.chat import run_chat, show_card
from bot.settings import Settings
from bot.testing import FakeConnector
from forum_ops.db import Database
from tests.conftest import CAMDEN, make_settings


async def test_a_terminal_conversation_shows_cards_and_picks_actions(
    database: Database, connector: FakeConnector
) -> None:
    answers = iter(["whoamm", "1", "quit"])
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
    assert "  [1] Who am I?" in transcript  # the suggestion's button, numbered
    assert "  Organisation  Camden (202)" in transcript  # picked: whoami's facts, aligned
    assert "data submitter, member" in transcript


async def test_links_follow_the_port_the_chat_serves_on(
    database: Database, connector: FakeConnector
) -> None:
    """Without --url the chat serves the bot on a free port: the return template's link (and
    the charts') point there, not at 3978, unless FORUM_PUBLIC_URL is set."""
    named = make_settings(database, connector)
    settings = Settings(_env_file=None, **named.model_dump(exclude={"forum_public_url"}))  # type: ignore[call-arg]
    answers = iter(["returns", "1", "quit"])  # 1: the template's link
    said: list[str] = []

    assert await run_chat(settings, CAMDEN, ask=lambda prompt: next(answers), say=said.append) == 0

    transcript = "\n".join(said)
    served = re.search(r"assistant at (http://127\.0\.0\.1:(\d+))\.", transcript)
    assert served, transcript
    assert served.group(2) != "3978"
    assert f"{served.group(1)}/returns/inmss-return-template.xlsx" in transcript
    assert ":3978" not in transcript


async def test_a_public_url_in_the_settings_is_kept(
    database: Database, connector: FakeConnector
) -> None:
    settings = make_settings(database, connector, forum_public_url="https://forum.example.org")
    answers = iter(["returns", "1", "quit"])  # 1: the template's link
    said: list[str] = []

    await run_chat(settings, CAMDEN, ask=lambda prompt: next(answers), say=said.append)

    assert "https://forum.example.org/returns/inmss-return-template.xlsx" in "\n".join(said)


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
