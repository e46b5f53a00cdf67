"""`suppliers` in chat and the search messaging extension, end to end over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.commands.suppliers.imports import import_suppliers
from bot.testing import BotClient, FakeConnector
from cards import plain_text
from forum_ops.db import Database
from tests.conftest import CAMDEN, NOW, STRANGER, activity, make_settings, serve
from tests.support.cardcheck import assert_valid_card
from tests.support.chat import in_chat
from tests.support.gias import london_text


@pytest.fixture
async def bot_with_schools(
    database: Database, connector: FakeConnector
) -> AsyncIterator[BotClient]:
    import_suppliers(database, london_text().encode(), "demo.csv", NOW)
    async for client in serve(make_settings(database, connector), database):
        yield client


async def ask(bot: BotClient, connector: FakeConnector, text: str) -> dict:
    before = len(connector.sent_cards())
    await bot.post(
        activity(
            "message_channel_mention",
            connector,
            text=f"<at>ridotest</at> {text}",
            id=f"q{before}",
            **{"from.aadObjectId": CAMDEN},
        )
    )
    return connector.sent_cards()[-1]


async def test_suppliers_asd_primary_camden_is_a_valid_card(
    bot_with_schools: BotClient, connector: FakeConnector
) -> None:
    card = await ask(bot_with_schools, connector, "suppliers ASD primary Camden")

    assert_valid_card(card)
    shown = plain_text(card)
    assert "Specialist schools: ASD primary Camden" in shown
    schools = [e for e in card["body"] if e["type"] == "Container"]
    assert 1 <= len(schools) <= 10
    for school in schools:
        name, summary, details = (item["text"] for item in school["items"])
        assert (
            "get-information-schools.service.gov.uk/Establishments/Establishment/Details/9" in name
        )
        assert "Camden" in summary
        assert "ASD" in details


@pytest.mark.parametrize(
    ("typed", "borough"),
    [
        ("Hammersmith", "Hammersmith and Fulham"),
        ("the City", "City of London"),
        ("Kingston", "Kingston upon Thames"),
        ("207", "Kensington and Chelsea"),
    ],
)
async def test_suppliers_take_the_names_people_use(
    bot_with_schools: BotClient, connector: FakeConnector, typed: str, borough: str
) -> None:
    card = await ask(bot_with_schools, connector, f"suppliers {typed}")

    schools = [e for e in card["body"] if e["type"] == "Container"]
    assert schools, plain_text(card)
    for school in schools:
        _, summary, _ = (item["text"] for item in school["items"])
        assert f", {borough}, " in summary


async def test_more_pages_through_the_results(
    bot_with_schools: BotClient, connector: FakeConnector
) -> None:
    first = await ask(bot_with_schools, connector, "suppliers ASD")
    [more] = first["actions"]
    assert more["data"] == {"verb": "suppliers.more", "query": "ASD", "offset": 10}
    await bot_with_schools.post(
        activity(
            "message_value_submit", connector, value=more["data"], **{"from.aadObjectId": CAMDEN}
        )
    )
    second = connector.sent_cards()[-1]
    assert_valid_card(second)
    assert "Showing 11–20 of" in plain_text(second)


async def test_a_forged_more_is_refused(
    bot_with_schools: BotClient, connector: FakeConnector
) -> None:
    await bot_with_schools.post(
        activity(
            "message_value_submit",
            connector,
            value={"verb": "suppliers.more", "query": "ASD", "offset": -5},
            **{"from.aadObjectId": CAMDEN},
        )
    )
    assert "I don't recognise that button" in plain_text(connector.sent_cards()[-1])


async def test_an_empty_result_says_which_filter_to_relax(
    bot_with_schools: BotClient, connector: FakeConnector
) -> None:
    card = await ask(bot_with_schools, connector, "suppliers PMLD nmss City of London spaces")
    assert_valid_card(card)
    assert "No school matches all of that. Without " in plain_text(card)
    assert card["actions"] == []


def extension_query(
    connector: FakeConnector, words: str, who: str = CAMDEN, command: str = "suppliers"
) -> dict:
    return activity(
        "invoke_adaptiveCard_action",
        connector,
        name="composeExtension/query",
        value={"commandId": command, "parameters": [{"name": "searchQuery", "value": words}]},
        **{"from.aadObjectId": who},
    )


async def test_the_messaging_extension_returns_school_cards(
    bot_with_schools: BotClient, connector: FakeConnector
) -> None:
    status, body = await bot_with_schools.post(
        extension_query(connector, "SEMH secondary independent")
    )

    assert status == 200
    result = body["composeExtension"]
    assert (result["type"], result["attachmentLayout"]) == ("result", "list")
    assert 1 <= len(result["attachments"]) <= 10
    for attachment in result["attachments"]:
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        assert_valid_card(attachment["content"])
        assert attachment["preview"]["contentType"] == "application/vnd.microsoft.card.thumbnail"
        assert attachment["preview"]["content"]["title"].endswith("(demo)")


async def test_the_messaging_extension_tells_strangers_how_to_join(
    bot_with_schools: BotClient, connector: FakeConnector
) -> None:
    status, body = await bot_with_schools.post(extension_query(connector, "ASD", who=STRANGER))
    assert status == 200
    assert body["composeExtension"]["type"] == "message"
    assert "membership registry" in body["composeExtension"]["text"]


async def test_a_search_no_feature_declares_is_answered_with_a_word_not_schools(
    bot_with_schools: BotClient, connector: FakeConnector
) -> None:
    """Searches are routed by the manifest's command id (bot/features.py, `searches=`)."""
    status, body = await bot_with_schools.post(
        extension_query(connector, "SEMH", command="findProviders")
    )
    assert status == 200
    assert body["composeExtension"] == {"type": "message", "text": "I don't know that search."}


# A school the search offered, sent into the 1:1 chat with the bot: the message carries the
# card, and its text is only the compose box's placeholder for it (Microsoft 365 Agents
# Playground) or nothing beside an html copy naming the attachment (Teams).
PLACEHOLDERS = {
    "playground": {
        "text": '<span class="inline-compose-card" contenteditable="false" '
        'data-attachment-index="0"><span>{name}</span></span>',
    },
    "playground-with-a-space": {
        "text": '&nbsp;<span class="inline-compose-card" contenteditable="false">{name}</span> ',
    },
    "teams": {"text": "", "html": '<attachment id="{id}"></attachment>'},
}


@pytest.mark.parametrize("client", list(PLACEHOLDERS))
async def test_a_school_card_sent_from_the_search_into_the_chat_is_not_a_command(
    bot_with_schools: BotClient, connector: FakeConnector, client: str
) -> None:
    _, body = await bot_with_schools.post(extension_query(connector, "SEMH secondary"))
    [picked, *_] = body["composeExtension"]["attachments"]
    name = picked["preview"]["content"]["title"]
    shape = PLACEHOLDERS[client]
    attachments = [{"contentType": picked["contentType"], "content": picked["content"]}]
    if "html" in shape:
        attachments.append(
            {"contentType": "text/html", "content": shape["html"].format(id="3c5e9a7b")}
        )
    chat = f"a:chat-{CAMDEN}"
    message = in_chat(
        connector, CAMDEN, shape["text"].format(name=name), id=f"card-{client}",
        attachments=attachments, textFormat="plain",
    )  # fmt: skip

    status, _ = await bot_with_schools.post(message)

    assert status == 200
    assert [c for c in connector.sent() if c.conversation_id == chat] == []  # silence
    # and what is typed beside a card is still read as a command
    typed = in_chat(
        connector, CAMDEN, shape["text"].format(name=name) + " whoami", id=f"typed-{client}",
        attachments=attachments,
    )  # fmt: skip
    await bot_with_schools.post(typed)
    [reply] = [card for c in connector.sent() if c.conversation_id == chat for card in c.cards]
    assert "Priya Shah" in plain_text(reply)
