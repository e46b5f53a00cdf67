"""Escaping for text that Teams renders as markdown (TextBlock text, Fact values).

Teams reads a subset of markdown in cards (bold, italic, strike, code, links, lists, headings),
decodes HTML entities, and expands Adaptive Card text functions `{{DATE(...)}}` and `{{TIME(...)}}`.
So `& < >` become entities and `{{` is split by a zero-width space, always. A backslash goes only
where the character would otherwise change the text: Teams mobile shows every backslash, so
"+4.9 %" and "4.5 %" stay as they are. Escaped:

- emphasis, code and strike characters (`* _ ` ~`) when the text holds two or more of that one
  (a single one can open nothing; an underscore inside a word, as in a file name, counts for
  nothing);
- brackets when the text holds `](`, `][` or `]:` (a link, or a link's definition);
- a backslash before punctuation (where it would itself escape);
- at a line's start: a list marker followed by a space (`- `, `+ `, `* `, `1. `, `1) `), a
  heading's `#`, and a line of only `- * _ =` (a rule, or a heading's underline).

The text then shows exactly as typed.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

_PAIRED = "`*_~"
_BACKSLASH = re.compile(r"\\(?=[!-/:-@\[-`{-~]|\n)")
_BULLET = re.compile(r"^([ \t]*)([-+*])(?=[ \t]|$)", re.MULTILINE)
_ORDERED = re.compile(r"^([ \t]*\d{1,9})([.)])(?=[ \t]|$)", re.MULTILINE)
_HEADING = re.compile(r"^([ \t]*)(#)", re.MULTILINE)
_RULE = re.compile(r"^([ \t]*)([-*_=])(?=[-*_= \t]*$)", re.MULTILINE)
_EDGE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")  # not between two letters or digits
_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ZWSP = "\u200b"

_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


@lru_cache(maxsize=4096)  # cards repeat the same labels and names on every answer
def escape_markdown(text: str) -> str:
    text = _BACKSLASH.sub(r"\\\\", text)
    special = {c for c in _PAIRED if c != "_" and text.count(c) >= 2}
    if len(_EDGE_UNDERSCORE.findall(text)) >= 2:
        special.add("_")
    if any(pair in text for pair in ("](", "][", "]:")):
        special |= {"[", "]"}
    if special:
        text = "".join(f"\\{c}" if c in special else c for c in text)
    text = _RULE.sub(r"\1\\\2", text)
    text = _BULLET.sub(r"\1\\\2", text)
    text = _ORDERED.sub(r"\1\\\2", text)
    text = _HEADING.sub(r"\1\\\2", text)
    text = text.translate(_ENTITIES)
    return text.replace("{{", "{" + _ZWSP + "{")


@lru_cache(maxsize=4096)
def unescape_markdown(text: str) -> str:
    """What a reader sees for escaped text (used by the terminal chat, fallbacks and tests)."""
    text = text.replace("{" + _ZWSP + "{", "{{")
    return html.unescape(_UNESCAPE.sub(r"\1", text))
