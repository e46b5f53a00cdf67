"""Adaptive Cards (version 1.5) rendered from JSON templates, safely by construction.

`render_card("help", view)` fills `cards/templates/help.json` from a view-model dataclass and
returns the parsed card with its plain-text fallback. See cards/render.py.
"""

from cards.render import Card, CardTooLarge, render_card
from cards.text import plain_text

__all__ = ["Card", "CardTooLarge", "plain_text", "render_card"]
