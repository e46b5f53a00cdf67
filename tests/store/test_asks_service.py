"""The round robin's service (forum_ops/asks/service.py) with the in-memory messenger and a clock we
move: routing, Pass, replies, authority, re-routing across a bank holiday, figures, search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from bot.commands.asks.commands import digest as digest_job
from cards.asks import AskCards, report_card
from forum_ops.asks.service import AskConfig, Asks, AskStatus, ask_figures, sweep, weekly_digest
from forum_ops.db import Database
from forum_ops.db.schema import AskRouteRow, MemberRow
from forum_ops.errors import ForumError, NotAllowed
from forum_ops.members.model import Role
from forum_ops.members.registry import MemberRecord, upsert_members
from forum_ops.outbox.conversations import ConversationPlace, remember_conversation
from forum_ops.outbox.messaging import OutboxMessenger
from forum_ops.scheduler import JobRun, JobSettings
from tests.conftest import CAMDEN, LIIA, NOW
from tests.support.cardcheck import assert_valid_card, card_texts
from tests.support.fakes import FakeClock, FakeMessenger
from tests.support.members import member

FRIDAY = datetime(2026, 5, 22, 9, 0, tzinfo=UTC)  # 10:00 in London; Monday 25 May is a holiday
# (aad id, organisation, topics): three S75 people in three organisations, and others
PEOPLE = [
    ("gre-s75", "203", ("S75",)),
    ("hac-s75", "204", ("section 75", "therapies")),
    ("hac-two", "204", ("S75",)),  # a second Hackney person: never in the same round
    ("ham-s75", "205", ("S75",)),
    ("isl-s75", "206", ("s75",)),
    ("ken-none", "207", ("transport",)),
    ("icb-s75", "QMJ", ("S75",)),
    ("cam-two", "202", ("S75",)),  # Camden, like the author: never asked
]


@pytest.fixture
def people(database: Database) -> Database:
    records = [
        MemberRecord(aad, f"Person {aad}", f"{aad}@example.org", org, frozenset({Role.MEMBER}), t)
        for aad, org, t in PEOPLE
    ]
    with database.transaction() as session:
        upsert_members(session, records, NOW)
    return database


def service(db: Database, clock: FakeClock, messenger: FakeMessenger, **config: object) -> Asks:
    return Asks(db, clock, lambda session, now: messenger, AskCards(), AskConfig(**config))  # type: ignore[arg-type]


def reachable() -> FakeMessenger:
    return FakeMessenger(members={aad for aad, _, _ in PEOPLE} | {CAMDEN, LIIA})


def routed(messenger: FakeMessenger) -> list[str]:
    return [s.to.removeprefix("member:") for s in messenger.sent if s.purpose == "ask-route"]


def test_an_ask_goes_to_three_people_of_three_other_organisations_with_the_topic(
    people: Database,
) -> None:
    messenger, clock = reachable(), FakeClock(NOW)
    asks = service(people, clock, messenger)
    opened = asks.open(member(people, CAMDEN), "Has anyone a draft S75 agreement for therapies?")
    assert opened.ask.tags == ("s75", "therapies")
    assert opened.asked == 3
    assert opened.posted
    chosen = routed(messenger)
    assert chosen[0] == "hac-s75"  # two matching tags first
    orgs = {{a: o for a, o, _ in PEOPLE}[aad] for aad in chosen}
    assert len(orgs) == 3
    assert "202" not in orgs
    card = messenger.by_key(f"ask:{opened.ask.id}:card")
    assert card.to == "channel"
    assert card.operation == "send"
    assert_valid_card(card.content or {})
    shown = " ".join(card_texts(card.content or {}))
    assert "Camden" in shown
    assert "Priya" not in shown
    for sent in messenger.sent:
        assert_valid_card(sent.content or {})


def test_pass_moves_on_a_reply_is_threaded_told_and_counted_and_the_author_resolves(
    people: Database,
) -> None:
    messenger, clock = reachable(), FakeClock(NOW)
    asks = service(people, clock, messenger)
    ask = asks.open(member(people, CAMDEN), "Draft S75 agreement, anyone?").ask
    first, second, third = routed(messenger)
    with pytest.raises(NotAllowed):
        asks.reply(member(people, "ken-none"), ask.id, "I wasn't asked")  # not asked
    asks.pass_on(member(people, first), ask.id, "on leave next week")
    with pytest.raises(ForumError, match="already"):
        asks.pass_on(member(people, first), ask.id)
    assert len(routed(messenger)) == 4  # the next in turn
    assert messenger.sent[-1].operation == "update"
    clock.advance(timedelta(hours=3))
    view = asks.reply(
        member(people, second),
        ask.id,
        "Ours is attached *here*",
        "https://x.sharepoint.com/s75.docx",
    )
    assert view.status is AskStatus.ANSWERED
    assert len(view.replies) == 1
    thread = messenger.by_key(f"ask:{ask.id}:reply:{view.replies[0].id}:thread")
    assert (thread.operation, thread.to) == ("reply", "channel")
    told = messenger.by_key(f"ask:{ask.id}:reply:{view.replies[0].id}:author")
    assert told.to == f"member:{CAMDEN}"
    update = messenger.by_key(f"ask:{ask.id}:update:reply:{view.replies[0].id}")
    assert update.operation == "update"
    assert "1 reply" in card_texts(update.content or {})
    assert "Ours is attached \\*here\\*" in card_texts(thread.content or {})  # as text
    # only the author or the secretariat resolves; a reply of another ask is refused
    with pytest.raises(NotAllowed):
        asks.resolve(member(people, third), ask.id, view.replies[0].id)
    with pytest.raises(ForumError):
        asks.resolve(member(people, CAMDEN), ask.id, 999)
    done = asks.resolve(member(people, CAMDEN), ask.id, view.replies[0].id)
    assert done.status is AskStatus.RESOLVED
    assert done.best == view.replies[0]
    # a reply after the author resolved is kept as a late reply, and the author told (issue 25)
    clock.advance(timedelta(hours=1))
    late = asks.reply(member(people, third), ask.id, "late")
    assert late.status is AskStatus.RESOLVED
    assert [r.late for r in late.replies] == [False, True]
    told = messenger.by_key(f"ask:{ask.id}:reply:{late.replies[1].id}:author")
    assert any("A late reply to your ask" in t for t in card_texts(told.content or {}))
    with pytest.raises(NotAllowed):  # still only from someone it was sent to
        asks.reply(member(people, "ken-none"), ask.id, "I wasn't asked")
    before = len(messenger.sent)
    with pytest.raises(ForumError):
        asks.reply(member(people, third), "1; DROP TABLE asks", "x")
    assert len(messenger.sent) == before


def test_silence_for_two_working_days_reroutes_across_a_bank_holiday_once(
    people: Database,
) -> None:
    messenger, clock = reachable(), FakeClock(FRIDAY)
    asks = service(people, clock, messenger, responders=1)
    ask = asks.open(member(people, CAMDEN), "#s75 template?").ask
    assert len(routed(messenger)) == 1
    tuesday_night = datetime(2026, 5, 26, 22, 0, tzinfo=UTC)
    wednesday = datetime(2026, 5, 27, 9, 0, tzinfo=UTC)  # 10:00 London, 2 working days on
    with people.transaction() as session:
        assert sweep(session, tuesday_night, messenger, AskCards()) == 0
    with people.transaction() as session:
        assert sweep(session, wednesday, messenger, AskCards()) == 1
    with people.transaction() as session:  # the next sweep: nothing more
        assert sweep(session, wednesday + timedelta(minutes=15), messenger, AskCards()) == 0
    assert [k.key for k in messenger.sent if k.purpose == "ask-route"] == [
        f"ask:{ask.id}:route:1",
        f"ask:{ask.id}:route:2",
    ]


def test_when_nobody_is_left_the_secretariat_is_told_once(people: Database) -> None:
    messenger, clock = reachable(), FakeClock(NOW)
    asks = service(people, clock, messenger, responders=2, reroutes=1)
    ask = asks.open(member(people, CAMDEN), "#s75 anyone?").ask
    for aad in list(routed(messenger)):
        asks.pass_on(member(people, aad), ask.id)
    third = routed(messenger)[2]
    asks.pass_on(member(people, third), ask.id)
    told = [s for s in messenger.sent if s.purpose == "ask-escalated"]
    assert [s.to for s in told] == [f"member:{LIIA}"]
    assert "Priya Shah" in " ".join(card_texts(told[0].content or {}))  # the secretariat sees names
    assert asks.close(member(people, LIIA), ask.id).status is AskStatus.CLOSED


def test_away_members_are_skipped_and_nobody_is_asked_twice_running(people: Database) -> None:
    messenger, clock = reachable(), FakeClock(NOW)
    asks = service(people, clock, messenger)
    asks.set_away(member(people, "hac-s75"), "", None)
    asks.open(member(people, CAMDEN), "#s75 one")
    first = set(routed(messenger))
    assert "hac-s75" not in first
    asks.open(member(people, CAMDEN), "#s75 two")
    second = set(routed(messenger)) - first
    assert first.isdisjoint(second)
    with pytest.raises(NotAllowed):
        asks.set_back(member(people, CAMDEN), "hac-s75@example.org")  # not the secretariat
    state = asks.set_back(member(people, LIIA), "hac-s75@example.org")
    assert not state.away


def test_topics_change_and_the_archive_is_searched_across_replies(people: Database) -> None:
    messenger, clock = reachable(), FakeClock(NOW)
    asks = service(people, clock, messenger)
    changed = asks.change_topics(member(people, CAMDEN), "", ["Short breaks"], ["section 75"])
    assert changed.topics == ("transport", "Short breaks")
    clock.advance(timedelta(hours=1))
    shown = asks.change_topics(member(people, CAMDEN), "", [], [])  # `topics` alone
    assert shown.topics == changed.topics
    with people.transaction() as session:
        row = session.scalars(select(MemberRow).where(MemberRow.aad_object_id == CAMDEN)).one()
        assert row.updated_at == NOW  # showing them wrote nothing
    a = asks.open(member(people, CAMDEN), "#transport who runs minibus routes?").ask
    b = asks.open(member(people, CAMDEN), "#s75 pooled budget question").ask
    responder = routed(messenger)[-1]
    asks.reply(member(people, responder), b.id, "We use a risk-share clause for equipment")
    assert [x.id for x in asks.search("risk share")] == [b.id]
    assert [x.id for x in asks.search("minibus")] == [a.id]
    assert asks.search("zebra") == []


def test_figures_and_the_digest(people: Database) -> None:
    messenger, clock = reachable(), FakeClock(NOW)
    asks = service(people, clock, messenger)
    with people.transaction() as session:
        assert not weekly_digest(session, "k0", NOW, messenger, AskCards())  # nothing to say
    one = asks.open(member(people, CAMDEN), "#s75 one").ask
    asks.open(member(people, CAMDEN), "#transport two")
    clock.advance(timedelta(hours=5))
    asks.reply(member(people, routed(messenger)[0]), one.id, "yes")
    with people.transaction() as session:
        figures = ask_figures(session, NOW - timedelta(days=1), NOW + timedelta(days=1))
        assert weekly_digest(session, "k1", clock.now(), messenger, AskCards())
    assert (figures.asks, figures.answered, figures.answered_share) == (2, 1, 0.5)
    assert figures.median_first_reply == timedelta(hours=5)
    assert sum(x.asked for x in figures.by_member) == 6
    # two members can share a name: each is shown with their organisation
    assert all(x.name.endswith(")") and " (" in x.name for x in figures.by_member)
    assert {t.tag for t in figures.by_topic} == {"s75", "transport"}
    assert_valid_card(report_card(figures).content)
    digest = messenger.by_key("asks-digest:k1")
    assert digest.to == "channel"
    assert_valid_card(digest.content or {})


PEER = "19:peer-support@thread.tacv2"


def test_the_digest_job_posts_to_the_peer_support_channel_its_settings_name(
    people: Database,
) -> None:
    """The job reads the channel from run.settings (FORUM_PEER_SUPPORT_CHANNEL_ID, read once by
    bot/scheduler_worker.py); unset, or a channel the bot is not in: the forum's channel."""
    messenger = reachable()
    messenger.conversations.add(PEER)
    service(people, FakeClock(NOW), messenger).open(member(people, CAMDEN), "#s75 anyone?")
    reference = {"conversation": {"id": PEER, "conversationType": "channel"}}
    with people.transaction() as session:
        remember_conversation(
            session, ConversationPlace(PEER, "channel", "t", None, "team-1", reference), NOW
        )
    for key, settings in (
        ("set", JobSettings(peer_support_channel_id=PEER)),
        ("unset", JobSettings()),
        ("unknown", JobSettings(peer_support_channel_id="19:gone@thread.tacv2")),
    ):
        with people.transaction() as session:
            digest_job(session, JobRun("asks.digest", key, NOW, NOW, 1, messenger, settings))
    where = {k: messenger.by_key(f"asks-digest:{k}").to for k in ("set", "unset", "unknown")}
    assert where == {"set": f"conversation:{PEER}", "unset": "channel", "unknown": "channel"}


@pytest.mark.parametrize("text", ["", "   ", "x" * 4001])
def test_empty_or_oversized_asks_are_refused_and_nothing_is_sent(
    people: Database, text: str
) -> None:
    messenger = reachable()
    with pytest.raises(ForumError):
        service(people, FakeClock(NOW), messenger).open(member(people, CAMDEN), text)
    assert messenger.sent == []


def test_the_demo_asks_load_once_in_every_state_and_are_searchable(database: Database) -> None:
    from forum_ops.demo import demo_members, load_feature_demos

    with database.transaction() as session:
        upsert_members(session, demo_members(), NOW)
    assert load_feature_demos(database, NOW)[0].startswith("Demo asks loaded: 4")
    assert load_feature_demos(database, NOW)[0] == "Demo asks: already there."
    asks = service(database, FakeClock(NOW), FakeMessenger())
    everything = asks.listed(member(database, LIIA), "all")
    assert {a.status for a in everything} == set(AskStatus)
    assert next(a.tags for a in asks.search("section 75 agreement")) == ("s75", "therapies")
    resolved = next(a for a in everything if a.status is AskStatus.RESOLVED)
    assert resolved.best is not None
    assert resolved.best.link.startswith("https://")


def test_the_round_robin_on_every_database(any_database: Database) -> None:
    """Open, Pass, reply, resolve and the sweep on SQLite and PostgreSQL (row locks, LIKE)."""
    records = [
        MemberRecord(aad, f"Person {aad}", f"{aad}@example.org", org, frozenset({Role.MEMBER}), t)
        for aad, org, t in PEOPLE
    ]
    with any_database.transaction() as session:
        upsert_members(session, records, NOW)
    messenger, clock = reachable(), FakeClock(FRIDAY)
    asks = service(any_database, clock, messenger, responders=2, reroutes=1)
    ask = asks.open(member(any_database, CAMDEN), "#s75 pooled budgets?").ask
    first, second = routed(messenger)
    asks.pass_on(member(any_database, first), ask.id)
    with any_database.transaction() as session:
        assert sweep(session, datetime(2026, 5, 27, 9, 0, tzinfo=UTC), messenger, AskCards()) == 2
    assert [s.to for s in messenger.sent if s.purpose == "ask-escalated"] == [f"member:{LIIA}"]
    view = asks.reply(member(any_database, second), ask.id, "late but here")
    done = asks.resolve(member(any_database, LIIA), ask.id, view.replies[0].id)
    assert done.status is AskStatus.RESOLVED
    assert [x.id for x in asks.search("pooled budget")] == [ask.id]


def test_routing_asks_once_who_can_be_reached_however_many_cannot(people: Database) -> None:
    """Sixty colleagues with the topic and no chat (a forum whose team has not added the bot):
    the router learns who it can reach in one look, not two queries per colleague passed over."""
    many = [
        MemberRecord(
            f"far-{n}", f"Far {n}", f"far{n}@example.org", "208", frozenset({Role.MEMBER}), ("S75",)
        )
        for n in range(60)
    ]
    with people.transaction() as session:
        upsert_members(session, many, NOW)
        for aad in ("gre-s75", "ham-s75"):  # two can be reached
            remember_conversation(
                session, ConversationPlace(f"a:{aad}", "personal", "t", aad, None, {}), NOW
            )
    asks = Asks(people, FakeClock(NOW), OutboxMessenger, AskCards(), AskConfig())
    looks: list[str] = []

    def note(_conn: object, _cursor: object, sql: str, *_: object) -> None:
        if sql.lstrip().startswith("SELECT") and "FROM conversations" in sql:
            looks.append(sql)

    event.listen(people.engine, "after_cursor_execute", note)
    try:
        opened = asks.open(member(people, CAMDEN), "Has anyone a draft S75 agreement?")
    finally:
        event.remove(people.engine, "after_cursor_execute", note)
    with people.transaction() as session:
        asked = session.scalars(select(AskRouteRow.responder_aad)).all()
    assert sorted(asked) == ["gre-s75", "ham-s75"]
    assert opened.asked == 2
    assert len(looks) <= 8  # was 2 for each of the 60 passed over
