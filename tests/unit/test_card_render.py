"""The real renderer's check of cards (tests/support/cardrender.py) can fail: a card with an
element type the renderer does not know, and one with a ColumnSet wider than Teams' 500 px, are
each reported by where they were sent, in both Teams themes; a plain card passes."""

from __future__ import annotations

from typing import Any

from tests.support.cardrender import THEMES, problems, require_renderer


def card(*body: dict[str, Any]) -> dict[str, Any]:
    return {"type": "AdaptiveCard", "version": "1.5", "body": list(body)}


def text(words: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": words, "wrap": True}


def column(px: int, words: str) -> dict[str, Any]:
    return {"type": "Column", "width": f"{px}px", "items": [text(words)]}


PLAIN = card(text("Thursday 22 January 2026, 10:00: the forum meets."))
UNKNOWN = card(text("Agenda"), {"type": "TextBlok", "text": "1. Transport"})
WIDE = card({"type": "ColumnSet", "columns": [column(300, "Camden"), column(300, "Croydon")]})
CUT = card({"type": "TextBlock", "text": "A line far too long for one line of a card " * 3})


def test_the_renderer_reports_unknown_elements_and_what_is_wider_than_teams() -> None:
    require_renderer()
    found = problems([("plain", PLAIN), ("unknown", UNKNOWN), ("wide", WIDE), ("cut", CUT)])
    said = {line.split(": ", 1)[0]: line.split(": ", 1)[1] for line in found}
    assert sorted(said) == sorted(
        f"{where} ({theme})" for where in ("unknown", "wide", "cut") for theme in THEMES
    )  # one line per faulty card and theme; the plain card draws cleanly
    for theme in THEMES:
        assert 'UnknownElementType: Unknown element type "TextBlok"' in said[f"unknown ({theme})"]
        assert "wider than 500 px" in said[f"wide ({theme})"]
        assert "ac-columnSet" in said[f"wide ({theme})"]  # the box whose content is too wide
        assert "A line far too long" in said[f"cut ({theme})"]  # a long line, unwrapped


def test_a_card_the_renderer_draws_as_nothing_is_reported() -> None:
    require_renderer()
    assert problems([("empty", card())]) == [f"empty ({theme}): drew nothing" for theme in THEMES]
