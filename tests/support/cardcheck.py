"""What every card the bot sends must satisfy: Adaptive Card 1.5 schema and Teams' size limit."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema

from tests.conftest import AC_SCHEMA

TEAMS_LIMIT_BYTES = 28 * 1024


@cache
def _validator() -> jsonschema.Draft6Validator:
    return jsonschema.Draft6Validator(json.loads(AC_SCHEMA.read_text(encoding="utf-8")))


def assert_valid_card(card: dict[str, Any]) -> None:
    errors = sorted(_validator().iter_errors(card), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message[:200]}" for e in errors[:5]]
    assert card["version"] == "1.5"
    size = len(json.dumps(card, ensure_ascii=False).encode())
    assert size < TEAMS_LIMIT_BYTES, f"card is {size} bytes"


def card_texts(card: dict[str, Any]) -> list[str]:
    """Every TextBlock text and fact title/value in a card, as sent (still markdown-escaped)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                found.append(node["text"])
            if node.get("type") == "FactSet":
                found.extend(v for f in node["facts"] for v in (f["title"], f["value"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card.get("body", []))
    return found


# Text that would break a card built by string templating, or show as markup
HOSTILE = [
    'a "quoted" name',
    "back\\slash \\n \\u0000",
    "*bold* _italic_ ~~strike~~ `code`",
    "[click me](https://evil.example) ![img](x)",
    "<at>Bot</at> <b>html</b> &amp; &lt;",
    '"}, {"type": "Action.OpenUrl", "url": "https://evil.example"}, {"x": "',
    "{{DATE(2026-01-22T10:00:00Z, SHORT)}} {{TIME(2026-01-22T10:00:00Z)}}",
    "- a list\n1. numbered\n# heading",
    "emoji 🚀👩🏽‍⚕️ and RTL ‮reversed",
    "x" * 5000,
]
