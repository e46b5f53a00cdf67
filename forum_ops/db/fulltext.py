"""The forum's full-text index, in the database: asks (with their replies) and approved
directory entries, ranked by Okapi BM25 in one SQL query, the same on SQLite and PostgreSQL.

Each document is kept as the analyser's weighted stems (forum_ops/text_search.py: synonyms,
stemmer, stop words; title and tags twice), one row per stem it holds (`search_terms`, keyed
by kind, stem and document: a search reads only the rows of the query's stems), and the
kind's totals (BM25's N and average length) in one row. Whoever writes an ask, a reply or a
directory entry re-indexes it in the same transaction (`index_document`), so the index never
lags; re-indexing writes only the stems that changed. The ranking is `text_search.SearchIndex`'s
to the sixth decimal; ties go to the older document. Only stems reach the SQL, as bound values:
a query's quotes, operators or parentheses are just characters the analyser drops.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import (
    Connection,
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from cards.views.directory import Status
from forum_ops.db.schema import (
    AskReplyRow,
    AskRow,
    Base,
    DirectoryEntryRow,
    SearchDocumentRow,
    SearchTermRow,
    SearchTotalRow,
)
from forum_ops.text_search import K1, B, Document, terms, weighted_terms

ASKS = "ask"
DIRECTORY = "directory"
KINDS = (ASKS, DIRECTORY)
MOST_QUERY_TERMS = 32  # a query is at most 300 characters; this bounds the SQL all the same


def _table(row: type[Base]) -> Table:
    table = row.__table__
    assert isinstance(table, Table)
    return table


_DOCS = _table(SearchDocumentRow)
_TERMS = _table(SearchTermRow)
_TOTALS = _table(SearchTotalRow)

Executor = Session | Connection


@dataclass(frozen=True)
class Found:
    ids: tuple[int, ...]  # best first
    documents: int  # how many documents of the kind the search ranked


def ask_document(text: str, details: str, topics: str, replies: Iterable[str]) -> Document:
    """An ask as the search sees it: its question the title, its tags, details and replies."""
    tags = tuple(t for t in topics.split(";") if t)
    return Document("", text, "\n".join([details, *replies]), tags)


def entry_document(
    name: str, kind: str, scope: str, topics: str, offers: str, how_to_join: str, owner: str
) -> Document:
    """A directory entry as the search sees it: its kind and scope count as tags."""
    tags = (*(t for t in topics.split(";") if t), kind, scope)
    return Document("", name, " ".join([offers, how_to_join, owner]), tags)


def index_ask(ex: Executor, ask_id: int) -> None:
    """Re-index an ask as it now is (its text, details, tags and every reply)."""
    row = ex.execute(
        select(AskRow.text, AskRow.details, AskRow.topics).where(AskRow.id == ask_id)
    ).first()
    replies = ex.execute(
        select(AskReplyRow.text).where(AskReplyRow.ask_id == ask_id).order_by(AskReplyRow.id)
    ).scalars()
    document = ask_document(row[0], row[1], row[2], replies) if row is not None else None
    index_document(ex, ASKS, ask_id, document)


APPROVED = Status.APPROVED.value  # only approved directory entries are searchable
_ENTRY = (
    DirectoryEntryRow.name,
    DirectoryEntryRow.kind,
    DirectoryEntryRow.scope,
    DirectoryEntryRow.topics,
    DirectoryEntryRow.offers,
    DirectoryEntryRow.how_to_join,
    DirectoryEntryRow.owner,
)


def index_entry(ex: Executor, entry_id: int) -> None:
    """Re-index a directory entry as it now is: in the index if approved, out otherwise."""
    row = ex.execute(
        select(*_ENTRY).where(
            DirectoryEntryRow.id == entry_id, DirectoryEntryRow.status == APPROVED
        )
    ).first()
    index_document(ex, DIRECTORY, entry_id, entry_document(*row) if row is not None else None)


def index_everything(ex: Executor) -> int:
    """Index every ask and approved entry, into an empty index (the migration's back-fill)."""
    replies: dict[int, list[str]] = {}
    for ask_id, text in ex.execute(
        select(AskReplyRow.ask_id, AskReplyRow.text).order_by(AskReplyRow.id)
    ):
        replies.setdefault(ask_id, []).append(text)
    asks = ex.execute(select(AskRow.id, AskRow.text, AskRow.details, AskRow.topics)).all()
    entries = ex.execute(
        select(DirectoryEntryRow.id, *_ENTRY).where(DirectoryEntryRow.status == APPROVED)
    ).all()
    return index_new(
        ex, ASKS, ((a[0], ask_document(a[1], a[2], a[3], replies.get(a[0], []))) for a in asks)
    ) + index_new(ex, DIRECTORY, ((e[0], entry_document(*e[1:])) for e in entries))


def index_document(ex: Executor, kind: str, doc_id: int, document: Document | None) -> None:
    """(Re-)index one document in the caller's transaction; None takes it out of the index."""
    old = ex.execute(
        select(_DOCS.c.stems).where(_DOCS.c.kind == kind, _DOCS.c.doc_id == doc_id)
    ).scalar_one_or_none()
    stems = weighted_terms(document) if document is not None else None
    if old is None and stems is None:
        return
    before = Counter(old.split()) if old is not None else Counter[str]()
    after = Counter(stems) if stems is not None else Counter[str]()
    this = and_(_DOCS.c.kind == kind, _DOCS.c.doc_id == doc_id)
    if stems is None:
        ex.execute(delete(_DOCS).where(this))
    elif old is None:
        ex.execute(insert(_DOCS).values(kind=kind, doc_id=doc_id, words=len(stems),
                                        stems=" ".join(stems)))  # fmt: skip
    elif old != " ".join(stems):
        ex.execute(update(_DOCS).where(this).values(words=len(stems), stems=" ".join(stems)))
    one = and_(_TERMS.c.kind == kind, _TERMS.c.doc_id == doc_id)
    size, was = sum(after.values()), sum(before.values())
    gone = [t for t in before if t not in after]
    if gone:
        ex.execute(delete(_TERMS).where(one, _TERMS.c.term.in_(gone)))
    kept = [t for t in after if t in before and before[t] == after[t]]
    if kept and size != was:
        ex.execute(update(_TERMS).where(one, _TERMS.c.term.in_(kept)).values(words=size))
    for term, n in after.items():
        if term in before and before[term] != n:
            ex.execute(
                update(_TERMS).where(one, _TERMS.c.term == term).values(occurrences=n, words=size)
            )
    new = [{"kind": kind, "term": t, "doc_id": doc_id, "occurrences": n, "words": size}
           for t, n in after.items() if t not in before]  # fmt: skip
    if new:
        ex.execute(insert(_TERMS), new)
    _add_totals(ex, kind, (stems is not None) - (old is not None), size - was)


def index_new(ex: Executor, kind: str, documents: Iterable[tuple[int, Document]]) -> int:
    """Index documents not indexed yet, in bulk (the migration's back-fill, the growth bench):
    what `index_document` would write for each, in a few statements. Returns how many."""
    rows: list[dict[str, object]] = []
    postings: list[dict[str, object]] = []
    words = 0
    for doc_id, document in documents:
        stems = weighted_terms(document)
        rows.append({"kind": kind, "doc_id": doc_id, "words": len(stems),
                     "stems": " ".join(stems)})  # fmt: skip
        postings.extend({"kind": kind, "term": t, "doc_id": doc_id, "occurrences": n,
                         "words": len(stems)} for t, n in Counter(stems).items())  # fmt: skip
        words += len(stems)
    if rows:
        ex.execute(insert(_DOCS), rows)
    if postings:
        ex.execute(insert(_TERMS), postings)
    _add_totals(ex, kind, len(rows), words)
    return len(rows)


def _add_totals(ex: Executor, kind: str, documents: int, words: int) -> None:
    if not documents and not words:
        return
    changed = ex.execute(
        update(_TOTALS)
        .where(_TOTALS.c.kind == kind)
        .values(documents=_TOTALS.c.documents + documents, words=_TOTALS.c.words + words)
    )
    if not changed.rowcount:  # type: ignore[attr-defined]
        ex.execute(insert(_TOTALS).values(kind=kind, documents=documents, words=words))


def documents(ex: Executor, kind: str) -> int:
    """How many documents of `kind` the index holds (for the directory: approved entries)."""
    found = ex.execute(select(_TOTALS.c.documents).where(_TOTALS.c.kind == kind)).scalar()
    return int(found or 0)


def search(ex: Executor, kind: str, query: str, limit: int = 10) -> Found:
    """The ids of the documents of `kind` best matching `query`, best first (BM25)."""
    totals = ex.execute(
        select(_TOTALS.c.documents, _TOTALS.c.words).where(_TOTALS.c.kind == kind)
    ).first()
    count, length = (int(totals[0]), int(totals[1])) if totals else (0, 0)
    wanted = list(dict.fromkeys(terms(query)))[:MOST_QUERY_TERMS]
    if not count or not wanted or limit <= 0:
        return Found((), count)
    held: dict[str, int] = dict(
        ex.execute(
            select(_TERMS.c.term, func.count())
            .where(_TERMS.c.kind == kind, _TERMS.c.term.in_(wanted))
            .group_by(_TERMS.c.term)
        ).all()
    )
    if not held:
        return Found((), count)
    idf = {t: math.log(1 + (count - n + 0.5) / (n + 0.5)) for t, n in held.items()}
    average = length / count or 1.0
    tf = _TERMS.c.occurrences
    weight = case(idf, value=_TERMS.c.term, else_=0.0) if len(idf) > 1 else next(iter(idf.values()))
    norm = K1 * (1 - B) + (K1 * B / average) * _TERMS.c.words
    score = weight * tf * (K1 + 1) / (tf + norm)
    ranked = select(_TERMS.c.doc_id).where(_TERMS.c.kind == kind, _TERMS.c.term.in_(list(idf)))
    if len(idf) > 1:  # a document's score is the sum of its terms'
        score = func.sum(score)
        ranked = ranked.group_by(_TERMS.c.doc_id)
    ranked = ranked.order_by(score.desc(), _TERMS.c.doc_id)
    return Found(tuple(int(i) for i in ex.execute(ranked.limit(limit)).scalars()), count)
