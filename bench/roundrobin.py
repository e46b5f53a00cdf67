"""The round robin at scale: 1,000 asks over 150 members with realistic topics, some away.

    .venv/bin/python bench/roundrobin.py [asks] [members] [seed]

Runs the real service (forum_ops/asks/service.py) on a fresh SQLite file, with the outbox messenger and
the real cards, a simulated clock an hour or two between asks, and some Passes. Prints: the
share of first responders whose topics match the ask, how often someone was asked in two asks
running (must be 0), asks per member (max, median), and the time to open and route one ask.
"""

from __future__ import annotations

import itertools
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from cards.asks import AskCards
from forum_ops.asks.routing import RoutingRequest, choose_responders
from forum_ops.asks.service import AskConfig, Asks, candidates, recently_asked
from forum_ops.asks.topics import TOPICS
from forum_ops.db import Database, create_database
from forum_ops.db.schema import AskRouteRow, AskRow, MemberRow
from forum_ops.install import upgrade
from forum_ops.members.model import Role
from forum_ops.members.reference import ORGANISATIONS
from forum_ops.members.registry import MemberRecord, find_member, upsert_members
from forum_ops.outbox.conversations import ConversationPlace, remember_conversation
from forum_ops.outbox.messaging import OutboxMessenger

START = datetime(2026, 1, 5, 9, tzinfo=UTC)
# how often each topic comes up, roughly as the forum's Year-1 asks did (transport and S75 most)
WEIGHTS = {
    "s75": 8,
    "transport": 9,
    "therapies": 6,
    "short-breaks": 4,
    "inmss": 6,
    "data-sharing": 3,
    "post-16": 4,
    "tribunal": 3,
    "joint-commissioning": 3,
    "dps": 3,
    "preparing-for-adulthood": 2,
    "alternative-provision": 2,
}
PHRASES = {
    "s75": "a Section 75 agreement",
    "transport": "home to school transport",
    "therapies": "speech and language therapy",
    "short-breaks": "short breaks",
    "inmss": "independent special school fees",
    "data-sharing": "a data sharing agreement",
    "post-16": "post-16 placements",
    "tribunal": "tribunal appeals",
    "joint-commissioning": "joint commissioning with the ICB",
    "dps": "a dynamic purchasing system",
    "preparing-for-adulthood": "preparing for adulthood",
    "alternative-provision": "alternative provision",
}


class SimulatedClock:
    def __init__(self, at: list[datetime]) -> None:
        self._at = at

    def now(self) -> datetime:
        return self._at[0]


def pick_topics(rng: random.Random, most: int) -> list[str]:
    tags, weights = list(WEIGHTS), list(WEIGHTS.values())
    return list(dict.fromkeys(rng.choices(tags, weights, k=rng.randint(1, most))))


def time_decision(db: Database, next_id: int, org: str, tags: list[str], at: datetime) -> float:
    """The routing decision alone, as the next ask would make it: reads and choice."""
    began = time.process_time()
    with db.transaction() as session:
        request = RoutingRequest(
            frozenset(tags), org, 3, frozenset(), recently_asked(session, next_id), frozenset()
        )
        choose_responders(candidates(session, at.date()), request)
    return time.process_time() - began


def main(asks: int = 1000, members: int = 150, seed: int = 7) -> None:
    rng = random.Random(seed)  # noqa: S311 - a reproducible simulation, not a secret
    folder = Path(tempfile.mkdtemp(prefix="roundrobin-"))
    db = create_database(f"sqlite:///{folder / 'forum.db'}")
    upgrade(db)
    organisations = [o for o in ORGANISATIONS if o.code != "LIIA"]
    labels = {t.tag: t.label for t in TOPICS}
    records = [
        MemberRecord(
            f"member-{n:04d}",
            f"Member {n}",
            f"member{n}@example.org",
            organisations[n % len(organisations)].code,
            frozenset({Role.MEMBER}),
            tuple(labels[t] for t in pick_topics(rng, 3)),
        )
        for n in range(members - 1)
    ]
    records.append(
        MemberRecord(
            "secretariat", "Sec", "sec@example.org", "LIIA", frozenset({Role.SECRETARIAT}), ()
        )
    )
    with db.transaction() as session:
        upsert_members(session, records, START)
        for row in session.scalars(select(MemberRow)):  # about one in ten away, indefinitely
            if rng.random() < 0.1 and row.aad_object_id != "secretariat":
                row.away_since = START
        reference = {"conversation": {"id": "19:forum@thread.tacv2"}, "serviceUrl": "x"}
        remember_conversation(
            session,
            ConversationPlace("19:forum@thread.tacv2", "channel", "t", None, "team", reference),
            START,
        )
        people = [find_member(session, r.aad_object_id) for r in records[:-1]]
    now = [START]
    service = Asks(
        db,
        SimulatedClock(now),
        lambda session, at: OutboxMessenger(session, at),
        AskCards(),
        AskConfig(),
    )
    timings: list[float] = []
    decisions: list[float] = []
    cpu_timings: list[float] = []
    for n in range(asks):
        author = rng.choice(people)
        assert author is not None
        tags = pick_topics(rng, 2)
        text = f"Ask {n}: how do you handle {' and '.join(PHRASES[t] for t in tags)}?"
        began, cpu = time.perf_counter(), time.process_time()
        opened = service.open(author, text)
        timings.append(time.perf_counter() - began)
        cpu_timings.append(time.process_time() - cpu)
        decisions.append(
            time_decision(db, opened.ask.id + 1, author.organisation.code, tags, now[0])
        )
        now[0] += timedelta(minutes=10)
        if opened.ask.asked and rng.random() < 0.3:  # one of them passes: a re-route
            with db.transaction() as session:
                first = session.scalars(
                    select(AskRouteRow.responder_aad).where(AskRouteRow.ask_id == opened.ask.id)
                ).first()
            passer = next(p for p in people if p is not None and p.aad_object_id == first)
            service.pass_on(passer, opened.ask.id, "")
        now[0] += timedelta(minutes=rng.randint(30, 180))
    report(db, timings, members)
    cpu = sorted(t * 1000 for t in cpu_timings)
    print(
        f"CPU time to open and route one ask: median {statistics.median(cpu):.1f} ms, "
        f"p99 {cpu[int(len(cpu) * 0.99) - 1]:.1f} ms"
    )
    ms = sorted(t * 1000 for t in decisions)
    print(
        f"CPU time to choose one ask's responders (SQLite reads + choice): median "
        f"{statistics.median(ms):.1f} ms, p99 {ms[int(len(ms) * 0.99) - 1]:.1f} ms"
    )
    db.dispose()


def report(db: Database, timings: list[float], members: int) -> None:
    with db.transaction() as session:
        rows = session.scalars(select(AskRow).order_by(AskRow.id)).all()
        routes = session.scalars(select(AskRouteRow).order_by(AskRouteRow.id)).all()
        away = set(
            session.scalars(
                select(MemberRow.aad_object_id).where(MemberRow.away_since.is_not(None))
            )
        )
    first_round: dict[int, list[AskRouteRow]] = {}
    for route in routes:
        batch = first_round.setdefault(route.ask_id, [])
        if not batch or batch[0].asked_at == route.asked_at:
            batch.append(route)
    tagged = [r for r in rows if r.topics]
    firsts = [first_round[r.id][0] for r in tagged if first_round.get(r.id)]
    matched = sum(f.topic_match for f in firsts) / len(firsts)
    twice = 0
    for previous, current in itertools.pairwise(rows):
        a = {x.responder_aad for x in first_round.get(previous.id, [])}
        b = {x.responder_aad for x in first_round.get(current.id, [])}
        twice += len(a & b)
    load: dict[str, int] = {}
    for route in routes:
        load[route.responder_aad] = load.get(route.responder_aad, 0) + 1
    available = members - 1 - len(away)
    per_member = [load.get(f"member-{n:04d}", 0) for n in range(members - 1)]
    per_available = [c for n, c in enumerate(per_member) if f"member-{n:04d}" not in away]
    ms = sorted(t * 1000 for t in timings)
    p99 = ms[int(len(ms) * 0.99) - 1]
    print(f"asks: {len(rows)}, members: {members} ({available} available, {len(away)} away)")
    print(
        f"people asked: {len(routes)} ({len(routes) - sum(map(len, first_round.values()))} re-routes)"
    )
    print(f"first responders with a matching topic: {matched:.1%}")
    print(f"asked twice running (consecutive asks sharing a responder): {twice}")
    print(f"away members asked: {sum(load.get(a, 0) for a in away)}")
    print(
        f"asks per available member: max {max(per_available)}, median "
        f"{statistics.median(per_available):g}, min {min(per_available)}"
    )
    print(
        f"time to open and route one ask (SQLite): median {statistics.median(ms):.1f} ms, "
        f"p99 {p99:.1f} ms, max {ms[-1]:.1f} ms"
    )


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:]]
    main(*arguments)
