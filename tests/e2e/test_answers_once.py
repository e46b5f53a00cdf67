"""Answers computed once per data version, question and viewer's borough, end to end over HTTP:
repeating a question gives the same card and adds nothing to the database, a kept answer never
reaches someone it was not for, and an import is answered with the new figures."""

from __future__ import annotations

from sqlalchemy import func, select

from analytics.returns_synthetic import synthetic_returns
from bot.testing import BotClient, FakeConnector
from cards import plain_text
from forum_ops.db import Database
from forum_ops.db.schema import ChartRow
from forum_ops.members.reference import LOCAL_AUTHORITIES
from forum_ops.returns.service import Submission, all_placements, replace_return
from tests.conftest import CAMDEN, LIIA, NOW
from tests.support.chat import GREENWICH, fetch, image, say, table_cells


def chart_rows(database: Database) -> int:
    with database.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(ChartRow)) or 0)


def a_provider_of(database: Database, borough: str) -> str:
    with database.transaction() as session:
        frame = all_placements(session)
    return str(frame[frame["borough"] == borough]["provider_name"].mode()[0])


async def test_a_repeated_question_gets_the_same_card_and_stores_no_new_chart(
    bot_with_returns: BotClient, connector: FakeConnector, database: Database
) -> None:
    provider = a_provider_of(database, "203")
    questions = ("benchmark SEMH", "top10", f"benchmark provider {provider}", "benchmark MSI")
    first = [await say(bot_with_returns, connector, GREENWICH, q) for q in questions]
    kept = chart_rows(database)
    for _ in range(3):
        again = [await say(bot_with_returns, connector, GREENWICH, q) for q in questions]
        assert again == first
    assert chart_rows(database) == kept
    status, kind, png = await fetch(bot_with_returns, image(first[0])["url"])
    assert (status, kind, png[:4]) == (200, "image/png", b"\x89PNG")


async def test_a_kept_answer_never_reaches_someone_it_was_not_for(
    bot_with_returns: BotClient, connector: FakeConnector
) -> None:
    steward = await say(bot_with_returns, connector, LIIA, "top10 Greenwich")
    camden = await say(bot_with_returns, connector, CAMDEN, "top10 Greenwich")
    assert "Greenwich: top 10 INMSS providers" in plain_text(steward)
    assert "only that borough and the forum's secretariat see them" in plain_text(camden)

    greenwich = await say(bot_with_returns, connector, GREENWICH, "benchmark SEMH")
    camden = await say(bot_with_returns, connector, CAMDEN, "benchmark SEMH")
    # each borough's own figures: its own "Yours" column and its own diamond on the chart
    assert table_cells(greenwich) != table_cells(camden)
    assert image(greenwich)["url"] != image(camden)["url"]


async def test_an_import_is_answered_with_the_new_figures(
    bot_with_returns: BotClient, connector: FakeConnector, database: Database
) -> None:
    before = await say(bot_with_returns, connector, GREENWICH, "top10")
    codes = [la.code for la in LOCAL_AUTHORITIES]
    fresh = synthetic_returns(codes, total=1500, seed=7).placements
    with database.transaction() as session:
        replace_return(
            session,
            Submission("203", "2025-26", "demo", "x"),
            fresh[fresh["borough"] == "203"],
            NOW,
        )
    after = await say(bot_with_returns, connector, GREENWICH, "top10")
    assert table_cells(after) != table_cells(before)
    assert image(after)["url"] != image(before)["url"]


async def test_senddata_for_an_area_is_drawn_once_whoever_asks(
    bot_with_data: BotClient, connector: FakeConnector, database: Database
) -> None:
    first = await say(bot_with_data, connector, CAMDEN, "senddata Croydon")
    kept = chart_rows(database)
    steward = await say(bot_with_data, connector, LIIA, "senddata Croydon")
    own = await say(bot_with_data, connector, CAMDEN, "senddata")
    assert steward == first  # the DfE figures are public: one answer for everyone
    assert "Croydon" in plain_text(first)
    assert "Camden" in plain_text(own)
    assert chart_rows(database) == kept + 1  # Camden's own chart, and nothing for the repeat
