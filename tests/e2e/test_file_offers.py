"""Reports are sent to the person in Teams, never served at a link (issue 24 item 6): `asks
report` offers its CSV with a file consent card in 1:1; Allow puts exactly its bytes in the
member's OneDrive (the upload session on the fake) and shows the file; a forged Allow from
someone else, or Decline, uploads nothing; the file's key opens nothing at /reports/."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select, text

from bot.testing import BotClient, FakeConnector
from cards import plain_text
from forum_ops.asks.demo import demo_asks
from forum_ops.db import Database, create_database
from forum_ops.db.migrate import alembic_config
from forum_ops.db.schema import ReportFileRow
from forum_ops.demo import demo_members
from forum_ops.members.model import Role
from forum_ops.members.registry import MemberRecord, upsert_members
from forum_ops.report_files import keep_file
from tests.conftest import CAMDEN, LIIA, NOW, make_settings, serve
from tests.support.chat import answer_consent, consent_invoke, fetch, file_infos, offered, say

OTHER_SECRETARIAT = "77777777-8888-4999-aaaa-bbbbbbbbbbbb"  # LIIA too, but not who asked


@pytest.fixture
async def bot(database: Database, connector: FakeConnector) -> AsyncIterator[BotClient]:
    colleague = MemberRecord(
        OTHER_SECRETARIAT, "Ada Mensah", "ada.mensah@liia.example", "LIIA",
        frozenset({Role.MEMBER, Role.SECRETARIAT}), (),
    )  # fmt: skip
    with database.transaction() as session:
        upsert_members(session, [*demo_members(), colleague], NOW)
        demo_asks(session, NOW)
    async for client in serve(make_settings(database, connector), database, jobs=()):
        yield client


def kept(database: Database, filename: str) -> bytes:
    with database.transaction() as session:
        return session.scalars(
            select(ReportFileRow.content).where(ReportFileRow.filename == filename)
        ).one()


async def asks_report(bot: BotClient, connector: FakeConnector) -> dict[str, Any]:
    """The secretariat asks for the asks report in 1:1: the card, and its CSV offered."""
    card = await say(bot, connector, LIIA, "asks report")
    assert "Most asked members" in plain_text(card)
    assert not [a for a in card.get("actions", []) if a["type"] == "Action.OpenUrl"]
    assert "/reports/" not in str(connector.sent()[-1].body)  # no link to the file anywhere
    [consent] = offered(connector, LIIA)
    return consent


async def test_the_asks_report_is_offered_and_allow_puts_its_bytes_in_the_member_s_onedrive(
    bot: BotClient, connector: FakeConnector, database: Database
) -> None:
    consent = await asks_report(bot, connector)
    name = consent["name"]
    assert name.startswith("round-robin-figures-")
    assert name.endswith(".csv")
    body = kept(database, name)
    assert consent["content"]["sizeInBytes"] == len(body)
    assert consent["content"]["acceptContext"] == consent["content"]["declineContext"]
    status, _ = await answer_consent(bot, connector, LIIA, consent)
    assert status == 200  # Teams needs its invoke answered 200
    [upload] = connector.uploads
    assert upload.body == body  # every byte, once
    assert upload.content_range == f"bytes 0-{len(body) - 1}/{len(body)}"
    [info] = file_infos(connector, LIIA)
    assert info["name"] == name
    assert info["contentUrl"] == f"{connector.url}/onedrive/{name}"
    assert info["content"] == {"uniqueId": upload.session, "fileType": "csv"}


async def test_an_allow_delivered_again_uploads_once_and_says_so_once(
    bot: BotClient, connector: FakeConnector
) -> None:
    """Teams redelivers an invoke it had no answer to in time, with the same id; two replicas
    may take the two deliveries at once. One upload, one file card."""
    consent = await asks_report(bot, connector)
    invoke = consent_invoke(connector, LIIA, consent)
    answers = await asyncio.gather(bot.post(invoke), bot.post(invoke))
    assert [status for status, _ in answers] == [200, 200]
    await bot.post(invoke)  # and once more, after
    assert len(connector.uploads) == 1
    assert len(file_infos(connector, LIIA)) == 1
    declined = consent_invoke(connector, LIIA, consent, "decline")
    await bot.post(declined)  # a Decline after the Allow was acted on changes nothing either
    assert "haven't sent" not in str([c.body for c in connector.sent()])


async def test_a_forged_allow_from_anyone_else_uploads_nothing(
    bot: BotClient, connector: FakeConnector
) -> None:
    """The card's context is only a key: another secretariat member, a member who is not, or
    a key nobody was offered get no file."""
    consent = await asks_report(bot, connector)
    for who in (OTHER_SECRETARIAT, CAMDEN):
        status, _ = await answer_consent(bot, connector, who, consent)
        assert status == 200
        [*_, card] = [c for call in connector.sent() for c in call.cards]
        assert "I can't send that file" in plain_text(card)
    made_up = {**consent, "content": {**consent["content"], "acceptContext": {"file": "x" * 32}}}
    await answer_consent(bot, connector, LIIA, made_up)
    assert connector.uploads == []
    assert [file_infos(connector, who) for who in (LIIA, OTHER_SECRETARIAT, CAMDEN)] == [[]] * 3


async def test_declining_uploads_nothing_and_says_how_to_get_the_file_again(
    bot: BotClient, connector: FakeConnector
) -> None:
    consent = await asks_report(bot, connector)
    status, _ = await answer_consent(bot, connector, LIIA, consent, "decline")
    assert status == 200
    assert connector.uploads == []
    [*_, card] = [c for call in connector.sent() for c in call.cards]
    assert plain_text(card).endswith(
        f"I haven't sent {consent['name']}. To have it offered again, say: asks report"
    )


async def test_an_upload_url_teams_would_not_give_is_not_put_to(
    bot: BotClient, connector: FakeConnector
) -> None:
    """uploadInfo comes in the invoke: a URL off SharePoint is refused before any PUT."""
    consent = await asks_report(bot, connector)
    info = connector.upload_info(consent["name"])
    await bot.post(
        _with_upload_url(connector, consent, "https://attacker.example/" + info["uniqueId"])
    )
    assert connector.uploads == []
    [*_, card] = [c for call in connector.sent() for c in call.cards]
    assert "SharePoint or OneDrive" in plain_text(card)


def _with_upload_url(connector: FakeConnector, consent: dict[str, Any], url: str) -> Any:
    from tests.conftest import activity

    info = {**connector.upload_info(consent["name"]), "uploadUrl": url}
    value = {"type": "fileUpload", "action": "accept",
             "context": consent["content"]["acceptContext"], "uploadInfo": info}  # fmt: skip
    return activity(
        "invoke_adaptiveCard_action", connector, name="fileConsent/invoke", value=value,
        **{"from.aadObjectId": LIIA, "conversation.id": f"a:chat-{LIIA}",
           "conversation.conversationType": "personal"},
    )  # fmt: skip


async def test_an_offered_file_is_not_served_at_a_link(
    bot: BotClient, connector: FakeConnector
) -> None:
    """Whoever holds the file's key (a forwarded card, a log) reads nothing: /reports/ serves
    no report, offered or kept before this change."""
    consent = await asks_report(bot, connector)
    token = consent["content"]["acceptContext"]["file"]
    status, _, body = await fetch(bot, f"http://x/reports/{token}/{consent['name']}")
    assert (status, b"round robin" in body.lower()) == (404, False)


async def test_a_calendar_file_is_still_served_at_its_link(
    bot: BotClient, database: Database
) -> None:
    """A meeting's .ics is not private (bot/commands/meetings/commands.py links it in local mode)."""
    ics = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    name = "forum-meeting-2026-04-02.ics"
    token = keep_file(database, name, ics, datetime.now(UTC))
    assert await fetch(bot, f"http://x/reports/{token}/{name}") == (200, "text/calendar", ics)


def test_the_migration_forgets_the_reports_served_at_links_before(tmp_path: Path) -> None:
    """A link sent before this change stops working: the kept reports are forgotten (the
    secretariat can make them again); the calendar files stay."""
    db = create_database(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config(db.engine.url.render_as_string(hide_password=False))
    command.upgrade(config, "0015")
    expires = "2030-01-01 00:00:00.000000"
    with db.engine.begin() as connection:
        for token, name in (("a" * 32, "round-robin-figures-2026-12-01.csv"),
                            ("b" * 32, "forum-quarterly-report-July-to-September-2026.docx"),
                            ("c" * 32, "forum-meeting-2026-04-02.ics")):  # fmt: skip
            connection.execute(
                text(
                    "INSERT INTO report_files (token, filename, content, expires_at) "
                    "VALUES (:token, :name, :content, :expires)"
                ),
                {"token": token, "name": name, "content": b"x", "expires": expires},
            )
    command.upgrade(config, "head")
    with db.transaction() as session:
        rows = session.scalars(select(ReportFileRow)).all()
        assert [(r.filename, r.offered_to) for r in rows] == [
            ("forum-meeting-2026-04-02.ics", None)
        ]
    db.dispose()


@pytest.mark.parametrize(
    "value",
    [
        None,
        "accept",
        [],
        {"action": "accept"},
        {"action": "accept", "context": ["x"], "uploadInfo": "https://a.sharepoint.com/"},
        {"action": "accept", "context": {"file": "\ud800" * 70}, "uploadInfo": {}},
        {"action": "accept", "context": {"file": 7}, "uploadInfo": {"uploadUrl": 7}},
        {"action": "later", "context": {"file": "x"}},
        {"action": "decline", "context": None},
    ],
)
async def test_a_malformed_answer_uploads_nothing_and_gets_no_5xx(
    bot: BotClient, connector: FakeConnector, value: Any
) -> None:
    consent = await asks_report(bot, connector)
    invoke = consent_invoke(connector, LIIA, consent)
    invoke["value"] = value
    status, _ = await bot.post(invoke)
    assert status == 200
    assert connector.uploads == []
