"""The real renderer's check of cards (tests/support/cardrender.py) can fail: a card with an
element type the renderer does not know, and one with a ColumnSet wider than Teams' 500 px, are
each reported by where they were sent, in both Teams themes, and Teams' green text, 2.07:1 on
white, in the light theme only; a plain card passes."""

from __future__ import annotations

from typing import Any

from tests.support.cardrender import THEMES, draw, problems, require_renderer


def card(*body: dict[str, Any]) -> dict[str, Any]:
    return {"type": "AdaptiveCard", "version": "1.5", "body": list(body)}


def text(words: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": words, "wrap": True}


def column(px: int, words: str) -> dict[str, Any]:
    return {"type": "Column", "width": f"{px}px", "items": [text(words)]}


PLAIN = card(text("Thursday 22 January 2026, 10:00: the forum meets."))
UNKNOWN = card(text("Agenda"), {"type": "TextBlok", "text": "1. Transport"})
WIDE = card({"type": "ColumnSet", "columns": [column(300, "Camden"), column(300, "Croydon")]})
GREEN = card({"type": "TextBlock", "text": "Ratified", "color": "good"})
CUT = card({"type": "TextBlock", "text": "A line far too long for one line of a card " * 3})


def test_the_renderer_reports_unknown_elements_and_what_is_wider_than_teams() -> None:
    require_renderer()
    found = problems(
        [("plain", PLAIN), ("unknown", UNKNOWN), ("wide", WIDE), ("cut", CUT), ("green", GREEN)]
    )
    said = {line.split(": ", 1)[0]: line.split(": ", 1)[1] for line in found}
    faulty = [f"{where} ({theme})" for where in ("unknown", "wide", "cut") for theme in THEMES]
    assert sorted(said) == sorted([*faulty, "green (light)"])  # one line per card and theme
    assert '"Ratified" is 2.07:1' in said["green (light)"]
    for theme in THEMES:
        assert 'UnknownElementType: Unknown element type "TextBlok"' in said[f"unknown ({theme})"]
        assert "wider than 500 px" in said[f"wide ({theme})"]
        assert "ac-columnSet" in said[f"wide ({theme})"]  # the box whose content is too wide
        assert "A line far too long" in said[f"cut ({theme})"]  # a long line, unwrapped


def test_a_card_the_renderer_draws_as_nothing_is_reported() -> None:
    require_renderer()
    assert problems([("empty", card())]) == [f"empty ({theme}): drew nothing" for theme in THEMES]


def test_what_the_host_colours_is_told_apart_from_the_cards_own_text() -> None:
    require_renderer()
    linked = card(text("See [the framework](https://camden.example/travel)."))
    found = draw([("linked", linked)])
    assert found.faults == []
    assert len(found.host_drawn) == 1
    assert found.host_drawn[0].startswith('linked (dark): "the framework" is 2.59:1')
