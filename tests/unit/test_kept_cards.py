"""The rendered cards kept for reuse are bounded by their size, not their number."""

from __future__ import annotations

from cards import Card
from cards.render import KeptCards


def card(text: str) -> Card:
    return Card("t", {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": text}]}, text)


def test_kept_cards_stay_within_their_budget_and_the_least_recently_used_go_first() -> None:
    big = card("x" * 400)
    kept = KeptCards(budget=big.size * 3)
    renders: list[str] = []

    def render(key: str) -> Card:
        renders.append(key)
        return card(key * 400)

    for key in "abc":
        kept.get(("t", key), lambda k=key: render(k))
    assert kept.get(("t", "a"), lambda: render("a")).fallback == "a" * 400  # kept: not rendered
    kept.get(("t", "d"), lambda: render("d"))  # over budget: b, least recently used, goes
    assert renders == ["a", "b", "c", "d"]
    assert len(kept) == 3
    assert kept.held <= kept.budget
    kept.get(("t", "b"), lambda: render("b"))
    assert renders[-1] == "b"  # rendered again
    huge = KeptCards(budget=10)
    huge.get(("t", "z"), lambda: render("z"))
    assert len(huge) == 0  # a card over the whole budget is served, not kept
