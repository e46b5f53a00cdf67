"""The directory of networks and best practice and the recommendations tracker: the services
with the in-memory clock, then end to end over HTTP with the fake connector."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from analytics.quarters import Quarter
from analytics.returns_synthetic import synthetic_returns
from bot.testing import BotClient, FakeConnector
from cards import plain_text, render_card
from cards.directory import directory_view, suggestion_form, tracker_view
from cards.views.directory import Status
from forum_ops.db import Database
from forum_ops.db.schema import AskRow
from forum_ops.directory.demo import load_demo_directory
from forum_ops.directory.recommendations import import_tracker, show_tracker, update_recommendation
from forum_ops.directory.service import (
    export_directory,
    import_directory,
    search_directory,
    secretariat_list,
    suggest_entry,
)
from forum_ops.errors import ForumError, ImportRejected, NotAllowed
from forum_ops.returns.service import Submission, replace_return
from tests.conftest import CAMDEN, LIIA, NOW, make_settings, serve
from tests.support.cardcheck import assert_valid_card, card_texts
from tests.support.chat import in_chat
from tests.support.directory import TRANSPORT_NETWORK as TRANSPORT
from tests.support.fakes import FakeClock
from tests.support.members import member

HOSTILE = '"quoted" \\ *bold* _x_ [x](y) <at>Sam</at> 🎉 ' + "long " * 40


def demo(db: Database) -> None:
    with db.transaction() as session:
        load_demo_directory(session, NOW)


def test_demo_entries_are_found_by_topic_synonyms_and_loading_twice_adds_nothing(
    database: Database,
) -> None:
    demo(database)
    demo(database)
    clock = FakeClock(NOW)
    page = search_directory(database, clock, "dynamic purchasing system")
    assert page.total == 8
    assert page.entries[0].name.startswith("South London Commissioning Programme")
    everything = search_directory(database, clock, "")
    assert [e.draft.link for e in everything.entries] == [""] * len(everything.entries)


def test_a_suggestion_waits_for_the_secretariat_and_a_member_cannot_approve_it(
    database: Database,
) -> None:
    clock = FakeClock(NOW)
    entry = suggest_entry(database, clock, member(database, CAMDEN), TRANSPORT)
    assert entry.status is Status.SUGGESTED
    assert search_directory(database, clock, "transport").entries == ()
    with pytest.raises(NotAllowed):
        secretariat_list(database, clock, member(database, CAMDEN), "pending")
    pending = secretariat_list(database, clock, member(database, LIIA), "pending")
    assert [e.id for e in pending.entries] == [entry.id]


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "ftp://example.org/x", "example.org", "https://"]
)
def test_a_suggestion_with_a_link_that_is_not_http_is_refused(
    database: Database, link: str
) -> None:
    with pytest.raises(ForumError, match="link must be a web address"):
        suggest_entry(
            database, FakeClock(NOW), member(database, CAMDEN), {**TRANSPORT, "link": link}
        )
    assert (
        secretariat_list(database, FakeClock(NOW), member(database, LIIA), "pending").entries == ()
    )


def test_entries_unchecked_for_twelve_months_are_listed_oldest_first(database: Database) -> None:
    demo(database)
    page = secretariat_list(database, FakeClock(NOW), member(database, LIIA), "unchecked")
    # NOW is 22 January 2026: checked before 22 January 2025, or never
    assert [e.name for e in page.entries] == [
        "London SEND Leadership Programme",  # never checked
        "SEND Strategic Manager Parent Carer Network",  # 15 April 2024
        "South London Commissioning Programme: framework and dynamic purchasing system",
    ]
    later = FakeClock(datetime(2026, 6, 1, 9, tzinfo=UTC))
    names = [
        e.name
        for e in secretariat_list(database, later, member(database, LIIA), "unchecked").entries
    ]
    assert names[3:] == ["London Children's Services Practice Spotlight"]  # 20 February 2025


def test_a_csv_with_a_bad_line_changes_nothing_and_reports_every_line(database: Database) -> None:
    text = (
        "name,kind,scope,topics,offers,how_to_join,link,contact,owner,last_checked\n"
        "Good network,formal network,pan-London,data,,,https://a.example,,,2026-01-02\n"
        "Bad link,tool,borough,,,,javascript:x,,,\n"
        ",nonsense,everywhere,,,,,,,not-a-date\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        import_directory(database, text, NOW)
    found = {(p.line, p.column) for p in rejected.value.problems}
    assert found == {(3, "link"), (4, "name"), (4, "kind"), (4, "scope"), (4, "last_checked")}
    assert search_directory(database, FakeClock(NOW), "").total == 0


def test_the_export_is_formula_safe_and_imports_again(database: Database) -> None:
    text = (
        "name,kind,scope,topics,offers\n"
        '"=HYPERLINK(""http://evil"")",tool,national,x,"@SUM(1)"\n'
        "Plain,best-practice example,borough,short breaks,fine\n"
    )
    assert import_directory(database, text, NOW).added == 2
    exported = export_directory(database).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[1][0].startswith("'=")
    assert rows[1][4] == "'@SUM(1)"
    again = import_directory(database, exported, NOW)
    assert (again.added, again.updated) == (1, 1)  # the guarded name is a new text


def test_the_tracker_is_kept_by_the_secretariat_only(database: Database) -> None:
    clock = FakeClock(NOW)
    with pytest.raises(NotAllowed):
        update_recommendation(database, clock, member(database, CAMDEN), 5, {"status": "done"})
    with pytest.raises(ForumError, match="evidence links must start"):
        update_recommendation(
            database, clock, member(database, LIIA), 5, {"evidence": "javascript:alert(1)"}
        )
    done = update_recommendation(
        database, clock, member(database, LIIA), "5",
        {"status": "done", "rag": "green", "evidence": "https://a.example/x\nhttps://b.example"},
    )  # fmt: skip
    assert (done.status.value, done.rag.value, done.evidence) == (
        "done", "green", ("https://a.example/x", "https://b.example"),
    )  # fmt: skip
    with pytest.raises(ImportRejected) as rejected:
        import_tracker(database, "number,status,rag\n13,in progress,amber\n18,done,green\n", NOW)
    assert [(p.line, p.column) for p in rejected.value.problems] == [(3, "number")]
    assert show_tracker(database, clock).number(13).status.value == "not started"
    assert import_tracker(database, "number,status,rag\n13,in progress,amber\n", NOW) == 1
    assert show_tracker(database, clock).number(13).rag.value == "amber"


def test_directory_and_tracker_cards_are_valid_with_hostile_text(database: Database) -> None:
    clock = FakeClock(NOW)
    hostile = {**TRANSPORT, "name": HOSTILE[:200], "offers": HOSTILE * 4, "owner": HOSTILE[:200]}
    suggest_entry(database, clock, member(database, CAMDEN), hostile)
    pending = secretariat_list(database, clock, member(database, LIIA), "pending")
    for card in (
        render_card("directory", directory_view(pending)),
        render_card("directory_form", suggestion_form()),
        render_card("recommendations", tracker_view(show_tracker(database, clock))),
    ):
        assert_valid_card(card.content)
    shown = render_card("directory", directory_view(pending))
    assert any("\\*bold\\*" in t for t in card_texts(shown.content))  # markdown shown literally


def test_the_tracker_table_has_room_for_each_recommendation(database: Database) -> None:
    """At 500 px five columns left the recommendation 164 px: RAG over status in one column
    gives it 203, so 17 rows fit in under 1,000 px."""
    card = render_card("recommendations", tracker_view(show_tracker(database, FakeClock(NOW))))
    [table] = [e for e in card.content["body"] if e["type"] == "Table"]
    assert [c["width"] for c in table["columns"]] == [1, 7, 3, 5]
    rows = [[[i["text"] for i in cell["items"]] for cell in row["cells"]] for row in table["rows"]]
    assert rows[0] == [["No."], ["Recommendation"], ["Status (RAG)"], ["Held by the assistant"]]
    assert [row[0] for row in rows[1:]] == [[str(n)] for n in range(1, 18)]
    assert all(len(row[2]) == 2 for row in rows[1:])  # RAG, then the status under it
    held = [row[3][0] for row in rows[1:]]
    assert "none" in held  # not "-", which markdown escaping shows as "\\-" on Teams mobile
    assert not [text for row in rows for cell in row for text in cell if "\\" in text]


# --- end to end -------------------------------------------------------------------------------


@pytest.fixture
async def bot(database: Database, connector: FakeConnector) -> AsyncIterator[BotClient]:
    demo(database)
    async for client in serve(make_settings(database, connector), database):
        yield client


async def say(
    bot: BotClient, connector: FakeConnector, who: str, text: str = "", **more: Any
) -> dict[str, Any]:
    before = len(connector.sent_cards())
    payload = "message_value_submit" if "value" in more else "message_channel_mention"
    await bot.post(
        in_chat(connector, who, text, id=f"m{before}-{who[:4]}", payload=payload, **more)
    )
    sent = connector.sent_cards()
    assert len(sent) == before + 1
    assert_valid_card(sent[-1])
    return sent[-1]


def buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit":
                found.append(node["data"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


async def test_a_member_suggests_the_secretariat_approves_and_directory_transport_finds_it(
    bot: BotClient, connector: FakeConnector
) -> None:
    form = await say(bot, connector, CAMDEN, "directory suggest")
    assert {"verb": "directory.suggest"} in buttons(form)
    before = await say(bot, connector, CAMDEN, "directory transport")
    assert "North London SEND Transport Network" not in plain_text(before)
    done = await say(bot, connector, CAMDEN, value={"verb": "directory.suggest", **TRANSPORT})
    assert "the secretariat will check it" in plain_text(done)
    pending = await say(bot, connector, LIIA, "directory pending")
    approve = next(b for b in buttons(pending) if b.get("verb") == "directory.approve")
    forged = await say(bot, connector, CAMDEN, value=approve)  # a member replays the button
    assert "Only the forum's secretariat" in plain_text(forged)
    assert "North London" not in plain_text(
        await say(bot, connector, CAMDEN, "directory transport")
    )
    await say(bot, connector, LIIA, value=approve)
    found = await say(bot, connector, CAMDEN, "directory transport")
    assert "North London SEND Transport Network" in plain_text(found)
    assert "https://example.org/send-transport" in str(found)


async def test_a_suggestion_with_a_script_link_gets_a_clear_error_and_nothing_is_kept(
    bot: BotClient, connector: FakeConnector
) -> None:
    card = await say(
        bot, connector, CAMDEN,
        value={"verb": "directory.suggest", **TRANSPORT, "link": "javascript:alert(1)"},
    )  # fmt: skip
    assert "link must be a web address" in plain_text(card)
    pending = await say(bot, connector, LIIA, "directory pending")
    assert "None waiting" in plain_text(pending)
    forged = await say(
        bot, connector, LIIA, value={"verb": "directory.approve", "entry": "1; drop"}
    )
    assert "I don't recognise that button" in plain_text(forged)


async def test_the_tracker_shows_recommendation_13_with_the_boroughs_that_have_a_return(
    database: Database, bot: BotClient, connector: FakeConnector
) -> None:
    period = Quarter.of(datetime.now(UTC).date()).period  # the app runs on the real clock
    returns = synthetic_returns(["202", "203", "204"], total=60).placements
    with database.transaction() as session:
        for borough, frame in returns.groupby("borough"):
            frame = frame.assign(period=period)
            replace_return(session, Submission(str(borough), period, "demo", "x"), frame, NOW)
    card = await say(bot, connector, CAMDEN, "recommendations")
    assert f"3 of 33 boroughs have an INMSS return for {period}" in plain_text(card)
    assert "8 directory entries, 4 of them networks" in plain_text(card)
    opened = await say(
        bot, connector, CAMDEN, value={"verb": "recommendation.show", "number": "13"}
    )
    assert "Recommendation 13" in plain_text(opened)
    assert not [b for b in buttons(opened) if b.get("verb") == "recommendation.update"]
    mine = await say(bot, connector, LIIA, value={"verb": "recommendation.show", "number": "13"})
    assert {"verb": "recommendation.update", "number": 13} in buttons(mine)
    saved = await say(
        bot, connector, LIIA,
        value={"verb": "recommendation.update", "number": 13, "status": "in progress",
               "rag": "amber", "next_step": "Chase the last boroughs", "evidence": ""},
    )  # fmt: skip
    assert "in progress" in plain_text(saved)
    assert "Chase the last boroughs" in plain_text(saved)
    refused = await say(
        bot,
        connector,
        CAMDEN,
        value={"verb": "recommendation.update", "number": 13, "status": "done"},
    )
    assert "Only the forum's secretariat" in plain_text(refused)


def test_storage_on_sqlite_and_postgresql(any_database: Database) -> None:
    """Counting look-ups, seeding the tracker and the directory's queries on both databases."""
    from forum_ops.usage import SUPPLIER_LOOKUP, record_use, uses

    day = date(2026, 1, 22)
    for _ in range(3):
        with any_database.transaction() as session:
            record_use(session, SUPPLIER_LOOKUP, day)
    with any_database.transaction() as session:
        assert uses(session, SUPPLIER_LOOKUP, day, date(2026, 1, 23)) == 3
    clock = FakeClock(NOW)
    assert len(show_tracker(any_database, clock).recommendations) == 17
    held = show_tracker(any_database, clock).number(14).held
    assert held == "3 supplier look-ups in the last 90 days"  # NOW is that day
    with any_database.transaction() as session:
        for days_ago, replied in ((1, True), (30, False), (95, True)):
            asked = NOW - timedelta(days=days_ago)
            session.add(
                AskRow(
                    author_aad="a", organisation_code="202", text="?", topics="", status="open",
                    max_asked=3, created_at=asked, updated_at=asked,
                    first_reply_at=asked + timedelta(hours=1) if replied else None,
                )
            )  # fmt: skip
    held = show_tracker(any_database, clock).number(2).held
    assert held == "asks: 2 in the last 90 days, 1 of them answered"  # not the one 95 days ago
    demo(any_database)
    assert search_directory(any_database, clock, "commissioning alliance").entries[0].name == (
        "The Commissioning Alliance"
    )


async def test_a_takeaway_becomes_a_best_practice_example_in_one_click(
    bot: BotClient, connector: FakeConnector
) -> None:
    button = {"verb": "directory.takeaway", "title": "Joint S75 template",
              "summary": "Camden and Islington's shared section 75 agreement as a template."}  # fmt: skip
    refused = await say(bot, connector, CAMDEN, value=button)
    assert "Only the forum's secretariat" in plain_text(refused)
    added = await say(bot, connector, LIIA, value=button)
    assert "It is in the directory now" in plain_text(added)
    found = await say(bot, connector, CAMDEN, "directory section 75")
    assert "Joint S75 template" in plain_text(found)
    assert "best-practice example, pan-London" in plain_text(found)
