"""`forumbot chat`: a terminal conversation through the real adapter over HTTP."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from bot.chat import run_chat, show_card
from bot.settings import Settings
from bot.testing import FakeConnector
from forum_ops.db import Database
from tests.conftest import CAMDEN, LIIA, make_settings
from tests.support.chat import in_chat

Answer = str | Callable[[str], str]  # typed, or worked out from the transcript so far


def answering(
    said: list[str], *answers: Answer, prompts: list[str] | None = None
) -> Callable[[str], str]:
    """The member at the keyboard: each prompt gets the next answer."""
    queue = iter(answers)

    def ask(prompt: str) -> str:
        if prompts is not None:
            prompts.append(prompt)
        answer = next(queue)
        return answer if isinstance(answer, str) else answer("\n".join(said))

    return ask


def button(title: str) -> Callable[[str], str]:
    """The number the chat shows for the latest button with this title."""
    return lambda transcript: re.findall(rf"  \[(\d+)\] {re.escape(title)}\n", transcript + "\n")[
        -1
    ]


def waiting_for(
    said: list[str], text: str, then: str = "quit", within: float = 15.0
) -> Callable[[str], str]:
    """Sit at the prompt, typing nothing, until the transcript shows `text`."""

    def wait(_: str) -> str:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline and text not in "\n".join(said):
            time.sleep(0.05)
        return then

    return wait


async def test_a_terminal_conversation_shows_cards_and_picks_actions(
    database: Database, connector: FakeConnector
) -> None:
    said: list[str] = []

    code = await run_chat(
        make_settings(database, connector),
        CAMDEN,
        ask=answering(said, "whoamm", button("Who am I?"), "quit"),
        say=said.append,
    )

    assert code == 0
    transcript = "\n".join(said)
    assert "WELCOME TO THE PAN-LONDON SEND COMMISSIONING FORUM ASSISTANT" in transcript
    assert "Hello Priya Shah." in transcript
    assert "  [1] What can you do?" in transcript  # the welcome's button, numbered
    assert "  [2] Who am I?" in transcript  # the suggestion's: numbered on through the chat
    assert "  Organisation  Camden (202)" in transcript  # picked: whoami's facts, aligned
    assert "data submitter, member" in transcript


async def test_links_follow_the_port_the_chat_serves_on(
    database: Database, connector: FakeConnector
) -> None:
    """Without --url the chat serves the bot on a free port: the return template's link (and
    the charts') point there, not at 3978, unless FORUM_PUBLIC_URL is set."""
    named = make_settings(database, connector)
    settings = Settings(_env_file=None, **named.model_dump(exclude={"forum_public_url"}))  # type: ignore[call-arg]
    said: list[str] = []
    ask = answering(said, "returns", button("Download the template"), "quit")

    assert await run_chat(settings, CAMDEN, ask=ask, say=said.append) == 0

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
    said: list[str] = []
    ask = answering(said, "returns", button("Download the template"), "quit")

    await run_chat(settings, CAMDEN, ask=ask, say=said.append)

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
    from cards.views.common import ReportTable, ReportView

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


async def test_a_proactive_card_shows_as_it_arrives_while_the_member_types_nothing(
    database: Database, connector: FakeConnector
) -> None:
    """Priya sits at the prompt; the secretariat announces (from elsewhere): she sees it."""
    said: list[str] = []

    def announce(transcript: str) -> str:
        served = re.search(r"assistant at (http://127\.0\.0\.1:\d+)\.", transcript)
        assert served
        message = in_chat(connector, LIIA, "announce The forum meets on Thursday", id="a1")
        request = urllib.request.Request(  # noqa: S310 - the chat's own loopback server
            f"{served.group(1)}/api/messages", json.dumps(message).encode(),
            {"Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=30):  # noqa: S310
            pass
        return ""

    ask = answering(said, announce, waiting_for(said, "The forum meets on Thursday"))
    await run_chat(make_settings(database, connector), CAMDEN, ask=ask, say=said.append)

    assert "The forum meets on Thursday" in "\n".join(said)


async def test_earlier_buttons_stay_pressable_and_a_showcard_opens_in_the_terminal(
    database: Database, connector: FakeConnector
) -> None:
    said: list[str] = []
    prompts: list[str] = []
    ask = answering(
        said,
        "whoamm",  # a card with a "Who am I?" button
        "help",  # a later card
        button("Ask the forum"),  # Action.ShowCard: its form opens here
        button("Ask"),
        "Has anyone a spot-purchase template?",  # the form's question, prompted for
        button("Who am I?"),  # the earlier card's button
        "quit",
        prompts=prompts,
    )

    await run_chat(make_settings(database, connector), CAMDEN, ask=ask, say=said.append)

    transcript = "\n".join(said)
    assert "I don't recognise that button" not in transcript
    assert any("Your question" in p for p in prompts)  # the ShowCard's input, prompted for
    assert "ASK " in transcript
    assert "Has anyone a spot-purchase template?" in transcript
    assert transcript.rindex("Organisation  Camden (202)") > transcript.rindex("spot-purchase")


async def test_a_file_is_sent_with_slash_file(
    database: Database, connector: FakeConnector, tmp_path: Path
) -> None:
    draft = tmp_path / "terms of reference.md"
    draft.write_text("# Purpose\nThe forum helps commissioners.\n\n# Membership\nAll 33.\n")
    said: list[str] = []
    ask = answering(said, f'/file "{draft}"', "/file nowhere.md", "quit")

    await run_chat(make_settings(database, connector), LIIA, ask=ask, say=said.append)

    transcript = "\n".join(said)
    assert "TOR VERSION 1 ADDED" in transcript  # the heading, as the terminal shows one
    assert "(cannot read nowhere.md" in transcript
