"""Dialogs: state that survives a restart and any replica, and the return-period question."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from analytics.returns_format import period_in, period_of
from bot.testing import FakeConnector
from cards import plain_text
from forum_ops.db import Database
from forum_ops.dialogs import (
    DialogKey,
    advance_dialog,
    begin_dialog,
    finish_dialog,
    forget_expired_dialogs,
    open_dialog,
)
from forum_ops.returns.service import all_placements
from tests.conftest import CAMDEN, NOW, make_settings, serve
from tests.support.cardcheck import assert_valid_card
from tests.support.chat import say, upload
from tests.support.returnfiles import as_xlsx, clean_rows

KEY = DialogKey("a:chat-1", CAMDEN)


def test_a_dialog_is_kept_moved_and_finished_once(any_database: Database) -> None:
    with any_database.transaction() as session:
        begin_dialog(session, KEY, "returns.period", "period", {"file": {"n": 1}}, NOW)
    with any_database.transaction() as session:
        found = open_dialog(session, KEY, NOW + timedelta(minutes=5))
        assert found is not None
        assert (found.name, found.step, found.data) == (
            "returns.period",
            "period",
            {"file": {"n": 1}},
        )
        moved = advance_dialog(session, found, "confirm", {"period": "2025-26"}, NOW)
        assert moved is not None
        assert advance_dialog(session, found, "late", {}, NOW) is None  # read before the move
    with any_database.transaction() as session:
        assert finish_dialog(session, found) is False  # stale version: another turn moved it
        assert moved is not None
        assert finish_dialog(session, moved) is True
        assert open_dialog(session, KEY, NOW) is None


def test_an_expired_dialog_is_not_found_and_housekeeping_deletes_it(any_database: Database) -> None:
    with any_database.transaction() as session:
        begin_dialog(session, KEY, "returns.period", "period", {}, NOW)
    later = NOW + timedelta(hours=1, seconds=1)
    with any_database.transaction() as session:
        assert open_dialog(session, KEY, later) is None
        assert forget_expired_dialogs(session, later) == 1


def test_two_answers_racing_finish_the_dialog_once(any_database: Database) -> None:
    with any_database.transaction() as session:
        state = begin_dialog(session, KEY, "returns.period", "period", {}, NOW)
    results: list[bool] = []
    start = threading.Barrier(2)

    def answer() -> None:
        start.wait()
        with any_database.transaction() as session:
            results.append(finish_dialog(session, state))

    threads = [threading.Thread(target=answer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(results) == [False, True]


def test_periods_are_read_as_people_write_them() -> None:
    assert period_in("our return for 2025-26") == "2025-26"
    assert period_in("2025/26") == "2025-26"
    assert period_in("2025 - 2026 please") == "2025-26"
    assert period_in("camden_2024-25_v2.xlsx") == "2024-25"
    assert period_in("2025-27") is None
    assert period_in("return.xlsx") is None
    assert period_in("12025-26") is None


async def test_a_return_without_a_period_asks_for_it_and_the_answer_survives_a_restart(
    database: Database, connector: FakeConnector
) -> None:
    settings = make_settings(database, connector)
    async for bot in serve(settings, database):
        question = await say(
            bot,
            connector,
            CAMDEN,
            "here it is",
            **upload(connector, as_xlsx(clean_rows(4)), "camden.xlsx"),
        )
    assert "Which period is this return for?" in plain_text(question)
    today = datetime.now(UTC)
    assert [a["data"] for a in question["actions"]] == [
        {"verb": "dialog.answer", "answer": period_of(today.year, today.month)},
        {"verb": "dialog.answer", "answer": period_of(today.year - 1, today.month)},
    ]  # this academic year and the last
    assert connector.downloads == 0  # nothing fetched until the period is known
    with database.transaction() as session:
        assert all_placements(session).empty

    async for bot in serve(settings, database):  # a new process on the same database
        unclear = await say(bot, connector, CAMDEN, "last year's")
        helped = await say(bot, connector, CAMDEN, "help")  # a command still works meanwhile
        done = await say(bot, connector, CAMDEN, "2025/26")
        again = await say(bot, connector, CAMDEN, "2025-26")

    assert "I need an academic year such as 2025-26." in plain_text(unclear)
    assert "What I can do for you" in plain_text(helped)
    assert "Return imported: Camden, 2025-26" in plain_text(done)
    assert "4 placements" in plain_text(done)
    assert "Sorry, I didn’t understand" in plain_text(again)  # the question is closed
    assert connector.downloads == 1
    with database.transaction() as session:
        assert len(all_placements(session)) == 4


async def test_a_button_answers_and_cancel_stops(
    database: Database, connector: FakeConnector
) -> None:
    async for bot in serve(make_settings(database, connector), database):
        await say(bot, connector, CAMDEN, "", **upload(connector, as_xlsx(clean_rows(3)), "c.xlsx"))
        button: dict[str, Any] = {"value": {"verb": "dialog.answer", "answer": "2024-25"}}
        done = await say(bot, connector, CAMDEN, "", **button)
        await say(bot, connector, CAMDEN, "", **upload(connector, as_xlsx(clean_rows(2)), "d.xlsx"))
        stopped = await say(bot, connector, CAMDEN, "cancel")
        late = await say(bot, connector, CAMDEN, "", **button)

    assert "Return imported: Camden, 2024-25" in plain_text(done)
    assert "Stopped" in plain_text(stopped)
    assert "That question has closed" in plain_text(late)
    for card in (done, stopped, late):
        assert_valid_card(card)
    with database.transaction() as session:
        assert set(all_placements(session)["period"]) == {"2024-25"}
