"""The forum's full-text search: stems, synonyms, ranking, and queries that find nothing."""

from __future__ import annotations

from forum_ops.text_search import Document, search, terms

DOCS = [
    Document("1", "Draft S75 agreement with the ICB", "Has anyone a template for pooled budgets?"),
    Document("2", "Home to school transport", "Who runs a travel training scheme?", ("transport",)),
    Document("3", "Speech and language therapies", "Joint commissioning of therapies with health"),
    Document("4", "Section 75 pooled budget", "Our agreements for short breaks", ("s75",)),
]


def test_synonyms_and_stems_meet() -> None:
    assert terms("Section 75 agreements") == terms("s75 agreement")
    assert terms("short-breaks") == terms("short break")


def test_the_best_match_comes_first_and_unrelated_texts_are_left_out() -> None:
    hits = search(DOCS, "section 75 template")
    assert [h.key for h in hits] == ["1", "4"]  # both hold s75; only 1 holds "template"
    assert set(hits[0].matched) == {"s75", "template"}
    assert hits[1].matched == ("s75",)


def test_tags_count_as_title_words() -> None:
    assert search(DOCS, "transport")[0].key == "2"


def test_a_query_of_stop_words_or_unknown_words_finds_nothing() -> None:
    assert search(DOCS, "what is the") == []
    assert search(DOCS, "zebra crossing") == []
    assert search([], "transport") == []
