"""The round robin end to end over HTTP: the real app, the fake Bot Connector, real Teams
payload shapes; and its jobs run by the real scheduler on a clock we move."""

from __future__ import annotations

import contextlib
import csv
import io
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from bot.features import JOBS
from bot.testing import BotClient, Call, FakeConnector
from cards import plain_text
from cards.asks import AskCards
from forum_ops.asks.demo import demo_asks
from forum_ops.asks.service import AskConfig, Asks, ask_figures
from forum_ops.db import Database
from forum_ops.db.schema import AskRouteRow, AskRow, OutboxRow
from forum_ops.demo import demo_members
from forum_ops.members.model import Role
from forum_ops.members.registry import MemberRecord, find_member, upsert_members
from forum_ops.outbox.messaging import OutboxMessenger
from forum_ops.scheduler import Scheduler
from tests.conftest import CAMDEN, LIIA, NOW, activity, make_settings, serve
from tests.support.cardcheck import assert_valid_card
from tests.support.chat import answer_consent, in_chat, offered, say
from tests.support.fakes import FakeClock
from tests.support.outboxing import FAST, place, remember, settled

CHANNEL = "19:forum@thread.tacv2"
S75 = {  # four colleagues in four other organisations whose topics include S75
    "gre-s75-0000-0000-000000000001": "203",
    "hac-s75-0000-0000-000000000002": "204",
    "ham-s75-0000-0000-000000000003": "205",
    "isl-s75-0000-0000-000000000004": "206",
}
KENSINGTON = "ken-000-0000-0000-000000000005"  # transport only: never asked about S75


@pytest.fixture
def forum(database: Database, connector: FakeConnector) -> Database:
    records = [
        MemberRecord(
            aad, f"Person {org}", f"{org}@example.org", org, frozenset({Role.MEMBER}), ("S75",)
        )
        for aad, org in S75.items()
    ]
    records.append(
        MemberRecord(
            KENSINGTON, "Kit", "kit@example.org", "207", frozenset({Role.MEMBER}), ("transport",)
        )
    )
    with database.transaction() as session:
        upsert_members(session, records, NOW)
    remember(
        database,
        place(connector, CHANNEL, "channel"),
        place(connector, f"a:{CAMDEN}", "personal", CAMDEN),
        *(place(connector, f"a:{aad}", "personal", aad) for aad in [*S75, KENSINGTON]),
    )
    return database


def to(calls: list[Call], conversation: str, method: str = "POST") -> list[Call]:
    return [c for c in calls if c.conversation_id == conversation and c.method == method]


async def running(database: Database, connector: FakeConnector) -> AsyncIterator[BotClient]:
    async for client in serve(make_settings(database, connector, **FAST), database):
        yield client


async def in_channel(
    bot: BotClient, connector: FakeConnector, who: str, text: str
) -> dict[str, Any]:
    thread = f"{CHANNEL};messageid=1759881511856"
    before = len(to(connector.sent(), thread))
    await bot.post(
        activity(
            "message_channel_mention",
            connector,
            text=f"<at>ridotest</at> {text}",
            id=f"c{len(connector.calls)}",
            **{"from.aadObjectId": who, "conversation.id": thread},
        )
    )
    return to(connector.sent(), thread)[before].cards[0]


async def submit(
    bot: BotClient, connector: FakeConnector, who: str, value: dict[str, Any]
) -> dict[str, Any]:
    """An Action.Submit from `who`'s 1:1 chat; the bot's answer in that chat."""
    before = len(to(connector.sent(), f"a:{who}"))
    id = f"v{len(connector.calls)}-{who[:3]}"
    await bot.post(in_chat(connector, who, id=id, conversation_id=f"a:{who}", value=value))
    card = to(connector.sent(), f"a:{who}")[before].cards[0]
    assert_valid_card(card)
    return card


def sent_activity(db: Database, key: str) -> str:
    with db.transaction() as session:
        found = session.scalars(
            select(OutboxRow.sent_activity_id).where(OutboxRow.key == key)
        ).one()
    assert found
    return found


def request_cards(connector: FakeConnector) -> dict[str, dict[str, Any]]:
    """The 1:1 request cards sent, by responder."""
    found = {}
    for aad in [*S75, KENSINGTON]:
        for call in to(connector.sent(), f"a:{aad}"):
            for card in call.cards:
                if any(
                    a.get("data", {}).get("verb") == "ask.reply" for a in card.get("actions", [])
                ):
                    found[aad] = card
    return found


async def test_an_s75_ask_is_routed_passed_on_answered_threaded_updated_and_resolved(
    forum: Database, connector: FakeConnector
) -> None:
    async for bot in running(forum, connector):
        answer = await in_channel(bot, connector, CAMDEN, "ask Has anyone a draft S75 agreement?")
        assert_valid_card(answer)
        assert "sent to 3 colleagues" in plain_text(answer)
        assert "actions" not in answer  # the author's controls go 1:1, not to the channel
        await settled(forum)
        posted = to(connector.sent(), CHANNEL)
        assert len(posted) == 1  # the ask card in the forum's channel
        asked = request_cards(connector)
        assert len(asked) == 3
        assert len({S75[aad] for aad in asked}) == 3  # three organisations, none Camden's
        ask_id = next(
            a["data"]["ask"]
            for a in next(iter(asked.values()))["actions"]
            if a["data"]["verb"] == "ask.pass"
        )

        card_id = sent_activity(forum, f"ask:{ask_id}:card")
        first, second, _ = sorted(asked)
        passed = await submit(
            bot, connector, first, {"verb": "ask.pass", "ask": ask_id, "reason": "new in post"}
        )
        assert "next colleague" in plain_text(passed)
        await settled(forum)
        assert set(request_cards(connector)) == set(S75)  # the fourth is asked in turn

        forged = await submit(
            bot, connector, KENSINGTON, {"verb": "ask.reply", "ask": ask_id, "text": "me!"}
        )
        assert "Only colleagues this ask was sent to" in plain_text(forged)
        other = await submit(bot, connector, second, {"verb": "ask.reply", "ask": 999, "text": "x"})
        assert "no such ask" in plain_text(other)

        link = "https://hackney.sharepoint.com/sites/send/S75-draft.docx"
        reply = {
            "verb": "ask.reply",
            "ask": ask_id,
            "text": "Ours is here, *adapt freely*",
            "link": link,
        }
        thanks = await submit(bot, connector, second, reply)
        assert "Thank you" in plain_text(thanks)
        await settled(forum)
        thread = to(connector.sent(), f"{CHANNEL};messageid={card_id}")
        assert len(thread) == 1  # the reply, under the ask
        assert "Ours is here, *adapt freely*" in plain_text(thread[0].cards[0])
        told = [c for c in to(connector.sent(), f"a:{CAMDEN}") if c.cards]
        assert len(told) == 1
        assert link in str(told[0].cards[0])
        updates = to(connector.calls, CHANNEL, "PUT")
        assert updates
        assert {u.activity_id for u in updates} == {card_id}
        assert "1 reply" in plain_text(updates[-1].cards[0])

        resolve = next(
            a["data"]
            for a in told[0].cards[0]["actions"]
            if a.get("data", {}).get("verb") == "ask.resolve"
        )
        outsider = await submit(bot, connector, second, resolve)
        assert "Only the person who asked" in plain_text(outsider)
        resolved = await submit(bot, connector, CAMDEN, resolve)
        assert "Resolved" in plain_text(resolved)
        await settled(forum)
        last = to(connector.calls, CHANNEL, "PUT")[-1]
        assert "Resolved" in plain_text(last.cards[0])
        assert "Most useful reply, from Hackney" in plain_text(last.cards[0])
        assert "Person" not in plain_text(last.cards[0])  # organisations, not people
        again = await submit(bot, connector, second, reply)  # a replayed reply to a resolved ask
        assert "You sent this reply to ask" in plain_text(again)


async def test_a_restart_loses_no_ask_and_a_pass_after_it_reroutes(
    forum: Database, connector: FakeConnector
) -> None:
    first = running(forum, connector)
    bot = await anext(first)
    await in_channel(bot, connector, CAMDEN, "ask #s75 pooled budget template?")
    await settled(forum)
    with contextlib.suppress(StopAsyncIteration):
        await anext(first)  # the server stops
    asked = request_cards(connector)
    async for bot in running(forum, connector):
        responder = sorted(asked)[0]
        ask_id = next(a["data"]["ask"] for a in asked[responder]["actions"])
        await submit(bot, connector, responder, {"verb": "ask.pass", "ask": ask_id})
        await settled(forum)
        assert len(request_cards(connector)) == 4
        form = await submit(bot, connector, CAMDEN, {"verb": "command.run", "command": "ask"})
        assert form["actions"][0]["data"] == {"verb": "ask.submit"}  # an empty ask: the form
        mine = await submit(
            bot, connector, CAMDEN, {"verb": "ask.submit", "question": "#transport minibus?"}
        )
        assert any(a["data"]["verb"] == "ask.close" for a in mine["actions"])  # 1:1: controls
        listed = await submit(
            bot, connector, CAMDEN, {"verb": "command.run", "command": "asks", "args": "mine"}
        )
        assert "pooled budget template" in plain_text(listed)


def test_the_sweep_job_reroutes_after_two_working_days_across_the_bank_holiday(
    forum: Database,
) -> None:
    friday = datetime(2026, 5, 22, 9, 0, tzinfo=UTC)  # 10:00 London, before the bank holiday
    clock = FakeClock(friday)
    asks = Asks(
        forum, clock, lambda s, now: OutboxMessenger(s, now), AskCards(), AskConfig(responders=1)
    )
    with forum.transaction() as session:
        author = find_member(session, CAMDEN)
    assert author is not None
    asks.open(author, "#s75 anyone?")
    scheduler = Scheduler(
        forum, JOBS, clock, "test", messengers=lambda s, now: OutboxMessenger(s, now)
    )
    scheduler.tick()  # plans from now

    def routes() -> list[tuple[int, str]]:
        with forum.transaction() as session:
            return [(r.seq, r.state) for r in session.query(AskRouteRow).order_by(AskRouteRow.seq)]

    clock.at = datetime(2026, 5, 27, 8, 50, tzinfo=UTC)  # Wednesday 09:50 London: not yet
    scheduler.tick()
    assert routes() == [(1, "waiting")]
    clock.at = datetime(2026, 5, 27, 9, 1, tzinfo=UTC)  # the 10:00 sweep has run
    scheduler.tick()
    assert routes() == [(1, "expired"), (2, "waiting")]
    clock.at += timedelta(minutes=30)
    scheduler.tick()
    assert routes() == [(1, "expired"), (2, "waiting")]


async def test_asks_report_shows_the_busiest_rows_and_offers_every_row_as_csv(
    database: Database, connector: FakeConnector
) -> None:
    """The card keeps each table's three busiest rows and says how many more (at 500 px it was
    960 px tall); nothing is lost: every row is in a CSV offered beside it, to the secretariat
    member who asked (on Allow it goes to their OneDrive: tests/e2e/test_file_offers.py)."""
    with database.transaction() as session:
        upsert_members(session, demo_members(), NOW)  # the demo asks' authors and repliers
        demo_asks(session, NOW)
        figures = ask_figures(session, datetime(2000, 1, 1, tzinfo=UTC), NOW)
    async for bot in serve(make_settings(database, connector), database):
        refused = await say(bot, connector, CAMDEN, "asks report")
        card = await say(bot, connector, LIIA, "asks report")
        [consent] = offered(connector, LIIA)
        status, _ = await answer_consent(bot, connector, LIIA, consent)
        [upload] = connector.uploads
        body = upload.body
    assert "Only the forum's secretariat" in plain_text(refused)
    assert_valid_card(card)
    tables = [e for e in card["body"] if e["type"] == "Table"]
    assert [len(t["rows"]) - 1 for t in tables] == [
        min(3, len(rows)) for rows in (figures.by_topic, figures.by_member, figures.by_organisation)
    ]
    assert len(figures.by_topic) > 3
    assert f"and {len(figures.by_topic) - 3} more topics" in plain_text(card)
    assert status == 200
    assert consent["name"].endswith(".csv")
    assert f"Every row is in {consent['name']}" in plain_text(card).replace("\\", "")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:2] == ["table", "name"]
    assert Counter(r[0] for r in rows[1:]) == {
        "topic": len(figures.by_topic),
        "member": len(figures.by_member),
        "organisation": len(figures.by_organisation),
    }
    assert [r[1] for r in rows[1:] if r[0] == "member"] == [x.name for x in figures.by_member]


async def test_asks_report_runs_the_same_sql_however_many_asks_there_are(
    forum: Database, connector: FakeConnector
) -> None:
    """Issue 28: the report read the asks' routes with `IN (<every ask's id>)`, a new SQL text
    each time an ask was made; SQLite prepares and keeps each text in its connections' statement
    caches, so the served process grew with every `asks report` (241 -> 381 MiB)."""
    ran: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        ran.append(sql)

    event.listen(forum.engine, "before_cursor_execute", record)
    reports: list[set[str]] = []
    try:
        async for bot in running(forum, connector):
            for asks in (1, 2):  # one ask, then three
                for n in range(asks):
                    await in_channel(bot, connector, CAMDEN, f"ask Has anyone an S75 draft {n}?")
                await settled(forum)
                ran.clear()
                card = await say(bot, connector, LIIA, "asks report")
                assert_valid_card(card)
                reports.append({sql for sql in ran if "ask_routes" in sql})
    finally:
        event.remove(forum.engine, "before_cursor_execute", record)
    assert reports[0]
    assert reports[1] == reports[0]


async def test_asks_report_asked_in_a_channel_is_answered_only_in_a_1_to_1_chat(
    database: Database, connector: FakeConnector
) -> None:
    """It names colleagues and links every row: even the secretariat's `asks report` in the
    forum's channel posts neither there."""
    with database.transaction() as session:
        upsert_members(session, demo_members(), NOW)
        demo_asks(session, NOW)
    message = activity(
        "message_channel_mention",
        connector,
        text="<at>ridotest</at> asks report",
        **{"from.aadObjectId": LIIA},
    )
    async for bot in serve(make_settings(database, connector), database, jobs=()):
        await bot.post(message)
    channel = message["conversation"]["id"]  # type: ignore[index]
    [card] = [card for c in connector.sent() if c.conversation_id == channel for card in c.cards]
    assert_valid_card(card)
    assert "ask me for it in our 1:1 chat" in plain_text(card)
    assert "Most asked members" not in plain_text(card)
    assert "/reports/" not in str(card)
    assert offered(connector, LIIA) == []  # no file offered in a channel either


async def test_a_long_ask_is_refused_with_its_real_length_and_nothing_stored(
    forum: Database, connector: FakeConnector
) -> None:
    """Measured before anything cuts it: 30,000 characters are refused as 30,000, typed or from
    the form, with the most allowed."""
    long = "Has anyone a draft S75 agreement? " + "x" * (30_000 - 34)
    async for bot in running(forum, connector):
        typed = await say(bot, connector, CAMDEN, f"ask {long}")
        formed = await submit(bot, connector, CAMDEN, {"verb": "ask.submit", "question": long})
    for card in (typed, formed):
        assert "That is 30,000 characters: 4,000 is the most." in plain_text(card)
    with forum.transaction() as session:
        assert ask_figures(session, NOW - timedelta(days=1), NOW + timedelta(days=1)).asks == 0


async def test_an_ask_is_stored_and_shown_without_bidi_or_zero_width_controls(
    forum: Database, connector: FakeConnector
) -> None:
    async for bot in running(forum, connector):
        typed = await say(bot, connector, CAMDEN, "ask Pay\u202eexe.fdp S7\u200b5 invoices?")
        formed = await submit(
            bot, connector, CAMDEN, {"verb": "ask.submit", "question": "\u2067Mini\u200dbus\u2069?"}
        )
    with forum.transaction() as session:
        stored = sorted(session.scalars(select(AskRow.text)))
    assert stored == ["Minibus?", "Payexe.fdp S75 invoices?"]
    for card, text in ((typed, "Payexe.fdp S75 invoices?"), (formed, "Minibus?")):
        assert text in plain_text(card)
        assert not any(c in str(card) for c in "\u202e\u200b\u2067\u2069\u200d")


async def test_the_archive_opens_an_ask_with_its_replies_and_a_late_reply_is_kept(
    forum: Database, connector: FakeConnector
) -> None:
    """Issue 25 item 3: `asks search` listed "2 replies" and nothing opened them; the author
    was told "a reply from Hackney" with nobody to follow up; a reply after the author resolved
    was refused and its text lost; a Pass on an answered ask said it "goes to the next
    colleague" while nobody was asked."""
    async for bot in running(forum, connector):
        await submit(
            bot,
            connector,
            CAMDEN,
            {"verb": "ask.submit", "question": "#s75 pooled budget template?"},
        )
        await settled(forum)
        asked = request_cards(connector)
        gre, hac, ham = sorted(asked)  # Greenwich, Hackney, Hammersmith and Fulham
        ask_id = next(a["data"]["ask"] for a in asked[hac]["actions"])
        link = "https://hackney.sharepoint.com/sites/send/pooled-budget.docx"
        await submit(
            bot,
            connector,
            hac,
            {"verb": "ask.reply", "ask": ask_id, "text": "Ours, signed off in 2025", "link": link},
        )
        passed = await submit(bot, connector, gre, {"verb": "ask.pass", "ask": ask_id})
        await settled(forum)
        told = [card for c in to(connector.sent(), f"a:{CAMDEN}") for card in c.cards]
        first = next(c for c in told if "A reply to your ask" in plain_text(c))
        resolve = next(
            a["data"] for a in first["actions"] if a.get("data", {}).get("verb") == "ask.resolve"
        )
        await submit(bot, connector, CAMDEN, resolve)
        late = await submit(
            bot, connector, ham, {"verb": "ask.reply", "ask": ask_id, "text": "Ours too: ask me"}
        )
        passed_late = await submit(bot, connector, ham, {"verb": "ask.pass", "ask": ask_id})
        await settled(forum)
        told = [card for c in to(connector.sent(), f"a:{CAMDEN}") for card in c.cards]
        # (what is read is asserted after the app stops: a failure here would leave it serving)
        told_late = next((c for c in told if "A late reply to your ask" in plain_text(c)), {})
        found = await submit(
            bot,
            connector,
            CAMDEN,
            {"verb": "command.run", "command": "asks", "args": "search pooled"},
        )
        choice = next((e for e in found["body"] if e["type"] == "Input.ChoiceSet"), {})
        [button, *_] = [*found.get("actions", []), {"data": {"verb": "command.run"}}]
        choice.setdefault("value", str(ask_id))
        pressed = await submit(
            bot, connector, KENSINGTON, {**button["data"], "args": choice["value"]}
        )
        typed = await say(
            bot, connector, KENSINGTON, f"asks {ask_id}", conversation_id=f"a:{KENSINGTON}"
        )
        in_the_channel = await in_channel(bot, connector, KENSINGTON, f"asks {ask_id}")
        nothing = await say(
            bot, connector, KENSINGTON, "asks 999999", conversation_id=f"a:{KENSINGTON}"
        )

    # the author is told who replied, so they can follow up
    assert f"A reply to your ask {ask_id}, from Person 204 (Hackney)" in plain_text(first)
    # an answered ask is not passed on to anyone, and the Pass says so
    assert "goes to the next colleague" not in plain_text(passed)
    assert "has a reply already, so nobody else is asked" in plain_text(passed)
    assert set(request_cards(connector)) == {gre, hac, ham}  # nobody new was asked
    # the late reply is kept, its sender and the author told
    assert "kept with it as a late reply" in plain_text(late)
    assert "Priya Shah (Camden) has been told" in plain_text(late)
    assert "from Person 205 (Hammersmith and Fulham)" in plain_text(told_late)
    assert "Ours too: ask me" in plain_text(told_late)
    assert not any(
        a.get("data", {}).get("verb") == "ask.resolve" for a in told_late.get("actions", [])
    )
    assert f"Ask {ask_id} is resolved already: nobody else needs to be asked" in plain_text(
        passed_late
    )
    # the archive lists it, and a press (or asks <number>) opens it with every reply
    assert "2 replies" in plain_text(found)
    assert choice["value"] == str(ask_id)
    assert button["data"] == {"verb": "command.run", "command": "asks"}
    assert plain_text(pressed) == plain_text(typed)
    text = plain_text(typed)
    assert "Replies (2)" in text
    assert "Person 204 (Hackney)" in text
    assert "(most useful)" in text
    assert "Ours, signed off in 2025" in text
    assert link in text
    assert "Person 205 (Hammersmith and Fulham)" in text
    assert "(late: after the ask was resolved)" in text
    assert "Ours too: ask me" in text
    # in the channel: the replies and organisations, not the people
    channel_text = plain_text(in_the_channel)
    assert "Ours, signed off in 2025" in channel_text
    assert "Hackney" in channel_text
    assert "Person" not in channel_text
    assert "There is no such ask" in plain_text(nothing)


async def test_only_reachable_colleagues_are_asked_and_the_unreachable_are_replaced(
    database: Database, connector: FakeConnector
) -> None:
    """Issue 25 item 4: with no team to open chats from, three S75 colleagues without a chat
    were "asked" anyway, expired at once and used up the ask's `max_asked`: the secretariat was
    told "nobody could be asked" beside "Asked: Greenwich, Hackney, Hammersmith and Fulham"
    while Islington and Kensington, with open chats, were never asked; `asks report` counted
    the three as "no answer". Now the reachable are asked in their place."""
    records = [
        MemberRecord(
            aad, f"Person {org}", f"{org}@example.org", org, frozenset({Role.MEMBER}), ("S75",)
        )
        for aad, org in S75.items()
    ]
    records.append(
        MemberRecord(
            KENSINGTON, "Kit", "kit@example.org", "207", frozenset({Role.MEMBER}), ("transport",)
        )
    )
    with database.transaction() as session:
        upsert_members(session, records, NOW)
    unreachable = sorted(S75)[:3]  # Greenwich, Hackney, Hammersmith: no chat, and no team
    islington = sorted(S75)[3]
    remember(
        database,
        *(
            place(connector, f"a:{aad}", "personal", aad)
            for aad in [CAMDEN, LIIA, islington, KENSINGTON]
        ),
    )
    async for bot in running(database, connector):
        opened = await submit(
            bot,
            connector,
            CAMDEN,
            {"verb": "ask.submit", "question": "#s75 pooled budget template?"},
        )
        await settled(database)
        asked = request_cards(connector)
        with database.transaction() as session:
            ask_id = session.scalars(select(AskRouteRow.ask_id)).first()
        report = await submit(
            bot, connector, LIIA, {"verb": "command.run", "command": "asks", "args": "report"}
        )
        thread = await submit(
            bot, connector, CAMDEN, {"verb": "command.run", "command": "asks", "args": str(ask_id)}
        )
        secretariat = [
            plain_text(card) for c in to(connector.sent(), f"a:{LIIA}") for card in c.cards
        ]

    text = plain_text(opened)
    assert "sent to 3 colleagues at" in text  # Islington, Kensington and the secretariat's LIIA
    for name in ("Greenwich", "Hackney", "Hammersmith"):
        assert name not in text
        assert name not in plain_text(thread)
        assert name not in plain_text(report)
    assert "Islington" in text
    assert "Kensington and Chelsea" in text
    assert set(asked) == {islington, KENSINGTON}  # request cards where they can be read
    assert not any("nobody left to answer" in t for t in secretariat)
    with database.transaction() as session:
        routes = session.scalars(select(AskRouteRow).where(AskRouteRow.ask_id == ask_id)).all()
        assert {r.responder_aad for r in routes}.isdisjoint(unreachable)
        assert {r.state for r in routes} == {"waiting"}
    assert "Asks: 1" in plain_text(report)


async def test_a_colleague_whose_chat_cannot_be_opened_is_replaced_at_the_next_sweep(
    database: Database, connector: FakeConnector
) -> None:
    """Issue 25 item 4, with a team: the chats of Greenwich's and Hackney's colleagues cannot
    be opened (not in the forum's team: Teams answers 403), so the outbox gives their cards up.
    The next sweep asks others in their place; they are not in "Asked" nor "no answer"."""
    with database.transaction() as session:
        upsert_members(
            session,
            [
                MemberRecord(
                    aad, f"Person {org}", f"{org}@example.org", org, frozenset({Role.MEMBER}),
                    ("S75",),
                )
                for aad, org in S75.items()
            ],
            NOW,
        )  # fmt: skip
    remember(
        database,
        place(connector, CHANNEL, "channel"),
        *(place(connector, f"a:{aad}", "personal", aad) for aad in (CAMDEN, LIIA)),
    )
    gre, hac, ham, isl = sorted(S75)
    for aad in (gre, hac):
        connector.fail_conversation(f"{connector.OPENING}{aad}", 403)
    # the app runs no jobs of its own: the sweep is run here, on a clock the test moves
    async for bot in serve(make_settings(database, connector, **FAST), database, jobs=()):
        await submit(
            bot, connector, CAMDEN, {"verb": "ask.submit", "question": "#s75 pooled budget?"}
        )
        await settled(database)
        # (a clock behind the app's: what the sweep queues is due at once for the app's outbox)
        clock = FakeClock(datetime.now(UTC) - timedelta(minutes=20))
        scheduler = Scheduler(
            database, JOBS, clock, "test", messengers=lambda s, now: OutboxMessenger(s, now)
        )
        scheduler.tick()  # plans from now
        clock.advance(timedelta(minutes=16))
        scheduler.tick()  # the sweep
        await settled(database)
        report = await submit(
            bot, connector, LIIA, {"verb": "command.run", "command": "asks", "args": "report"}
        )
    opened = {c.conversation_id for c in connector.calls if c.method == "POST"}
    updates = to(connector.calls, CHANNEL, "PUT")
    with database.transaction() as session:
        states = dict(session.execute(select(AskRouteRow.responder_aad, AskRouteRow.state)).all())

    assert states[gre] == states[hac] == "unreachable"
    assert states[ham] == states[isl] == "waiting"  # asked in their place (and LIIA's)
    assert f"{connector.OPENING}{isl}" in opened
    card = plain_text(updates[-1].cards[0])
    assert "Hammersmith and Fulham" in card
    assert "Islington" in card
    assert "Greenwich" not in card
    assert "Hackney" not in card
    assert "Greenwich" not in plain_text(report)
    assert "Hackney" not in plain_text(report)
