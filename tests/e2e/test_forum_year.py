"""A forum year, lived end to end (issue 25, "How to show it"): the real app over HTTP, the fake
Bot Connector, the real scheduler's jobs run at the moments a clock the test moves reaches, and
what each person READS asserted, not only that a card came.

January to April 2026: members arrive (1:1 chats), an S75 ask is routed before the bot is in the
forum's team (so one colleague cannot be reached) with another colleague away, answered, passed
and read back; the bot joins the team; two meetings get chairs (a member offers, the secretariat
confirms), proposals, the agenda a week before and the reminder the day before, a takeaway the
chair publishes and one the cycle posts 2 working days after its meeting; a ToR version is read
and voted by 20 boroughs, reminded and closed; a directory suggestion is approved and found; the
quarterly report of January to March is prompted and made.

The year is lived once (a module fixture) and read by the tests below. The tests marked xfail
(strict=False) are the behaviours issue 25 items 1-4 ask for that this branch does not have yet
(they are being merged): takeaway published status, a readable ToR ballot, the ask archive, and
unreachable responders replaced. Each such expectation is commented "ISSUE 25 item N".
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.app import create_app
from bot.features import JOBS
from bot.scheduler_worker import job_settings
from bot.teams import FILE_DOWNLOAD_INFO
from bot.testing import BotClient, FakeConnector
from cards import plain_text
from forum_ops.db import Database
from forum_ops.db.schema import JobOccurrenceRow
from forum_ops.meetings.service import seed_year_one
from forum_ops.members.model import Role
from forum_ops.members.reference import LOCAL_AUTHORITIES
from forum_ops.members.registry import MemberRecord, upsert_members
from forum_ops.outbox.messaging import OutboxMessenger
from forum_ops.scheduler import Scheduler
from tests.conftest import CAMDEN, LIIA, NOW, activity, make_settings, migrated
from tests.support.cardcheck import assert_valid_card
from tests.support.cardrender import Drawn, draw, require_renderer
from tests.support.chat import in_chat, offered
from tests.support.directory import TRANSPORT_NETWORK as SUGGESTION
from tests.support.fakes import FakeCalendar, FakeClock
from tests.support.outboxing import FAST, place, remember, settled

LONDON_WINTER = UTC  # January to March: London is on GMT


def member_id(code: str) -> str:
    return f"00000000-0000-4000-8000-000000000{code}"


BOROUGHS = LOCAL_AUTHORITIES[:21]  # 20 voters (City of London to Croydon) and Enfield
VOTERS = BOROUGHS[:20]
GREENWICH, HACKNEY, HAMMERSMITH = member_id("203"), member_id("204"), member_id("205")
LAMBETH = member_id("208")
ICB = "00000000-0000-4000-8000-0000000000c1"  # NHS North Central London ICB: no vote
ENFIELD = member_id("308")  # never writes to the bot: unreachable until the bot joins the team
S75 = {GREENWICH, HACKNEY, HAMMERSMITH, ENFIELD}  # Camden's S75 colleagues elsewhere
FIRST_NAMES = ["Ada", "Ben", "Cleo", "Dev", "Esi", "Finn", "Gita", "Hal", "Ines", "Jon", "Kemi",
               "Lars", "Mina", "Nico", "Oona", "Pia", "Quin", "Rosa", "Saul", "Tara", "Uma"]  # fmt: skip
DRAFT = (
    b"# Purpose\nThe forum helps London's SEND commissioners share what works.\n\n"
    b"# Membership\nEvery one of the 33 boroughs, the five ICBs and LIIA.\n\n"
    b"# Decisions\nThe forum advises; each borough decides for itself.\n"
)


def at(day: str, hh_mm: str = "09:00", seconds: int = 30) -> datetime:
    """A London wall-clock moment in winter (GMT), a little after the minute the jobs fire."""
    hour, minute = map(int, hh_mm.split(":"))
    return datetime.fromisoformat(day).replace(
        hour=hour, minute=minute, second=seconds, tzinfo=LONDON_WINTER
    )


@dataclass
class Year:
    """What each person read, by step, and every card the year produced (for the card check)."""

    read: dict[str, dict[str, Any]] = field(default_factory=dict)
    many: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    every_card: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    seconds: float = 0.0
    failed_jobs: list[str] = field(default_factory=list)

    def text(self, step: str) -> str:
        return plain_text(self.read[step])


def registry() -> list[MemberRecord]:
    """One member of each of 21 boroughs (Camden's is conftest's Priya Shah)."""
    records = []
    for name, la in zip(FIRST_NAMES, BOROUGHS, strict=True):
        if la.code == "202":
            continue
        aad = member_id(la.code)
        topics = ("S75",) if aad in S75 else ("transport",)
        records.append(
            MemberRecord(
                aad, f"{name} {la.name.split()[0]}", f"{name.casefold()}@{la.code}.example",
                la.code, frozenset({Role.MEMBER}), topics,
            )
        )  # fmt: skip
    icb = MemberRecord(
        ICB, "Vic Okoro", "vic@ncl.example", "QMJ", frozenset({Role.MEMBER}), ("therapies",)
    )
    return [*records, icb]


class Forum:
    """The app, its scheduler and the people in it, on one clock."""

    def __init__(self, db: Database, connector: FakeConnector, bot: BotClient, clock: FakeClock,
                 scheduler: Scheduler, year: Year) -> None:  # fmt: skip
        self.db, self.connector, self.bot, self.clock = db, connector, bot, clock
        self.scheduler, self.year = scheduler, year
        self._n = 0

    async def say(self, who: str, text: str = "", **more: Any) -> dict[str, Any]:
        """`who` says `text` (or presses a button: value=) in their 1:1 chat; the bot's answer."""
        await settled(self.db)  # what the outbox owes that chat has arrived first
        self._n += 1
        message = in_chat(self.connector, who, text, id=f"y{self._n}", **more)
        chat = message["conversation"]["id"]  # type: ignore[index]
        before = len(self.in_chat(chat))
        status, _ = await self.bot.post(message)
        assert status == 200
        answers = self.in_chat(chat)[before:]
        assert answers, f"no answer to {text or more}"
        return answers[-1]

    async def invoke(self, who: str, verb: str, data: dict[str, Any]) -> dict[str, Any]:
        """An Action.Execute press; the card Teams shows the presser."""
        self._n += 1
        status, body = await self.bot.post(
            activity(
                "invoke_adaptiveCard_action", self.connector, id=f"y{self._n}",
                value={"action": {"type": "Action.Execute", "verb": verb, "data": data},
                       "trigger": "manual"},
                **{"from.aadObjectId": who},
            )
        )  # fmt: skip
        assert status == 200
        card: dict[str, Any] = body["value"]
        self.year.every_card.append((f"invoke {verb}", card))
        return card

    def in_chat(self, conversation: str) -> list[dict[str, Any]]:
        return [
            card for c in self.connector.sent() if c.conversation_id == conversation
            for card in c.cards
        ]  # fmt: skip

    def chat_of(self, who: str) -> list[dict[str, Any]]:
        return self.in_chat(f"a:chat-{who}")

    async def now_is(self, when: datetime) -> None:
        """Time passes to `when`, once nothing is in flight: a jump past the outbox's lease
        while a message is being sent would leave it 'sending' until the lease is claimed."""
        assert when >= self.clock.at
        await settled(self.db)
        self.clock.at = when

    async def until(self, when: datetime) -> None:
        """Time passes to `when`; the scheduler runs what fell due; the outbox delivers it."""
        await self.now_is(when)
        await asyncio.to_thread(self.scheduler.tick)  # off the loop, as the app's worker runs it
        await settled(self.db)

    def since(self, mark: int, words: str) -> list[dict[str, Any]]:
        """Cards sent anywhere since `mark` (a count of sent cards) whose text has `words`."""
        return [c for c in self.connector.sent_cards()[mark:] if words in plain_text(c)]


def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every action's data on a card (Action.Execute, Action.Submit, Action.ShowCard's too)."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("Action.Execute", "Action.Submit") and "data" in node:
                found.append({"title": node.get("title", ""), **node["data"]})
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


def data_of(card: dict[str, Any], verb: str, **match: Any) -> dict[str, Any]:
    found = [
        {k: v for k, v in a.items() if k != "title"}
        for a in actions(card)
        if a.get("verb") == verb and all(a.get(k) == v for k, v in match.items())
    ]
    assert found, f"no {verb} button on: {plain_text(card)[:300]}"
    return found[0]


async def live_the_year(tmp: Path) -> Year:
    started = time.monotonic()
    year = Year()
    db = migrated(f"sqlite:///{tmp / 'forum.db'}")
    with db.transaction() as session:
        upsert_members(session, registry(), NOW)
        seed_year_one(session, datetime(2025, 12, 1, tzinfo=UTC))
    clock = FakeClock(at("2026-01-05", "09:30"))
    async with FakeConnector() as connector:
        # the jobs run here, by `Forum.until`, not by the app's own scheduler: given no jobs, it
        # would still claim the due occurrences it does not know and mark them failed (run once,
        # at start, it finds nothing due; then it sleeps past the test)
        settings = make_settings(db, connector, **FAST, forum_scheduler_poll_seconds=3600)
        app = create_app(settings, db=db, calendar=FakeCalendar(), jobs=(), clock=clock)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        scheduler = Scheduler(
            db, JOBS, clock, "the-year",
            messengers=lambda s, now: OutboxMessenger(s, now), settings=job_settings(settings),
        )  # fmt: skip
        async with aiohttp.ClientSession() as http:
            forum = Forum(db, connector, BotClient(str(server.make_url("")), http), clock,
                          scheduler, year)  # fmt: skip
            try:
                await _january(forum)
                await _meeting_one(forum)
                await _the_tor_vote(forum)
                await _meeting_two(forum)
                await _directory_and_report(forum)
            finally:
                await server.close()
        for call in connector.calls:
            if call.method in ("POST", "PUT") and call.body:
                for card in call.cards:
                    year.every_card.append((f"{call.method} {call.conversation_id}", card))
    with db.transaction() as session:
        year.failed_jobs = [
            f"{row.key} ({row.status}): {row.last_error}"
            for row in session.scalars(select(JobOccurrenceRow))
            if row.last_error or row.status == "failed"
        ]
    db.dispose()
    year.seconds = time.monotonic() - started
    return year


async def _january(forum: Forum) -> None:
    """Members arrive; an S75 ask before the bot is in the forum's team."""
    read = forum.year.read
    chats = [r.aad_object_id for r in registry() if r.aad_object_id != ENFIELD]
    remember(  # each added the bot in Teams (a 1:1 chat); Enfield's member never did
        forum.db,
        *(place(forum.connector, f"a:chat-{aad}", aad_object_id=aad)
          for aad in [*chats, CAMDEN, LIIA]),
    )  # fmt: skip
    forum.scheduler.tick()  # the jobs start from now
    read["away"] = await forum.say(HAMMERSMITH, "away until 30 January 2026")

    await forum.now_is(at("2026-01-06", "10:00"))
    read["ask"] = await forum.say(CAMDEN, "ask Has anyone a draft S75 agreement they would share?")
    await settled(forum.db)
    asked = {aad: [c for c in forum.chat_of(aad) if "ask.reply" in str(c)] for aad in S75}
    forum.year.many["asked"] = [c for cards in asked.values() for c in cards]
    read["request"] = asked[GREENWICH][-1]
    ask = data_of(forum.year.many["asked"][0], "ask.reply")["ask"]
    read["asks mine"] = await forum.say(CAMDEN, "asks mine")

    await forum.now_is(at("2026-01-06", "14:00"))
    link = "https://greenwich.sharepoint.com/sites/send/S75-draft.docx"
    read["reply thanks"] = await forum.say(
        GREENWICH, value={"verb": "ask.reply", "ask": ask, "text": "Ours, signed off in March.",
                          "link": link},
    )  # fmt: skip
    await settled(forum.db)
    told = [c for c in forum.chat_of(CAMDEN) if "Ours, signed off in March." in plain_text(c)]
    read["author told"] = told[-1]
    read["pass after reply"] = await forum.say(
        HACKNEY, value={"verb": "ask.pass", "ask": ask, "reason": "on leave"}
    )
    read["search"] = await forum.say(GREENWICH, "asks search S75 agreement")
    read["asks n"] = await forum.say(LAMBETH, f"asks {ask}")
    read["resolved"] = await forum.say(CAMDEN, value=data_of(read["author told"], "ask.resolve"))
    read["asks report"] = await forum.say(LIIA, "asks report")


async def _meeting_one(forum: Forum) -> None:
    """22 January: Camden offers to chair, the secretariat confirms; the cycle runs."""
    read = forum.year.read
    await forum.now_is(at("2026-01-07", "10:00"))
    install = activity("conversationUpdate_membersAdded_team", forum.connector,
                       **{"from.aadObjectId": LIIA})  # fmt: skip
    assert (await forum.bot.post(install))[0] == 200
    channel = install["conversation"]["id"]  # type: ignore[index]
    read["offer 1"] = await forum.say(CAMDEN, "chair 22 Jan")
    await settled(forum.db)
    read["offer told"] = forum.chat_of(LIIA)[-1]
    read["confirm 1"] = await forum.say(LIIA, "chair 22 Jan confirm")
    await settled(forum.db)
    read["chair told 1"] = forum.chat_of(CAMDEN)[-1]
    read["scheduled 1"] = await forum.say(CAMDEN, "schedule 22 Jan")
    read["propose 1"] = await forum.say(GREENWICH, "propose Home to school transport framework")
    await settled(forum.db)
    to_chair = [c for c in forum.chat_of(CAMDEN) if "An agenda item is proposed" in plain_text(c)]
    read["to chair 1"] = to_chair[-1]
    read["accepted 1"] = await forum.say(CAMDEN, value=data_of(to_chair[-1], "agenda.accept"))
    await settled(forum.db)
    read["proposer told 1"] = forum.chat_of(GREENWICH)[-1]

    await forum.until(at("2026-01-15"))  # 7 days before, 09:00: the agenda
    read["agenda 1"] = forum.chat_of(HACKNEY)[-1]
    read["agenda 1 channel"] = forum.in_chat(channel)[-1]
    await forum.until(at("2026-01-21"))  # 1 day before, 09:00: the reminder
    read["reminder 1"] = forum.chat_of(HACKNEY)[-1]
    await forum.until(at("2026-01-22", "11:30"))  # the scheduled end: the chair's form
    read["form 1"] = forum.chat_of(CAMDEN)[-1]
    meeting = data_of(read["form 1"], "takeaway.publish")["meeting"]
    form = {
        "meeting": meeting,
        "title": "Fee uplifts: ask early, ask together",
        "insight": "Providers' uplift letters cluster in March; boroughs that answered jointly "
        "settled at the lower figure.",
        "tool": "https://example.org/uplift-letter-template",
        "what1": "Share uplift letters received",
        "who1": "Each borough",
    }
    await forum.now_is(at("2026-01-22", "14:00"))
    read["draft 1"] = await forum.say(CAMDEN, value={"verb": "takeaway.save", **form})
    read["published 1"] = await forum.say(CAMDEN, value={"verb": "takeaway.publish", **form})
    await settled(forum.db)
    read["takeaway 1 member"] = forum.chat_of(HACKNEY)[-1]
    read["takeaway 1 secretariat"] = forum.chat_of(LIIA)[-1]
    read["takeaway latest 1"] = await forum.say(LAMBETH, "takeaway latest")
    await forum.until(at("2026-01-26", "12:00"))  # 2 working days on: nothing more is posted


async def _the_tor_vote(forum: Forum) -> None:
    """February: version 1 of the ToR, read and voted by 20 boroughs; reminders; the result."""
    read = forum.year.read
    await forum.now_is(at("2026-02-02", "10:00"))
    url = forum.connector.offer_file(DRAFT)
    attachment = {"contentType": FILE_DOWNLOAD_INFO, "contentUrl": url, "name": "tor.md",
                  "content": {"downloadUrl": url, "uniqueId": "7a", "fileType": "md"}}  # fmt: skip
    read["tor added"] = await forum.say(LIIA, "", attachments=[attachment])
    read["tor opened"] = await forum.say(LIIA, "tor open 1 2026-02-13")
    await settled(forum.db)
    read["ballot"] = next(c for c in reversed(forum.chat_of(GREENWICH)) if "tor.vote" in str(c))
    read["tor"] = await forum.say(GREENWICH, "tor")
    reading = [a for a in actions(read["ballot"]) if a.get("verb") == "tor.read"]
    read["tor read"] = (
        await forum.invoke(GREENWICH, "tor.read", data_of(read["ballot"], "tor.read"))
        if reading
        else await forum.say(GREENWICH, "tor read 1")
    )
    read["icb view"] = await forum.invoke(ICB, "tor.view", {"ratification": 1})
    for n, la in enumerate(VOTERS):  # each from the ballot in their own chat
        voter = CAMDEN if la.code == "202" else member_id(la.code)
        own = next(c for c in reversed(forum.chat_of(voter)) if "tor.vote" in str(c))
        await forum.now_is(at("2026-02-03", "10:00") + timedelta(minutes=n))
        voted = await forum.invoke(voter, "tor.vote", data_of(own, "tor.vote", choice="approve"))
        forum.year.many.setdefault("votes", []).append(voted)
    mark = len(forum.connector.sent_cards())
    await forum.until(at("2026-02-10"))  # Tuesday: 3 working days before Friday's deadline
    forum.year.many["tor reminders"] = forum.since(mark, "Reminder: ")
    mark = len(forum.connector.sent_cards())
    await forum.until(at("2026-02-13", "17:01"))  # the deadline has passed
    forum.year.many["tor result"] = forum.since(mark, "version 1")
    read["tor after"] = await forum.say(LAMBETH, "tor")


async def _meeting_two(forum: Forum) -> None:
    """19 March: nobody has offered 3 weeks before, the secretariat is asked; Lambeth offers;
    the chair saves a draft and does not publish: the cycle posts it 2 working days later."""
    read = forum.year.read
    await forum.until(at("2026-02-26"))  # 3 weeks before, 09:00: no chair yet
    read["chair wanted"] = forum.chat_of(LIIA)[-1]
    await forum.now_is(at("2026-02-26", "11:00"))
    read["offer 2"] = await forum.say(LAMBETH, "chair 19 Mar")
    read["confirm 2"] = await forum.say(LIIA, "chair 19 Mar confirm")
    read["propose 2"] = await forum.say(CAMDEN, "propose Short breaks sufficiency")
    await settled(forum.db)
    to_chair = [c for c in forum.chat_of(LAMBETH) if "An agenda item is proposed" in plain_text(c)]
    read["accepted 2"] = await forum.say(LAMBETH, value=data_of(to_chair[-1], "agenda.accept"))
    await forum.until(at("2026-03-12"))
    read["agenda 2"] = forum.chat_of(GREENWICH)[-1]
    await forum.until(at("2026-03-18"))
    read["reminder 2"] = forum.chat_of(GREENWICH)[-1]
    await forum.until(at("2026-03-19", "11:30"))
    read["form 2"] = forum.chat_of(LAMBETH)[-1]
    meeting = data_of(read["form 2"], "takeaway.save")["meeting"]
    await forum.now_is(at("2026-03-19", "15:00"))
    read["draft 2"] = await forum.say(LAMBETH, value={
        "verb": "takeaway.save", "meeting": meeting, "title": "Short breaks: count the hours",
        "insight": "Boroughs that commission short breaks by the hour see where the gaps are.",
        "what1": "Send hours commissioned per child", "who1": "Each borough",
    })  # fmt: skip
    mark = len(forum.connector.sent_cards())
    await forum.until(at("2026-03-20", "11:30"))  # 1 working day: the nudge
    forum.year.many["nudges 2"] = forum.since(mark, "takeaway")
    mark = len(forum.connector.sent_cards())
    await forum.until(at("2026-03-23", "11:30"))  # 2 working days (Monday): posted
    forum.year.many["posted 2"] = forum.since(mark, "Short breaks: count the hours")
    read["takeaway 2 member"] = forum.chat_of(HACKNEY)[-1]


async def _directory_and_report(forum: Forum) -> None:
    read = forum.year.read
    await forum.now_is(at("2026-03-24", "10:00"))
    read["suggest form"] = await forum.say(GREENWICH, "directory suggest")
    read["suggested"] = await forum.say(GREENWICH, value={"verb": "directory.suggest",
                                                          **SUGGESTION})  # fmt: skip
    read["pending"] = await forum.say(LIIA, "directory pending")
    read["approved"] = await forum.say(LIIA, value=data_of(read["pending"], "directory.approve"))
    read["found"] = await forum.say(HACKNEY, "directory transport")
    mark = len(forum.connector.sent_cards())
    await forum.until(at("2026-04-14"))  # 09:00 on 14 April: the report's prompt
    forum.year.many["report prompt"] = forum.since(mark, "uarterly report")
    await forum.now_is(at("2026-04-14", "10:00"))
    read["report"] = await forum.say(LIIA, "report quarterly 2026Q1")
    forum.year.many["report files"] = offered(forum.connector, LIIA)  # consent cards, 1:1


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Year:
    return asyncio.run(live_the_year(tmp_path_factory.mktemp("year")))


# -- what each person read ------------------------------------------------------------------


def lines(card: dict[str, Any]) -> list[str]:
    return plain_text(card).splitlines()


def test_the_year_runs_in_under_90_seconds_and_no_job_fails(year: Year) -> None:
    assert year.seconds < 90
    assert year.failed_jobs == []


def test_an_ask_goes_round_the_away_colleague_is_answered_and_resolved(year: Year) -> None:
    assert "You are away until Friday 30 January 2026: no asks until then." in year.text("away")
    asked = next(line for line in lines(year.read["ask"]) if line.startswith("Asked: "))
    assert "Greenwich" in asked
    assert "Hackney" in asked
    assert "Hammersmith" not in asked  # away
    assert {len(year.many["asked"])} == {2}  # Greenwich and Hackney, each once
    request = lines(year.read["request"])
    assert request[:2] == [
        "Ask 1: can you help?",
        "Has anyone a draft S75 agreement they would share?",
    ]
    assert "From a colleague at Camden" in request[2]  # organisations, never names
    assert "Priya" not in year.text("request")
    assert "Ask 1 · Open: waiting for replies" in year.text("asks mine")
    assert "Thank you: your reply to ask 1 is with Camden." in year.text("reply thanks")
    told = year.text("author told")
    assert "A reply to your ask 1" in told
    assert "Ours, signed off in March." in told
    assert "https://greenwich.sharepoint.com/sites/send/S75-draft.docx" in str(
        year.read["author told"]
    )
    assert "Ask 1 · Answered" in year.text("search")
    assert "1 reply" in year.text("search")
    resolved = year.text("resolved")
    assert "Resolved" in resolved
    assert "Most useful reply, from Greenwich\nOurs, signed off in March." in resolved
    report = year.text("asks report")
    assert "Asks: 1" in report
    assert "Answered: 1 (100.0\u00a0%)" in report  # a no-break space before %


def test_a_colleague_the_bot_cannot_reach_is_passed_over_not_counted(year: Year) -> None:
    # ISSUE 25 item 4: Enfield's member has no chat and the bot is in no team yet: the ask goes
    # to the next reachable colleague instead, and Enfield is neither "Asked" nor "no answer".
    # On this branch: "sent to 2 colleagues at Greenwich, Hackney, Enfield" and Enfield counted.
    said = year.text("ask")
    asked = next(line for line in lines(year.read["ask"]) if line.startswith("Asked: "))
    assert "Enfield" not in asked
    assert len(asked.removeprefix("Asked: ").split(", ")) == 3  # a reachable third instead
    assert "sent to 3 colleagues" in said
    assert "Enfield" not in year.text("asks report")


def test_the_archive_opens_the_replies_and_names_who_replied(year: Year) -> None:
    # ISSUE 25 item 3: `asks 1` opens the ask with its replies; the author learns who replied
    # (a name to follow up); a Pass on an answered ask does not claim to ask anyone.
    # On this branch: `asks 1` is "That didn't work", the author is told "from Greenwich" only,
    # and the Pass says "goes to the next colleague in the rotation" while nobody is asked.
    opened = year.text("asks n")
    assert "Has anyone a draft S75 agreement they would share?" in opened
    assert "Ours, signed off in March." in opened
    assert "Greenwich" in opened
    assert "Cleo Greenwich" in year.text("author told")
    assert "next colleague" not in year.text("pass after reply")


def test_chairs_are_offered_and_confirmed_and_proposals_decided(year: Year) -> None:
    assert lines(year.read["offer 1"])[0] == "Thank you for offering to chair"
    assert "Priya Shah (Camden) offers to chair the meeting on Thursday 22 January 2026" in (
        year.text("offer told")
    )
    assert "Chair: Priya Shah (Camden)" in year.text("confirm 1")
    assert "you chair the meeting on Thursday 22 January 2026" in year.text("chair told 1")
    assert "Status: waiting for the chair" in year.text("propose 1")
    assert "actions" not in year.read["propose 1"]  # the proposer may not decide it
    assert "Proposed by: Cleo Greenwich (Greenwich)" in year.text("to chair 1")
    assert "Status: accepted: on the agenda" in year.text("accepted 1")
    assert lines(year.read["proposer told 1"])[0] == "Your proposal was accepted"
    # nobody offered for 19 March 3 weeks before: the secretariat is asked, with names
    wanted = year.text("chair wanted")
    assert wanted.startswith("No chair yet for Thursday 19 March 2026")
    assert "Cleo Greenwich: Greenwich, never chaired" in wanted  # was "chaired 0 time(s)"
    assert "Chair: Hal Lambeth (Lambeth)" in year.text("confirm 2")


def agenda_items(card: dict[str, Any]) -> list[str]:
    return [line for line in lines(card) if re.match(r"\d\. ", line)]


def test_the_agenda_and_the_reminder_reach_members_and_the_channel(year: Year) -> None:
    agenda = year.read["agenda 1"]
    assert lines(agenda)[:4] == [
        "Agenda of the forum's meeting",
        "Thursday 22 January 2026, 10:00 (90 minutes)",
        "Theme: INMSS Top-10 pilot and cost drivers",
        "Chair: Priya Shah (Camden)",
    ]
    assert agenda_items(agenda) == [
        "1. INMSS Top-10 pilot and cost drivers",
        "2. SEND Data",
        "3. Home to school transport framework (proposed by Cleo Greenwich (Greenwich))",
        "4. Useful Commissioning Takeaway",
    ]
    assert plain_text(year.read["agenda 1 channel"]) == plain_text(agenda)
    reminder = year.read["reminder 1"]
    assert lines(reminder)[0] == "Reminder: the forum meets tomorrow, Thursday 22 January 2026"
    assert "Teams meeting booked" in year.text("scheduled 1")  # the chair scheduled it
    assert "https://teams.example/meet/event-1" in json.dumps(reminder)  # the join link
    assert agenda_items(reminder) == agenda_items(agenda)
    assert "5. Short breaks sufficiency (proposed by Priya Shah (Camden))" in agenda_items(
        year.read["agenda 2"]
    )
    assert lines(year.read["reminder 2"])[0] == (
        "Reminder: the forum meets tomorrow, Thursday 19 March 2026"
    )


def test_the_chair_writes_the_takeaway_and_everyone_reads_it(year: Year) -> None:
    assert lines(year.read["form 1"])[0] == "Your takeaway from Thursday 22 January 2026"
    assert lines(year.read["form 2"])[0] == "Your takeaway from Thursday 19 March 2026"
    # Save answers with the form again, holding what was kept
    assert "Fee uplifts: ask early, ask together" in json.dumps(year.read["draft 1"])
    assert "Short breaks: count the hours" in json.dumps(year.read["draft 2"])
    for step in ("published 1", "takeaway 1 member", "takeaway 1 secretariat", "takeaway latest 1"):
        said = year.text(step)
        assert "Fee uplifts: ask early, ask together" in said
        assert "chaired by Priya Shah (Camden)" in said
        assert "Action 1: Share uplift letters received (who: Each borough)" in said
    # the chair saved a draft and did not publish: a nudge to the chair and the secretariat,
    # then the draft is posted, once, to the channel and each of the 23 members
    assert [lines(c)[0] for c in year.many["nudges 2"]] == ["The takeaway is not published yet"] * 2
    assert len(year.many["posted 2"]) == 24
    assert "Short breaks: count the hours" in year.text("takeaway 2 member")


def test_a_published_takeaway_says_it_is_published(year: Year) -> None:
    # ISSUE 25 item 1: the card members receive is drawn before the takeaway is marked
    # published, by the chair's Publish and by the automatic post alike; on this branch it
    # reads "Status: draft: not published yet".
    for step in ("takeaway 1 member", "takeaway 1 secretariat", "takeaway 2 member"):
        assert "not published" not in year.text(step)
        assert "Status: published" in year.text(step)


def test_twenty_boroughs_ratify_the_terms_of_reference(year: Year) -> None:
    assert lines(year.read["tor added"])[0] == "ToR version 1 added"
    opened = year.text("tor opened")
    assert "Votes close Friday 13 February 2026, 17:00." in opened
    assert "Borough members 1:1: 21" in opened
    ballot = year.text("ballot")
    assert "Greenwich has not voted yet. Any member of your borough can cast its one vote." in (
        ballot
    )
    icb = year.read["icb view"]  # an ICB member follows the vote: no buttons to press
    assert "Ratify the Terms of Reference, version 1" in plain_text(icb)
    assert not [a for a in actions(icb) if a.get("verb") == "tor.vote"]
    for la, card in zip(VOTERS, year.many["votes"], strict=True):
        assert f"{la.name}'s vote: Approve, cast by" in plain_text(card)
    assert "Boroughs voted: 20 of 33" in plain_text(year.many["votes"][-1])
    # 3 working days before: only Enfield's member (the one borough member who has not voted)
    reminded = [
        next(x for x in lines(c) if x.startswith("Reminder:")) for c in year.many["tor reminders"]
    ]
    assert reminded == [
        "Reminder: Enfield has not voted yet. Voting closes in 3 working days: Friday "
        "13 February 2026, 17:00."
    ]
    [result] = year.many["tor result"]
    assert lines(result)[0] == "Terms of Reference, version 1: Ratified."
    assert "20 of 33 boroughs voted: 20 approve" in plain_text(result)
    assert "Ratified" in year.text("tor after")


def test_a_borough_reads_the_version_it_votes_on(year: Year) -> None:
    # ISSUE 25 item 2: the ballot lets a member read the version (sections, or "Read version
    # 1"), and the content hash is hidden; on this branch the ballot has a title, a tally and
    # buttons, `tor read 1` shows the summary card, and "content hash 1f8763032609" is shown.
    assert any(a.get("verb") == "tor.read" for a in actions(year.read["ballot"]))
    read = year.text("tor read")
    assert "The forum helps London's SEND commissioners share what works." in read
    assert "Every one of the 33 boroughs, the five ICBs and LIIA." in read
    for step in ("ballot", "tor", "tor read", "tor after"):
        assert "hash" not in year.text(step)


def test_a_suggestion_joins_the_directory_and_the_quarter_is_reported(year: Year) -> None:
    assert "the secretariat will check it before it is listed" in year.text("suggested")
    assert "North London SEND Transport Network" in year.text("pending")
    assert "It is in the directory now." in year.text("approved")
    found = year.text("found")
    assert "North London SEND Transport Network" in found
    assert "Offers: Transport leads compare routes, contracts and travel training." in found
    [prompt] = year.many["report prompt"]
    said = plain_text(prompt)
    assert said.startswith(
        "The quarterly report on January to March 2026 is due on Tuesday 28 April"
    )
    for card in (prompt, year.read["report"]):
        assert "Directory: 1 entry, 1 added" in plain_text(card)  # was "1 entries"
        assert "Meetings held: 2" in plain_text(card)
        assert "Asks opened: 1" in plain_text(card)
    assert lines(year.read["report"])[0] == "Quarterly report, January to March 2026"
    # the files come as Teams file consent cards in 1:1, never at open links (issue 24 item 6)
    assert not [
        a for a in year.read["report"].get("actions", []) if "/reports/" in a.get("url", "")
    ]
    names = [a["name"] for a in year.many["report files"]]
    assert any(n.endswith(".docx") for n in names)
    assert any(n.endswith(".xlsx") for n in names)


# -- every card the year produced ------------------------------------------------------------


def texts_with_colours(card: dict[str, Any]) -> Iterator[tuple[str, str, bool, str]]:
    """Each text element: its container style (inherited), colour, subtlety and text."""

    def walk(node: Any, style: str) -> Iterator[tuple[str, str, bool, str]]:
        if isinstance(node, dict):
            style = str(node.get("style") or style).casefold() if node.get("type") in (
                "Container", "Column", "ColumnSet", "Table", "TableCell"
            ) else style  # fmt: skip
            if node.get("type") in ("TextBlock", "TextRun"):
                colour = str(node.get("color", "default")).casefold()
                yield style, colour, bool(node.get("isSubtle")), str(node.get("text", ""))
            if node.get("type") == "ActionSet":  # Teams draws buttons on the container's colour
                yield style, "button", False, str([a.get("title") for a in node["actions"]])
            for value in node.values():
                yield from walk(value, style)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item, style)

    yield from walk(card.get("body", []), "default")


def distinct(year: Year) -> list[tuple[str, dict[str, Any]]]:
    seen: dict[str, tuple[str, dict[str, Any]]] = {}
    for where, card in year.every_card:
        seen.setdefault(json.dumps(card, sort_keys=True), (where, card))
    return list(seen.values())


def test_every_card_of_the_year_is_adaptive_card_1_5_within_teams_size(year: Year) -> None:
    cards = distinct(year)
    assert len(cards) > 100  # sent, updated in place and answered to invokes
    for where, card in cards:
        assert_valid_card(card)  # the 1.5 schema, under Teams' 28 KB
        assert "Traceback" not in plain_text(card), where


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_no_text_of_the_year_is_below_4_5_to_1_in_teams(year: Year, theme: str) -> None:
    from tests.unit.test_card_contrast import WCAG_AA, host_config, ratio

    config = host_config(theme)  # Microsoft's Teams host config
    checked = 0
    for where, card in distinct(year):
        for style, colour, subtle, text in texts_with_colours(card):
            if colour == "button":  # a button on a coloured box was 1.12:1 in dark
                assert style in ("default", "emphasis"), f"{where}: {text} on a {style} box"
                continue
            contrast = ratio(config, style, colour, subtle)
            assert contrast >= WCAG_AA, f"{where}: {text[:60]!r} is {contrast:.2f}:1 in {theme}"
            checked += 1
    assert checked > 300


@pytest.fixture(scope="module")
def drawn(year: Year) -> tuple[int, float, Drawn]:
    """Every distinct card of the year drawn by the real Adaptive Cards renderer
    (tools/card_renderer/render.js, one headless Chromium) at 500 px in Teams' light and dark host
    configs: how many cards, how long it took, and what it found."""
    require_renderer()
    cards = distinct(year)
    started = time.monotonic()
    found = draw(cards)
    return len(cards), time.monotonic() - started, found


def test_every_card_of_the_year_draws_cleanly_in_teams_light_and_dark(
    drawn: tuple[int, float, Drawn],
) -> None:
    """No parse or validation event, something drawn, nothing wider than the card or cut off,
    and no text of the card's below 4.5:1 against what is drawn behind it."""
    cards, took, found = drawn
    assert cards > 100
    assert found.faults == [], "\n".join(found.faults)
    assert took < 60, f"{cards} cards took {took:.0f} s to draw twice"


@pytest.mark.xfail(strict=False, reason="Teams' dark CSS draws links 2.59:1, the * 3.24:1")
def test_what_teams_colours_on_the_cards_of_the_year_is_4_5_to_1(
    drawn: tuple[int, float, Drawn],
) -> None:
    """What the host colours, not the card: a markdown link (the reply's "Open the link (host)" in
    an ask's thread) is #6264A7 on #2D2C2C in the Teams designer's dark CSS, and a required
    input's "*" the dark host config's attention #D74654: seen, not yet designed away."""
    assert drawn[2].host_drawn == [], "\n".join(drawn[2].host_drawn)
