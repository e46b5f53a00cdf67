"""The full-text index in the database (forum_ops/db/fulltext.py), on SQLite and PostgreSQL: it
ranks as the forum's BM25 always has, follows every write, is back-filled by its migration,
and a search reads the index, not the whole archive."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import event, select, text

from bot.commands.asks.commands import AskCards
from forum_ops.asks.service import AskConfig, Asks, search_asks
from forum_ops.db import Database, create_database, fulltext
from forum_ops.db.migrate import alembic_config
from forum_ops.db.schema import SearchDocumentRow, SearchTermRow, SearchTotalRow
from forum_ops.directory.service import (
    approve_entry,
    decline_entry,
    import_directory,
    search_directory,
    suggest_entry,
)
from forum_ops.members.model import Role
from forum_ops.members.registry import MemberRecord, upsert_members
from forum_ops.text_search import Document, SearchIndex
from tests.conftest import CAMDEN, LIIA, NOW, postgres_database
from tests.support.directory import TRANSPORT_NETWORK
from tests.support.fakes import FakeClock, FakeMessenger
from tests.support.members import member

WORDS = ("transport", "section 75", "s75", "therapies", "short breaks", "tribunal", "post-16",
         "budget", "budgets", "agreement", "ICB", "travel", "pooled", "dps", "risk", "share",
         "dynamic purchasing system", "speech", "language", "EOTAS")  # fmt: skip
HOSTILE = ("transport\"", 'NEAR(transport therapies, 2)', "transport*", "-transport",
           "(transport) AND (OR)", "transport OR NOT", "transport'; DROP TABLE asks; --", "^transport",
           "{title}: transport", "  \x00 transport \u202e", "ÅÄÖ transport é")  # fmt: skip


def _upgrade(db: Database, revision: str) -> None:
    with db.engine.begin() as connection:
        config = alembic_config(db.engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _text(rng: random.Random, most: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, most)))


def test_the_index_ranks_as_the_reference_bm25_through_adds_edits_and_removals(
    any_database: Database,
) -> None:
    """Random documents indexed one by one, a third edited and some removed: every query
    ranks them as text_search.SearchIndex (the Python BM25 the forum searched with) does."""
    rng = random.Random(28)  # noqa: S311 (test data)
    documents: dict[int, Document] = {}
    with any_database.transaction() as session:
        for n in range(1, 61):
            doc = Document("", _text(rng, 6), _text(rng, 25), tuple(rng.sample(WORDS, 2)))
            documents[n] = doc
            fulltext.index_document(session, fulltext.ASKS, n, doc)
        for n in rng.sample(sorted(documents), 20):
            documents[n] = Document("", _text(rng, 4), _text(rng, 30))
            fulltext.index_document(session, fulltext.ASKS, n, documents[n])
        for n in rng.sample(sorted(documents), 8):
            del documents[n]
            fulltext.index_document(session, fulltext.ASKS, n, None)
    reference = SearchIndex(Document(str(n), d.title, d.body, d.tags) for n, d in documents.items())
    hits = 0
    with any_database.transaction() as session:
        for query in (*WORDS, *(_text(rng, 4) for _ in range(30)), "zebra", "zebra s75"):
            expected = reference.search(query, 10)
            found = fulltext.search(session, fulltext.ASKS, query, 10)
            assert found.documents == len(documents)
            # the same scores best first (documents of equal score may swap places)
            got = [_score(reference, query, i) for i in found.ids]
            assert got == [round(h.score, 4) for h in expected], query
            hits += len(got)
    assert hits > 100  # the queries found enough to compare


def _score(reference: SearchIndex, query: str, doc_id: int) -> float:
    return next(round(h.score, 4) for h in reference.search(query, 1000) if h.key == str(doc_id))


def _index_tables(db: Database) -> list[list[tuple[Any, ...]]]:
    with db.transaction() as session:
        return [
            [tuple(r) for r in session.execute(select(*row.__table__.columns).order_by(*row.__table__.primary_key.columns))]  # type: ignore[attr-defined]
            for row in (SearchDocumentRow, SearchTermRow, SearchTotalRow)
        ]  # fmt: skip


def test_the_bulk_index_writes_what_one_by_one_indexing_writes(tmp_path: Path) -> None:
    """bench/growth.py fills its databases with `index_new`: the same rows as the services'."""
    rng = random.Random(7)  # noqa: S311 (test data)
    documents = [
        (n, Document("", _text(rng, 5), _text(rng, 20), tuple(rng.sample(WORDS, 2))))
        for n in range(1, 40)
    ]
    tables = []
    for name, bulk in (("one", False), ("bulk", True)):
        db = create_database(f"sqlite:///{tmp_path / name}.db")
        _upgrade(db, "head")
        with db.transaction() as session:
            if bulk:
                fulltext.index_new(session, fulltext.DIRECTORY, documents)
            else:
                for n, doc in documents:
                    fulltext.index_document(session, fulltext.DIRECTORY, n, doc)
        tables.append(_index_tables(db))
        db.dispose()
    assert tables[0] == tables[1]


@contextmanager
def _empty(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
    else:
        with postgres_database() as url:
            yield url


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_migration_back_fills_asks_replies_and_approved_entries_written_before_it(
    kind: str, tmp_path: Path
) -> None:
    with _empty(kind, tmp_path) as url:
        db = create_database(url)
        _upgrade(db, "0016")
        at = {"at": NOW}
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO asks (id, author_aad, organisation_code, text, details, topics, "
                "status, max_asked, created_at, updated_at) VALUES "
                "(1, 'a', '202', 'Who has a minibus contract?', '', 'transport', 'open', 7, :at, :at),"
                "(2, 'b', '203', 'Section 75 pooled budgets?', 'with the ICB', 's75', 'answered', 7, :at, :at)"
            ), at)  # fmt: skip
            connection.execute(text(
                "INSERT INTO ask_replies (ask_id, author_aad, organisation_code, text, link, "
                "created_at) VALUES (2, 'c', '204', 'Our risk share clause is on SharePoint', '', :at)"
            ), at)  # fmt: skip
            connection.execute(text(
                "INSERT INTO directory_entries (id, name, kind, scope, topics, offers, "
                "how_to_join, link, contact, owner, status, source, created_at, updated_at) VALUES "
                "(1, 'Transport leads', 'tool', 'borough', 'transport', 'Routes', '', '', '', '', 'approved', 'import', :at, :at),"
                "(2, 'Transport suggestion', 'tool', 'borough', '', '', '', '', '', '', 'suggested', 'suggestion', :at, :at),"
                "(3, 'Transport declined', 'tool', 'borough', '', '', '', '', '', '', 'declined', 'suggestion', :at, :at)"
            ), at)  # fmt: skip
        _upgrade(db, "head")
        with db.transaction() as session:
            assert search_asks(session, "risk share") == [2]  # a reply's words
            assert search_asks(session, "section 75 ICB") == [2]  # a synonym, the details
            assert search_asks(session, "transport minibus") == [1]
        page = search_directory(db, FakeClock(NOW), "transport")
        assert ([e.id for e in page.entries], page.total) == ([1], 1)
        db.dispose()


PEOPLE = [("hac", "204", ("transport",)), ("isl", "206", ("transport",)),
          ("ken", "207", ("transport",))]  # fmt: skip


def _asks(db: Database) -> Asks:
    with db.transaction() as session:
        upsert_members(session, [
            MemberRecord(aad, aad, f"{aad}@example.org", org, frozenset({Role.MEMBER}), t)
            for aad, org, t in PEOPLE
        ], NOW)  # fmt: skip
    messenger = FakeMessenger(members={aad for aad, _, _ in PEOPLE} | {CAMDEN, LIIA})
    return Asks(db, FakeClock(NOW), lambda session, now: messenger, AskCards(), AskConfig())  # type: ignore[arg-type]


def test_replies_and_details_written_later_are_found_and_hostile_queries_answer(
    any_database: Database,
) -> None:
    asks = _asks(any_database)
    ask = asks.open(member(any_database, CAMDEN), "#transport Who runs travel training?").ask
    other = asks.open(member(any_database, CAMDEN), "Any EOTAS tribunal trends?").ask
    assert [a.id for a in asks.search("minibus")] == []
    asks.reply(member(any_database, "hac"), ask.id, "We bought a minibus through the DPS.")
    assert [a.id for a in asks.search("minibus")] == [ask.id]
    assert [a.id for a in asks.search("dynamic purchasing system")] == [ask.id]
    asks.add_detail(member(any_database, CAMDEN), other.id, "Especially for post 16 learners.")
    assert [a.id for a in asks.search("post-16")] == [other.id]
    for query in HOSTILE:
        assert [a.id for a in asks.search(query)] == [ask.id], query
    assert asks.search("NEAR AND OR NOT") == asks.search('"') == []  # no word any ask holds
    assert search_directory(any_database, FakeClock(NOW), 'NEAR("x" OR *)').entries == ()


def test_entries_are_indexed_when_approved_edited_imported_and_never_when_declined(
    any_database: Database,
) -> None:
    clock, liia = FakeClock(NOW), member(any_database, LIIA)
    camden = member(any_database, CAMDEN)

    def found(words: str) -> list[str]:
        return [e.name for e in search_directory(any_database, clock, words).entries]

    entry = suggest_entry(any_database, clock, camden, TRANSPORT_NETWORK)
    other = suggest_entry(any_database, clock, camden, {**TRANSPORT_NETWORK, "name": "Other"})
    assert found("transport") == []
    approve_entry(any_database, clock, liia, entry.id)
    decline_entry(any_database, clock, liia, other.id)
    assert found("transport") == ["North London SEND Transport Network"]
    edited = {**TRANSPORT_NETWORK, "name": "Minibus leads", "topics": "fleet",
              "offers": "Vehicles.", "how_to_join": "", "owner": ""}  # fmt: skip
    approve_entry(any_database, clock, liia, entry.id, edited)
    assert found("transport") == []
    assert found("minibus fleet") == ["Minibus leads"]
    import_directory(
        any_database, "name,kind,scope,topics\nMinibus leads,tool,borough,respite\n", NOW
    )
    assert found("fleet") == []
    assert found("respite") == ["Minibus leads"]
    assert search_directory(any_database, clock, "respite").total == 1


def test_a_search_reads_the_index_not_the_whole_archive(any_database: Database) -> None:
    """The archive's rows are read only by id, for the hits: a search costs what its words
    hold, not what the forum ever wrote (issue 28: 850 ms at 10,000 asks)."""
    asks = _asks(any_database)
    for n in range(5):
        asks.open(member(any_database, CAMDEN), f"#transport Question {n} about the minibus?")
    import_directory(any_database, "name,kind,scope\nMinibus pool,tool,borough\n", NOW)
    statements: list[str] = []

    def seen(_c: object, _cur: object, sql: str, *_rest: object) -> None:
        statements.append(" ".join(sql.split()))

    event.listen(any_database.engine, "before_cursor_execute", seen)
    try:
        with any_database.transaction() as session:
            assert len(search_asks(session, "minibus", 3)) == 3
        assert [e.name for e in search_directory(any_database, FakeClock(NOW), "minibus").entries] == ["Minibus pool"]  # fmt: skip
    finally:
        event.remove(any_database.engine, "before_cursor_execute", seen)
    archive = [s for s in statements if " asks" in s or "ask_replies" in s
               or "FROM directory_entries" in s]  # fmt: skip
    assert archive
    assert all("directory_entries.id IN" in s for s in archive), archive
