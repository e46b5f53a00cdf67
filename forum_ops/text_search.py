"""Full-text search over the forum's own texts: asks and their replies, directory entries.

This is the one analyser (`terms`: lower-cased word stems, stop words out, the forum's synonyms
folded together so "section 75" finds "S75") and the one weighting (`weighted_terms`: a
document's title and tags count twice). The database keeps each document's weighted terms in an
inverted index and ranks by Okapi BM25 there, the same on SQLite and PostgreSQL
(forum_ops/db/fulltext.py); `SearchIndex` below is that ranking in Python, the reference the
index's tests compare it with. A word in the query that no document holds is ignored; a query
with no known word finds nothing.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "please",
        "so",
        "that",
        "the",
        "their",
        "them",
        "there",
        "this",
        "to",
        "us",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "with",
        "you",
        "your",
    ]
)
# phrases people write for one thing, folded to one token before stemming
SYNONYMS = (
    (re.compile(r"\bsection\s*75\b|\bs\.?\s?75\b"), " s75 "),
    (re.compile(r"\bdynamic purchasing system\b"), " dps "),
    (re.compile(r"\bpost[\s-]?16\b"), " post16 "),
    (re.compile(r"\bshort[\s-]breaks?\b"), " shortbreak "),
    (re.compile(r"\bhome[\s-]to[\s-]school\b"), " transport "),
    (re.compile(r"\bsen(?:d)?\s+tribunals?\b"), " tribunal "),
    (re.compile(r"\bindependent (?:and )?non[\s-]maintained\b"), " inmss "),
)
K1, B = 1.2, 0.75  # BM25's usual constants
TERM_CHARS = 100  # a longer "word" is cut (the index's column)


@dataclass(frozen=True)
class Document:
    key: str  # what the caller looks the hit up by (an ask's id, an entry's id)
    title: str
    body: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    key: str
    score: float
    matched: tuple[str, ...]  # the query's stems this document holds


def _stem(word: str) -> str:
    """A light English stemmer: enough that "agreements", "agreement" and "agreed" meet."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


def terms(text: str) -> list[str]:
    """The searchable stems of a text, in order (stop words left out)."""
    folded = text.lower().replace("’", "'")
    for pattern, token in SYNONYMS:
        folded = pattern.sub(token, folded)
    return [_stem(w)[:TERM_CHARS] for w in WORD.findall(folded) if w not in STOP_WORDS]


def weighted_terms(doc: Document) -> list[str]:
    """A document's terms as BM25 counts them: its title's and tags' twice, then its body's."""
    return terms(doc.title) * 2 + terms(" ".join(doc.tags)) * 2 + terms(doc.body)


class SearchIndex:
    def __init__(self, documents: Iterable[Document]) -> None:
        self._docs: list[tuple[str, Counter[str], int]] = []
        frequency: Counter[str] = Counter()
        for doc in documents:
            words = weighted_terms(doc)
            counts = Counter(words)
            self._docs.append((doc.key, counts, len(words)))
            frequency.update(counts.keys())
        self._frequency = frequency
        self._average = sum(n for _k, _c, n in self._docs) / len(self._docs) if self._docs else 0.0

    def __len__(self) -> int:
        return len(self._docs)

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        wanted = [t for t in dict.fromkeys(terms(query)) if t in self._frequency]
        hits = [
            hit
            for key, counts, size in self._docs
            if (hit := self._score(key, counts, size, wanted))
        ]
        hits.sort(key=lambda h: (-h.score, h.key))
        return hits[:limit]

    def _score(
        self, key: str, counts: Counter[str], size: int, wanted: Sequence[str]
    ) -> Hit | None:
        matched = tuple(t for t in wanted if counts[t])
        if not matched:
            return None
        total = len(self._docs)
        score = 0.0
        for term in matched:
            idf = math.log(
                1 + (total - self._frequency[term] + 0.5) / (self._frequency[term] + 0.5)
            )
            tf = counts[term]
            score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * size / (self._average or 1)))
        return Hit(key, round(score, 6), matched)


def search(documents: Iterable[Document], query: str, limit: int = 10) -> list[Hit]:
    """Rank `documents` for `query`, best first; those sharing no word with it are left out."""
    return SearchIndex(documents).search(query, limit)
