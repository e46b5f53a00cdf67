"""kill -9 a real `forumbot serve` in the middle of a burst of asks, ToR votes (Action.Execute
invokes and Action.Submit messages) and takeaway saves from different members; restart it; Teams
redelivers every activity with its id, the answered ones included: nothing is lost, nothing is
done twice, no activity is answered twice, and a card action's redelivery gets its card again.
On SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.testing import BotClient, FakeConnector, forumbot_serve, wait_healthy
from cards.tor import TorCards
from cards.views.tor import Rules
from forum_ops.db import Database
from forum_ops.db.schema import AskRow, MeetingRow, TakeawayRow, TorVoteEventRow, TorVoteRow
from forum_ops.demo import DEMO_SECRETARIAT_ID, demo_id, demo_members
from forum_ops.members.reference import LOCAL_AUTHORITIES
from forum_ops.members.registry import find_member, upsert_members
from forum_ops.outbox.messaging import OutboxMessenger
from forum_ops.tor.service import add_version, open_ratification
from tests.conftest import TENANT, activity, migrated, postgres_database
from tests.support.fakes import FakeClock

STARTUP = 120.0  # seconds: a loaded machine (2 cores, several test runs) starts slowly
CONCURRENCY = 8  # requests in flight at once, as a busy forum's would be
KILL_AFTER = 0.4  # the share of activities answered when the server is killed
CHAIRS = 8  # meetings whose chair saves the takeaway twice (a draft, then a better one)
CARD = "application/vnd.microsoft.card.adaptive"
SERVER = {"forum_allowed_tenants": TENANT}
TOR = b"# Purpose\nThe forum helps commissioners share what works.\n\n# Membership\nAll 33.\n"


@pytest.fixture(params=["sqlite", "postgresql"])
def crash_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'forum.db'}"
        return
    with postgres_database() as url:
        yield url


@dataclass
class Sent:
    kind: str  # ask, vote (invoke), vote (message) or takeaway
    tag: str  # what its effect carries, to find it
    activity: dict[str, Any]
    before_kill: tuple[int, Any] | None = None  # the answer the first server gave, if any
    after: tuple[int, Any] | None = None  # the answer to the redelivery

    @property
    def invoke(self) -> bool:
        return bool(self.activity["type"] == "invoke")


@dataclass
class Burst:
    lanes: list[list[Sent]] = field(default_factory=list)  # each lane in order, lanes at once

    @property
    def all(self) -> list[Sent]:
        return [sent for lane in self.lanes for sent in lane]


def _prepare(db: Database) -> tuple[int, str, list[int]]:
    """Demo members, a ratification open for votes and past meetings with chairs."""
    now = datetime.now(UTC)
    clock = FakeClock(now)
    with db.transaction() as session:
        upsert_members(session, demo_members(), now)
    with db.transaction() as session:
        secretariat = find_member(session, DEMO_SECRETARIAT_ID)
    assert secretariat is not None
    version = add_version(db, clock, DEMO_SECRETARIAT_ID, "tor.md", TOR)
    opened = open_ratification(
        db, clock, secretariat, version.number, now + timedelta(days=10),
        Rules.of(0.5, 0.5), TorCards(), lambda session, at: OutboxMessenger(session, at),
    )  # fmt: skip
    meetings = []
    with db.transaction() as session:
        for n in range(CHAIRS):
            starts = now - timedelta(days=30 + n)
            row = MeetingRow(
                day=starts.date().isoformat(), starts_at=starts, minutes=90,
                theme=f"Theme {n}", status="planned", origin="secretariat",
                chair_aad=_chair(n), chair_org=LOCAL_AUTHORITIES[n].code,
                created_at=now, updated_at=now,
            )  # fmt: skip
            session.add(row)
            session.flush()
            meetings.append(row.id)
    return opened.ballot.ratification_id, opened.ballot.content_hash, meetings


def _chair(n: int) -> str:
    return demo_id(LOCAL_AUTHORITIES[-1 - n].code, 1)


def _in_chat(connector: FakeConnector, payload: str, who: str, id: str, **more: Any) -> Any:
    return activity(
        payload, connector, id=id, **more,
        **{"from.aadObjectId": who, "conversation.conversationType": "personal",
           "conversation.id": f"a:chat-{who}", "conversation.isGroup": False, "entities": []},
    )  # fmt: skip


def _execute(connector: FakeConnector, who: str, id: str, data: dict[str, Any]) -> Any:
    value = {"action": {"type": "Action.Execute", "verb": data["verb"], "data": data}}
    return _in_chat(connector, "invoke_adaptiveCard_action", who, id, value=value)


def _burst(connector: FakeConnector, rid: int, content_hash: str, meetings: list[int]) -> Burst:
    burst = Burst()
    for n, la in enumerate(LOCAL_AUTHORITIES):
        first, second = demo_id(la.code, 1), demo_id(la.code, 2)
        for who in (first, second):
            tag = f"How do you commission speech therapy for post-16? (q-{la.code}-{who[:4]})"
            message = _in_chat(connector, "message_channel_mention", who, f"ask-{who}",
                               text=f"ask {tag}")  # fmt: skip
            burst.lanes.append([Sent("ask", tag, message)])
        for who, choice in ((first, "approve"), (second, "abstain")):
            tag = f"v-{who}"
            data = {"verb": "tor.vote", "ratification": rid, "hash": content_hash,
                    "choice": choice, "comment": tag, "borough": la.code}  # fmt: skip
            if n % 2:  # half the boroughs press Action.Execute, half the Action.Submit fallback
                sent = Sent("vote (invoke)", tag, _execute(connector, who, f"vote-{who}", data))
            else:
                payload = "message_value_submit"
                vote = _in_chat(connector, payload, who, f"vote-{who}", text="", value=data)
                sent = Sent("vote (message)", tag, vote)
            burst.lanes.append([sent])
    for n, meeting in enumerate(meetings):
        lane = []
        for draft in (1, 2):  # the second save must stand: the first's redelivery changes nothing
            tag = f"Takeaway {n} draft {draft}"
            data = {"verb": "takeaway.save", "meeting": meeting, "title": tag,
                    "insight": "Joint panels cut placement delays.", "tool": ""}  # fmt: skip
            lane.append(
                Sent("takeaway", tag, _execute(connector, _chair(n), f"tk-{n}-{draft}", data))
            )
        burst.lanes.append(lane)
    # interleave the kinds, as a forum's afternoon would
    burst.lanes = [burst.lanes[i] for i in sorted(range(len(burst.lanes)), key=lambda i: i % 7)]
    return burst


async def _deliver(
    base: str,
    burst: Burst,
    record: str,
    progress: asyncio.Event | None = None,
    killed: asyncio.Event | None = None,
) -> None:
    """Every lane's activities in order, CONCURRENCY lanes at once; each answer (or None when
    the server died first) goes to `record` ("before_kill" or "after")."""
    lanes: asyncio.Queue[list[Sent]] = asyncio.Queue()
    for lane in burst.lanes:
        lanes.put_nowait(lane)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        client = BotClient(base, http)

        async def worker() -> None:
            while not lanes.empty():
                for sent in lanes.get_nowait():
                    answer = None
                    if killed is None or not killed.is_set():
                        try:
                            answer = await client.post(sent.activity)
                        except (aiohttp.ClientError, TimeoutError):
                            answer = None
                    setattr(sent, record, answer)
                    if progress is not None:
                        progress.set()

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


async def _kill_when_answered(
    process: Any, burst: Burst, share: float, progress: asyncio.Event, killed: asyncio.Event
) -> None:
    wanted = int(len(burst.all) * share)
    while sum(s.before_kill is not None for s in burst.all) < wanted:
        await progress.wait()
        progress.clear()
    process.send_signal(signal.SIGKILL)
    killed.set()


def _counts(db: Database, rid: int) -> tuple[Counter[str], Counter[str], int, dict[int, str]]:
    with db.transaction() as session:
        asks = Counter(session.scalars(select(AskRow.text)))
        votes = Counter(session.scalars(select(TorVoteEventRow.comment)))
        changes = session.scalar(
            select(func.coalesce(func.sum(TorVoteRow.changes), 0)).where(
                TorVoteRow.ratification_id == rid
            )
        )
        rows = session.execute(select(TakeawayRow.meeting_id, TakeawayRow.title)).all()
        takeaways = {row.meeting_id: row.title for row in rows}
    return asks, votes, int(changes or 0), takeaways


async def test_a_server_killed_mid_burst_loses_nothing_and_does_nothing_twice(
    crash_url: str, connector: FakeConnector
) -> None:
    started = time.monotonic()
    db = migrated(crash_url)
    rid, content_hash, meetings = _prepare(db)
    burst = _burst(connector, rid, content_hash, meetings)
    sent = burst.all

    with forumbot_serve(crash_url, **SERVER) as (first, base):
        await wait_healthy(base, within=STARTUP)
        progress, killed = asyncio.Event(), asyncio.Event()
        killer = asyncio.create_task(
            _kill_when_answered(first, burst, KILL_AFTER, progress, killed)
        )
        await _deliver(base, burst, "before_kill", progress, killed)
        await killer
        first.wait(10)
    answered = [s for s in sent if s.before_kill is not None]
    asks_then, votes_then, _, _ = _counts(db, rid)
    replies_then = len([c for c in connector.sent() if c.activity_id])

    with forumbot_serve(crash_url, **SERVER) as (_second, base):
        await wait_healthy(base, within=STARTUP)
        await _deliver(base, burst, "after")  # every activity again, with its id

    asks, votes, changes, takeaways = _counts(db, rid)
    replies = Counter(c.activity_id for c in connector.sent() if c.activity_id)
    messages = [s for s in sent if not s.invoke]
    answered_effects = sum(1 for s in answered if s.kind != "takeaway")
    in_flight = sum(asks_then.values()) + sum(votes_then.values()) - answered_effects
    print(
        f"\nturn crash ({db.engine.dialect.name}): {len(sent)} activities sent "
        f"({Counter(s.kind for s in sent)}); {len(answered)} answered before the kill "
        f"({len(sent) - len(answered)} not), {sum(asks_then.values())} asks, "
        f"{sum(votes_then.values())} vote events and {replies_then} replies then "
        f"({in_flight} asks and votes committed but not answered at the kill); after every "
        f"activity was redelivered: {sum(asks.values())} asks, {sum(votes.values())} vote "
        f"events, {changes} vote changes, {len(takeaways)} takeaways, "
        f"{sum(replies.values())} replies to {len(messages)} messages "
        f"({sum(1 for s in messages if replies[s.activity['id']] == 0)} unanswered), "
        f"in {time.monotonic() - started:.1f} s"
    )
    # nothing lost, nothing twice
    assert asks == Counter(s.tag for s in sent if s.kind == "ask")
    assert votes == Counter(s.tag for s in sent if s.kind.startswith("vote"))
    assert changes == len(LOCAL_AUTHORITIES)  # each borough's second vote changed its first
    assert takeaways == {m: f"Takeaway {n} draft 2" for n, m in enumerate(meetings)}
    assert max(replies.values()) == 1  # no activity answered twice
    # every redelivery is answered, and a card action with the card it was first given
    assert all(s.after is not None and s.after[0] == 200 for s in sent)
    for invoke in (s for s in sent if s.invoke):
        assert invoke.after is not None
        assert invoke.after[1]["type"] == CARD, invoke.after
        if invoke.before_kill is not None:
            assert invoke.after == invoke.before_kill
    db.dispose()
