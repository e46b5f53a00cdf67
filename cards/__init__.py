"""Adaptive Cards (version 1.5) rendered from JSON templates, safely by construction.

`render_card("help", view)` fills `cards/templates/help.json` from a view-model dataclass and
returns the parsed card with its plain-text fallback. See cards/render.py.

The renderer (and jinja2) loads on first use: the domain imports cards.views for its view types,
and that must not bring the templates into start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cards.render import Card, CardTooLarge, render_card
    from cards.text import plain_text

__all__ = ["Card", "CardTooLarge", "plain_text", "render_card"]

_HOME = {"Card": "cards.render", "CardTooLarge": "cards.render", "render_card": "cards.render",
         "plain_text": "cards.text"}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module 'cards' has no attribute {name!r}")
