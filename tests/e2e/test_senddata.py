"""`senddata` and the SEND Data agenda item, end to end on the real DfE files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.testing import BotClient, FakeConnector
from cards import plain_text, render_card
from cards.senddata import senddata_view
from forum_ops.charts import ChartTable
from forum_ops.db import Database
from forum_ops.senddata.sen2 import latest_release
from forum_ops.senddata.service import SendData
from tests.conftest import CAMDEN, LIIA, NOW, SHARED, activity
from tests.support.cardcheck import assert_valid_card
from tests.support.chat import fetch, image
from tests.support.cli import forumbot
from tests.support.fakes import FakeClock
from tests.support.sen2data import CASELOAD, NEEDS, import_release


async def test_senddata_for_a_borough_is_a_card_with_a_chart_that_serves_a_png(
    bot_with_data: BotClient, connector: FakeConnector
) -> None:
    await bot_with_data.post(
        activity(
            "message_channel_mention",
            connector,
            text="<at>ridotest</at> senddata Camden",
            **{"from.aadObjectId": LIIA},
        )
    )

    [card] = connector.sent_cards()
    assert_valid_card(card)
    shown = plain_text(card)
    assert "SEND Data: Camden" in shown
    assert "EHC plans, January 2025: 1,607" in shown
    assert "London +6.0\u00a0%" in shown  # a no-break space keeps % with its figure
    assert "Biggest primary needs: ASD" in shown
    assert "Where children with plans are placed: mainstream" in shown
    assert "independent special 4.5\u00a0%" in shown
    assert "North Central London: 15,970 plans" in shown  # the same for its sub-region
    url = image(card)["url"]
    assert url.startswith("http://127.0.0.1:3978/charts/")
    status, content_type, body = await fetch(bot_with_data, url)
    assert (status, content_type) == (200, "image/png")
    assert body[:8] == b"\x89PNG\r\n\x1a\n"


async def test_senddata_defaults_to_the_askers_borough(
    bot_with_data: BotClient, connector: FakeConnector
) -> None:
    await bot_with_data.post(
        activity(
            "message_channel_mention", connector, text="senddata", **{"from.aadObjectId": CAMDEN}
        )
    )
    assert "SEND Data: Camden" in plain_text(connector.sent_cards()[0])


@pytest.mark.parametrize(
    ("typed", "title"),
    [
        ("Hammersmith", "SEND Data: Hammersmith and Fulham"),  # as `top10 Hammersmith` takes it
        ("the City", "SEND Data: City of London"),
        ("Tower Hamlet", "SEND Data: Tower Hamlets"),
        ("Kingston", "SEND Data: Kingston upon Thames"),
    ],
)
async def test_senddata_takes_the_names_people_use(
    bot_with_data: BotClient, connector: FakeConnector, typed: str, title: str
) -> None:
    await bot_with_data.post(
        activity(
            "message_channel_mention",
            connector,
            text=f"<at>ridotest</at> senddata {typed}",
            **{"from.aadObjectId": CAMDEN},
        )
    )
    [card] = connector.sent_cards()
    assert_valid_card(card)
    assert title in plain_text(card)


async def test_an_ambiguous_borough_is_asked_about(
    bot_with_data: BotClient, connector: FakeConnector
) -> None:
    await bot_with_data.post(
        activity(
            "message_channel_mention",
            connector,
            text="senddata Lewham",
            **{"from.aadObjectId": CAMDEN},
        )
    )
    [card] = connector.sent_cards()
    assert "“Lewham” could be Lewisham or Newham: which did you mean?" in plain_text(card)


async def test_an_unknown_borough_is_explained(
    bot_with_data: BotClient, connector: FakeConnector
) -> None:
    await bot_with_data.post(
        activity(
            "message_channel_mention",
            connector,
            text="senddata Atlantis",
            **{"from.aadObjectId": CAMDEN},
        )
    )
    [card] = connector.sent_cards()
    assert_valid_card(card)
    assert "I don't know a London borough called “Atlantis”" in plain_text(card)


async def test_without_an_imported_release_senddata_says_so(
    bot: BotClient, connector: FakeConnector
) -> None:
    await bot.post(
        activity(
            "message_channel_mention", connector, text="senddata", **{"from.aadObjectId": CAMDEN}
        )
    )
    assert "No SEND data has been imported yet" in plain_text(connector.sent_cards()[0])


async def test_a_chart_token_that_does_not_exist_is_404(bot_with_data: BotClient) -> None:
    status, _, _ = await fetch(bot_with_data, "http://x/charts/" + "A" * 32 + ".png")
    assert status == 404


def test_the_agenda_item_card_for_a_meeting(database: Database) -> None:
    import_release(database)
    charts = ChartTable(database, "https://forum-bot.example.org", FakeClock(NOW))

    card = render_card(
        "senddata", senddata_view(SendData(database, charts).agenda_item(date(2026, 1, 22)))
    )

    assert_valid_card(card.content)
    shown = plain_text(card.content)
    assert "For the forum's meeting on Thursday 22 January 2026" in shown
    assert "EHC plans, January 2025: 99,116" in shown
    assert "England +10.8\u00a0%" in shown
    for subregion in ("North Central", "North East", "North West", "South East", "South West"):
        assert f"{subregion} London: " in shown
    assert image(card.content)["url"].startswith("https://forum-bot.example.org/charts/")


def test_sen2_import_replaces_the_release_and_a_bad_file_changes_nothing(tmp_path: Path) -> None:
    from forum_ops.db import create_database

    forumbot(tmp_path, "db", "upgrade")
    first = forumbot(tmp_path, "sen2", "import", str(CASELOAD))
    assert first.returncode == 0, first.stderr
    assert "London 99,116 EHC plans in January 2025" in first.stdout
    second = forumbot(tmp_path, "sen2", "import", str(CASELOAD), str(NEEDS))
    assert second.returncode == 0
    bad = forumbot(
        tmp_path, "sen2", "import", str(CASELOAD), str(SHARED / "data" / "london_boroughs.csv")
    )
    assert bad.returncode == 1
    assert "is not the DfE primary need file: missing" in bad.stderr

    db = create_database(f"sqlite:///{tmp_path / 'forum.db'}")
    with db.transaction() as session:
        release = latest_release(session)
    db.dispose()
    assert release is not None
    assert release.needs is not None
    assert release.needs.filename == NEEDS.name  # the second import stands
