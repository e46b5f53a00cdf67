"""Search as the archive grows: `asks search <words>` and `directory <words>` with 1,000, 10,000
and 100,000 asks (with replies) and directory entries, on SQLite and PostgreSQL (issue 28).

Each database is made as a real one is (the migrations, the demo members, asks and directory),
then grown with synthetic asks, replies and approved entries written in bulk (executemany) and
indexed in bulk by `forum_ops.db.fulltext.index_new`, which writes what the services' own
`index_document` writes (tests/store/test_fulltext.py checks the two agree). Then it times
`search_asks` (in its transaction, as `asks search` runs it) and `search_directory` (the whole
page, entries read) for a handful of realistic queries, ROUNDS times each, and prints p50/p99
ms per size and database, against the goal: under 20 ms at 10,000, and 100,000 within 2x of it.

Run on demand: `python bench/growth.py [--sizes 1000,10000,100000] [--rounds 30]
[--postgres URL]`; PostgreSQL is measured when --postgres or FORUM_TEST_POSTGRES_URL gives a
server this may create databases on. The machine's load is printed first and last.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, func, insert, select, text

from cards.views.directory import Kind, Scope
from forum_ops.asks.service import search_asks
from forum_ops.db import Database, create_database, fulltext
from forum_ops.db.schema import (
    AskReplyRow,
    AskRow,
    DirectoryEntryRow,
    MemberRow,
    OrganisationRow,
    SearchTermRow,
)
from forum_ops.demo import demo_members, load_feature_demos
from forum_ops.directory.service import search_directory
from forum_ops.install import upgrade
from forum_ops.members.registry import upsert_members
from forum_ops.text_search import terms

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
GOAL_MS = 20.0
QUERIES = (
    "transport",
    "section 75 agreement for therapies",
    "dynamic purchasing system short breaks",
    "post-16 travel budgets",
    "tribunal trends EOTAS",
    'speech "and" language (NEAR therapy*) OR -icb',
)
TOPICS = (
    "home to school transport", "section 75 agreement", "speech and language therapy",
    "short breaks", "SEND tribunal", "post-16", "independent and non-maintained schools",
    "dynamic purchasing system", "EHC plan", "SEMH", "autism", "occupational therapy",
    "alternative provision", "EOTAS", "personal budgets", "respite", "sensory support",
    "travel training", "residential placements", "fee uplifts", "quality assurance",
    "commissioning framework", "preparation for adulthood", "early years",
)  # fmt: skip
NOUNS = (
    "costs", "contracts", "templates", "tender", "specification", "outcomes", "pricing",
    "capacity", "waiting lists", "monitoring", "providers", "eligibility", "policy", "panel",
    "market", "data", "risk share", "pooled budget", "review", "schedules", "audit", "demand",
)  # fmt: skip
PARTNERS = (
    "the ICB", "health", "social care", "schools", "parents", "the DfE", "neighbouring boroughs",
    "LIIA", "providers", "the NHS trust", "the sub-region", "our finance team",
)  # fmt: skip
ASKS = (
    "Has anyone a {noun} for {topic} with {partner} we could adapt?",
    "How are you handling the rise in {topic} {noun} this year?",
    "Who runs {topic} {noun} jointly with {partner}?",
    "Is anyone sharing {topic} {noun} across London, or with {partner}?",
    "What do you pay for {topic}, and how do you set the {noun}?",
    "Looking for examples of {topic} {noun} agreed with {partner}.",
)
REPLIES = (
    "Ours is on our SharePoint; the {noun} section for {topic} is the useful part.",
    "We agreed {topic} {noun} with {partner} last year: happy to talk it through.",
    "We moved {topic} to a new {noun} model and it cut costs.",
    "Ask {partner}: they hold the {noun} for {topic} across the sub-region.",
)
ENTRY_OFFERS = (
    "Leads compare {topic} {noun} and share {noun2} with {partner}.",
    "A monthly meeting on {topic}: {noun}, {noun2} and examples from {partner}.",
    "A toolkit for {topic} {noun}, written with {partner}.",
)
KINDS = tuple(k.value for k in Kind)
SCOPES = tuple(s.value for s in Scope)


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def fill(template: str, rng: random.Random) -> str:
    return template.format(
        topic=rng.choice(TOPICS), noun=rng.choice(NOUNS), noun2=rng.choice(NOUNS),
        partner=rng.choice(PARTNERS),
    )  # fmt: skip


def grow(db: Database, size: int, seed: int = 28) -> float:
    """Add synthetic asks (with replies) and approved entries up to `size` of each; seconds."""
    rng = random.Random(seed)  # noqa: S311 (synthetic text, not secrets)
    started = time.perf_counter()
    with db.engine.begin() as connection:
        people = connection.execute(
            select(MemberRow.aad_object_id, OrganisationRow.code).join(
                OrganisationRow, OrganisationRow.id == MemberRow.organisation_id
            )
        ).all()
        first_ask = (connection.scalar(select(func.max(AskRow.id))) or 0) + 1
        first_reply = (connection.scalar(select(func.max(AskReplyRow.id))) or 0) + 1
        first_entry = (connection.scalar(select(func.max(DirectoryEntryRow.id))) or 0) + 1
        have = connection.scalar(select(func.count()).select_from(AskRow)) or 0
        asks, replies = [], []
        for n in range(size - have):
            aad, org = rng.choice(people)
            at = NOW - timedelta(minutes=n * 7)
            tags = ";".join(rng.sample(["transport", "s75", "therapies", "short-breaks",
                                        "tribunal", "post16", "inmss", "dps"], rng.randint(0, 2)))  # fmt: skip
            asks.append({"id": first_ask + n, "author_aad": aad, "organisation_code": org,
                         "text": fill(rng.choice(ASKS), rng), "details": "", "topics": tags,
                         "status": "answered", "max_asked": 7, "created_at": at,
                         "updated_at": at})  # fmt: skip
            for _ in range(rng.choice((0, 1, 1, 2, 3))):
                raad, rorg = rng.choice(people)
                replies.append({"id": first_reply + len(replies), "ask_id": first_ask + n,
                                "author_aad": raad, "organisation_code": rorg,
                                "text": fill(rng.choice(REPLIES), rng), "link": "",
                                "created_at": at + timedelta(hours=3)})  # fmt: skip
        entries = []
        have = connection.scalar(select(func.count()).select_from(DirectoryEntryRow)) or 0
        for n in range(size - have):
            topic = rng.choice(TOPICS)
            entries.append({"id": first_entry + n, "name": f"{topic.title()} network {n}",
                            "kind": rng.choice(KINDS), "scope": rng.choice(SCOPES),
                            "topics": ";".join(rng.sample(TOPICS, 2)),
                            "offers": fill(rng.choice(ENTRY_OFFERS), rng),
                            "how_to_join": "Ask the convenor.", "link": "", "contact": "",
                            "owner": rng.choice(PARTNERS), "status": "approved",
                            "source": "import", "created_at": NOW, "updated_at": NOW})  # fmt: skip
        for table, rows in ((AskRow, asks), (AskReplyRow, replies), (DirectoryEntryRow, entries)):
            for at in range(0, len(rows), 5000):
                connection.execute(insert(table), rows[at : at + 5000])
        texts: dict[int, list[str]] = {}
        for reply in replies:
            texts.setdefault(int(reply["ask_id"]), []).append(str(reply["text"]))  # type: ignore[call-overload]
        for at in range(0, len(asks), 5000):
            fulltext.index_new(connection, fulltext.ASKS, (
                (int(a["id"]), fulltext.ask_document(str(a["text"]), "", str(a["topics"]),
                                                     texts.get(int(a["id"]), [])))
                for a in asks[at : at + 5000]
            ))  # fmt: skip
        for at in range(0, len(entries), 5000):
            fulltext.index_new(connection, fulltext.DIRECTORY, (
                (int(e["id"]), fulltext.entry_document(*(str(e[k]) for k in (
                    "name", "kind", "scope", "topics", "offers", "how_to_join", "owner"))))
                for e in entries[at : at + 5000]
            ))  # fmt: skip
    if db.engine.dialect.name == "postgresql":  # as autovacuum soon would: index-only scans
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE")
            )
    return time.perf_counter() - started


class Clock:
    def now(self) -> datetime:
        return NOW


def timings(work: Callable[[], object], rounds: int) -> list[float]:
    work()  # warm
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        out.append((time.perf_counter() - started) * 1000)
    return out


def matched(db: Database) -> str:
    """The mean share of a kind's documents the queries' stems hit: what a search must rank."""
    shares = []
    with db.engine.connect() as connection:
        for kind in fulltext.KINDS:
            total = fulltext.documents(connection, kind)
            for words in QUERIES:
                hit = connection.scalar(
                    select(func.count(func.distinct(SearchTermRow.doc_id))).where(
                        SearchTermRow.kind == kind,
                        SearchTermRow.term.in_(terms(words)),
                    )
                )
                shares.append((hit or 0) / total)
    return f"queries hit {100 * statistics.mean(shares):.0f}% of the documents on average"


def measure(db: Database, rounds: int) -> dict[str, tuple[float, float]]:
    asks: list[float] = []
    directory: list[float] = []

    def ask_search(words: str) -> list[int]:
        with db.transaction() as session:
            return search_asks(session, words)

    for words in QUERIES:
        asks += timings(lambda w=words: ask_search(w), rounds)  # type: ignore[misc]
        directory += timings(lambda w=words: search_directory(db, Clock(), w), rounds)  # type: ignore[misc]
    return {"asks search": _p(asks), "directory": _p(directory)}


def _p(values: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(values, n=100)
    return q[49], q[98]


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{folder}/growth.db"


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"forum_growth_{uuid.uuid4().hex[:8]}"
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        server.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--postgres", default=os.environ.get("FORUM_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"load average (1, 5, 15 min) before: {load()}; {os.cpu_count()} CPUs")
    places: list[tuple[str, Callable[[], object]]] = [("SQLite", sqlite_database)]
    if args.postgres:
        places.append(("PostgreSQL", lambda: postgres_database(args.postgres)))
    results: dict[tuple[str, int], dict[str, tuple[float, float]]] = {}
    for place, make in places:
        with make() as url:  # type: ignore[attr-defined]
            db = create_database(url)
            upgrade(db)
            with db.transaction() as session:
                upsert_members(session, demo_members(), NOW)
            load_feature_demos(db, NOW)
            for size in sizes:
                seconds = grow(db, size)
                results[place, size] = measure(db, args.rounds)
                print(f"{place} {size:>7,} asks and entries: grown in {seconds:.1f} s, "
                      f"{matched(db)}; "
                      + "; ".join(f"{k} p50 {v[0]:.2f} ms p99 {v[1]:.2f} ms"
                                  for k, v in results[place, size].items()), flush=True)  # fmt: skip
            db.dispose()
    print()
    print(f"{len(QUERIES)} queries x {args.rounds} rounds each; ms (goal: p50 under {GOAL_MS:.0f}"
          f" at 10,000; at 100,000 within 2x, under {2 * GOAL_MS:.0f})")  # fmt: skip
    print("| database | search | " + " | ".join(f"{s:,} p50 / p99" for s in sizes)
          + " | 100,000 / 10,000 p50 | goal |")  # fmt: skip
    print("|---|---|" + "---:|" * (len(sizes) + 2))
    for place, _ in places:
        for what in ("asks search", "directory"):
            cells = [results[place, s][what] for s in sizes]
            p50 = {s: results[place, s][what][0] for s in sizes}
            ratio = p50[100_000] / p50[10_000] if {10_000, 100_000} <= set(sizes) else None
            met = p50.get(10_000, 0) < GOAL_MS and p50.get(100_000, 0) < 2 * GOAL_MS
            print(f"| {place} | {what} | "
                  + " | ".join(f"{a:.2f} / {b:.2f}" for a, b in cells)
                  + f" | {f'{ratio:.1f}x' if ratio else '-'} | {'met' if met else 'MISSED'} |")  # fmt: skip
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
