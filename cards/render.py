"""Render a card template from a view model.

The Jinja2 environment's `finalize` hook JSON-encodes every `{{ expression }}`, so each value is
a complete JSON literal: user text can never break the JSON or add keys. Text that Teams reads as
markdown goes through the `md` filter; long user text is shortened with `clip`.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from functools import cache, lru_cache
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

    @property
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
    is rendered once and the card kept: help, the error cards and the answers kept per data
    version are asked for again and again. A card is never changed once rendered, so one card
    may serve many replies. Views should hold display text, not numbers to be formatted by the
    template: 1 and 1.0 are equal keys.
    """
    try:
        hash(view)
    except TypeError:  # a list or dict inside: render it every time
        return _render(name, view)
    return _render_kept(name, view)


@lru_cache(maxsize=512)  # cards are a few KB; 512 of them is a few MB at most
def _render_kept(name: str, view: object | None) -> Card:
    return _render(name, view)


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
