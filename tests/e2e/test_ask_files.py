"""A file sent to the bot in 1:1 as a reply to an ask, end to end over HTTP: the reply keeps the
file's name and its OneDrive link (the attachment's contentUrl) and the asker is told with a
button that opens it; the file is never downloaded, and its pre-authenticated download URL is
kept in no table and written in no log. Returns and ToR versions keep their own way in."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.teams import FILE_DOWNLOAD_INFO
from bot.testing import BotClient, FakeConnector
from cards import plain_text
from forum_ops.asks.views import RouteState
from forum_ops.db import Database
from forum_ops.db.schema import AskReplyRow, AskRouteRow
from forum_ops.members.model import Role
from forum_ops.members.registry import MemberRecord, upsert_members
from tests.conftest import CAMDEN, NOW, make_settings, serve
from tests.support.buttons import snapshot
from tests.support.chat import say
from tests.support.outboxing import FAST, place, remember, settled

RESPONDERS = {  # colleagues in four other boroughs whose topics include S75
    "gre-s75-0000-0000-000000000001": "203",
    "hac-s75-0000-0000-000000000002": "204",
    "ham-s75-0000-0000-000000000003": "205",
    "isl-s75-0000-0000-000000000004": "206",
}
SUBMITTER = "lam-sub-0000-0000-000000000009"  # Lambeth's data submitter, asked about S75 too
TRANSPORT = "ken-000-0000-0000-000000000005"  # transport only: never asked about S75
ONEDRIVE = (
    "https://hackney-my.sharepoint.com/personal/person_204_example_org/Documents/"
    "Microsoft Teams Chat Files/Draft S75 agreement (therapies).docx"
)
KEPT = (
    "https://hackney-my.sharepoint.com/personal/person_204_example_org/Documents/"
    "Microsoft%20Teams%20Chat%20Files/Draft%20S75%20agreement%20(therapies).docx"
)


@pytest.fixture
async def bot(database: Database, connector: FakeConnector) -> AsyncIterator[BotClient]:
    records = [
        MemberRecord(
            aad, f"Person {org}", f"{org}@example.org", org, frozenset({Role.MEMBER}), ("S75",)
        )
        for aad, org in RESPONDERS.items()
    ]
    records.append(
        MemberRecord(
            SUBMITTER,
            "Lee",
            "lee@example.org",
            "208",
            frozenset({Role.MEMBER, Role.DATA_SUBMITTER}),
            ("S75",),
        )
    )
    records.append(
        MemberRecord(
            TRANSPORT, "Kit", "kit@example.org", "207", frozenset({Role.MEMBER}), ("transport",)
        )
    )
    with database.transaction() as session:
        upsert_members(session, records, NOW)
    everyone = [CAMDEN, *RESPONDERS, SUBMITTER, TRANSPORT]
    remember(database, *(place(connector, f"a:chat-{aad}", "personal", aad) for aad in everyone))
    # no scheduled jobs: their first run would change tables between two snapshots
    async for client in serve(make_settings(database, connector, **FAST), database, jobs=()):
        yield client


def file_from(connector: FakeConnector, name: str, content_url: str = ONEDRIVE) -> dict[str, Any]:
    """Teams' attachment for a file sent in 1:1 (learn.microsoft.com, "Send and receive files
    using bot"): the OneDrive place as contentUrl, a short-lived download URL in content."""
    download = connector.offer_file(b"PK\x03\x04 the document's bytes")
    attachment: dict[str, Any] = {
        "contentType": FILE_DOWNLOAD_INFO,
        "name": name,
        "content": {"downloadUrl": download, "uniqueId": "5C9B2B5B", "fileType": "docx"},
    }
    if content_url:
        attachment["contentUrl"] = content_url
    return {"attachments": [attachment]}


def waiting(database: Database) -> dict[str, list[int]]:
    """The asks waiting for each responder's reply."""
    with database.transaction() as session:
        rows = session.execute(
            select(AskRouteRow.responder_aad, AskRouteRow.ask_id)
            .where(AskRouteRow.state == RouteState.WAITING.value)
            .order_by(AskRouteRow.ask_id)
        ).all()
    found: dict[str, list[int]] = {}
    for aad, ask_id in rows:
        found.setdefault(aad, []).append(ask_id)
    return found


def replies(database: Database) -> list[tuple[int, str, str, str]]:
    with database.transaction() as session:
        return [
            (r.ask_id, r.author_aad, r.text, r.link)
            for r in session.scalars(select(AskReplyRow).order_by(AskReplyRow.id))
        ]


async def test_a_file_sent_as_the_reply_is_kept_as_its_name_and_onedrive_link(
    bot: BotClient, connector: FakeConnector, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await say(bot, connector, CAMDEN, "ask #s75 Has anyone a draft S75 agreement for therapies?")
    [(responder, [ask_id])] = [(a, ids) for a, ids in waiting(database).items()][:1]
    sent = file_from(connector, "Draft S75 agreement (therapies).docx")

    thanks = await say(bot, connector, responder, "", **sent)
    await settled(database)

    assert f"your file is linked to your reply to ask {ask_id}" in plain_text(thanks)
    assert replies(database) == [
        (ask_id, responder, "File: Draft S75 agreement (therapies).docx", KEPT)
    ]
    told = [
        card
        for call in connector.sent()
        if call.conversation_id == f"a:chat-{CAMDEN}"
        for card in call.cards
        if "Draft S75 agreement (therapies).docx" in plain_text(card)
    ]
    assert len(told) == 1  # the asker sees the file's name and a button that opens it
    opens = [a for a in told[0]["actions"] if a["type"] == "Action.OpenUrl"]
    assert [a["url"] for a in opens] == [KEPT]
    assert connector.downloads == 0  # linked, not fetched
    download = sent["attachments"][0]["content"]["downloadUrl"]
    token = download.rsplit("/", 1)[1]
    assert token not in repr(snapshot(database))
    assert not [r for r in caplog.records if token in r.getMessage() or token in repr(r.__dict__)]


async def test_a_file_with_the_ask_number_chooses_the_ask_and_keeps_the_words(
    bot: BotClient, connector: FakeConnector, database: Database
) -> None:
    for n in range(4):  # until the rotation comes back to someone still asked the first
        await say(bot, connector, CAMDEN, f"ask #s75 Has anyone a draft S75 agreement ({n})?")
        busy = [(a, ids) for a, ids in waiting(database).items() if len(ids) > 1]
        if busy:
            break
    responder, [first, *_, second] = busy[0]
    before = snapshot(database)

    which = await say(bot, connector, responder, "", **file_from(connector, "Ours.docx"))
    unchanged = snapshot(database)
    chosen = await say(
        bot,
        connector,
        responder,
        f"reply to ask {second}: signed off in March",
        **file_from(connector, "Ours.docx"),
    )

    assert f"Asks waiting for your reply: {first}, " in plain_text(which)
    assert f", {second}. Send the file again" in plain_text(which)
    assert unchanged == before  # nothing kept from the file the bot could not place
    assert f"reply to ask {second}" in plain_text(chosen)
    assert replies(database) == [
        (second, responder, "signed off in March\n\nFile: Ours.docx", KEPT)
    ]


@pytest.mark.parametrize(
    ("said", "content_url", "refusal"),
    [
        ("reply 999", ONEDRIVE, "there is no such ask"),
        ("reply 12345678901", ONEDRIVE, "there is no such ask: its number is on its card"),
        ("ask #" + "9" * 5000, ONEDRIVE, "there is no such ask: its number is on its card"),
        ("", "", "teams gave me no link to that file"),
    ],
)
async def test_a_file_that_cannot_be_a_reply_is_refused_in_words_and_nothing_is_kept(
    bot: BotClient,
    connector: FakeConnector,
    database: Database,
    said: str,
    content_url: str,
    refusal: str,
) -> None:
    await say(bot, connector, CAMDEN, "ask #s75 Has anyone a draft S75 agreement?")
    responder = next(iter(waiting(database)))
    before = snapshot(database)

    card = await say(bot, connector, responder, said, **file_from(connector, "x.docx", content_url))

    assert refusal in plain_text(card).casefold()
    assert snapshot(database) == before


async def test_someone_not_asked_cannot_reply_with_a_file(
    bot: BotClient, connector: FakeConnector, database: Database
) -> None:
    await say(bot, connector, CAMDEN, "ask #s75 Has anyone a draft S75 agreement?")
    [ask_id] = {i for ids in waiting(database).values() for i in ids}
    before = snapshot(database)

    card = await say(bot, connector, CAMDEN, f"reply {ask_id}", **file_from(connector, "a.docx"))

    assert "Only colleagues this ask was sent to can reply to it" in plain_text(card)
    assert snapshot(database) == before


async def test_a_return_and_a_file_from_someone_with_no_ask_keep_their_own_way(
    bot: BotClient, connector: FakeConnector, database: Database
) -> None:
    """A data submitter with an ask waiting still sends a return as a return; a member with no
    ask waiting who sends a .docx gets the ToR's answer, as before."""
    # away: else the second ask reaches them (in place of the secretariat, who has no chat)
    await say(bot, connector, TRANSPORT, "away")
    for n in range(2):  # the second ask goes to those the first did not
        if SUBMITTER not in waiting(database):
            await say(bot, connector, CAMDEN, f"ask #s75 Has anyone a draft S75 agreement ({n})?")
    assert SUBMITTER in waiting(database)
    assert TRANSPORT not in waiting(database)

    return_sent = await say(
        bot, connector, SUBMITTER, "", **file_from(connector, "lambeth-return.xlsx")
    )
    stray = await say(bot, connector, TRANSPORT, "", **file_from(connector, "notes.docx"))

    assert "Which period is this return for?" in plain_text(return_sent)
    assert "Only the forum's secretariat can add a version of the ToR" in plain_text(stray)
    assert replies(database) == []
