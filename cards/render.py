"""Render a card template from a view model.

The Jinja2 environment's `finalize` hook JSON-encodes every `{{ expression }}`, so each value is
a complete JSON literal: user text can never break the JSON or add keys. Text that Teams reads as
markdown goes through the `md` filter; long user text is shortened with `clip`.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import jinja2

from cards.markdown import escape_markdown
from cards.text import plain_text
from cards.views.common import FileOffer

TEMPLATES = Path(__file__).with_name("templates")
MAX_CARD_BYTES = 28_000  # Teams refuses messages over about 28 KB
MAX_FALLBACK_CHARS = 600


class CardTooLarge(ValueError):
    """A rendered card is over Teams' message size limit; the view model must clip its text."""


@dataclass(frozen=True)
class Card:
    """A rendered Adaptive Card and the plain text that stands for it where cards don't show;
    `files` are offered beside it, each as a Teams file consent card (bot/replies.py)."""

    template: str
    content: dict[str, Any]
    fallback: str
    files: tuple[FileOffer, ...] = ()

    def offering(self, *files: FileOffer) -> Card:
        """This card with these files offered beside it (a rendered card may be shared: it is
        never changed, a new one is made)."""
        return dataclasses.replace(self, files=self.files + files)

    @cached_property  # a card never changes: measured once (its check, then the kept cards)
    def size(self) -> int:
        return len(json.dumps(self.content, ensure_ascii=False, separators=(",", ":")).encode())


def _finalize(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - the output is JSON; finalize encodes every value
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,  # templates ship with the package; no stat() on every render
    )
    env.filters["md"] = escape_markdown
    env.filters["clip"] = _clip
    return env


def render_card(name: str, view: object | None = None) -> Card:
    """Render `templates/<name>.json` with the view model's fields as template variables.

    A view that can be hashed (a frozen dataclass of strings, numbers and tuples, as most are)
    is rendered once and the card kept (`KEPT`): help, the error cards and the answers kept per
    data version are asked for again and again. A card is never changed once rendered, so one
    card may serve many replies. Views should hold display text, not numbers to be formatted by
    the template: 1 and 1.0 are equal keys.
    """
    try:
        hash(view)
    except TypeError:  # a list or dict inside: render it every time
        return _render(name, view)
    return KEPT.get((name, view), lambda: _render(name, view))


class KeptCards:
    """The cards rendered last, least recently used dropped first, up to `budget` bytes of
    their JSON: a card's parsed content takes about ten times its JSON in memory, and cards
    range from 1 KB (a refusal) to 28 KB (the recommendations tracker, whose view changes with
    every supplier look-up), so a count of cards would not bound the memory they hold."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.held = 0
        self._cards: OrderedDict[tuple[str, object], tuple[Card, int]] = OrderedDict()
        self._lock = threading.Lock()  # cards are rendered on the loop and in the job threads

    def get(self, key: tuple[str, object], render: Callable[[], Card]) -> Card:
        with self._lock:
            found = self._cards.get(key)
            if found is not None:
                self._cards.move_to_end(key)
                return found[0]
        card = render()
        size = card.size
        with self._lock:
            if key not in self._cards and size <= self.budget:
                self._cards[key] = (card, size)
                self.held += size
                while self.held > self.budget:
                    _, (_, dropped) = self._cards.popitem(last=False)
                    self.held -= dropped
        return card

    def __len__(self) -> int:
        return len(self._cards)


KEPT = KeptCards(budget=1_000_000)  # about 10 MB of parsed cards; a few hundred answers


def _render(name: str, view: object | None) -> Card:
    fields = (
        {f.name: getattr(view, f.name) for f in dataclasses.fields(view)}  # type: ignore[arg-type]
        if view is not None
        else {}
    )
    source = _environment().get_template(f"{name}.json").render(**fields)
    try:
        content = json.loads(source)
    except json.JSONDecodeError as error:  # a template bug, never user text
        raise ValueError(f"card template {name} rendered invalid JSON: {error}") from error
    fallback = _clip(plain_text(content), MAX_FALLBACK_CHARS)
    content["fallbackText"] = fallback
    card = Card(name, content, fallback)
    if card.size > MAX_CARD_BYTES:
        raise CardTooLarge(f"card {name} is {card.size} bytes, over {MAX_CARD_BYTES}")
    return card
