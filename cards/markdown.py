"""Escaping for text that Teams renders as markdown (TextBlock text, Fact values).

Teams reads a subset of markdown in cards (bold, italic, strike, code, links, lists, headings),
decodes HTML entities, and expands Adaptive Card text functions `{{DATE(...)}}` and `{{TIME(...)}}`.
So: markdown punctuation gets a backslash, `& < >` become entities, a line-leading list or heading
marker is escaped, and `{{` is split by a zero-width space. The text then shows exactly as typed.
"""

from __future__ import annotations

import html
import re

_INLINE = re.compile(r"([\\`*_\[\]~])")
_LINE_START = re.compile(r"^([ \t]*)(\d+(?=[.)])|)([-+#.)])", re.MULTILINE)
_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ZWSP = "\u200b"

_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def escape_markdown(text: str) -> str:
    text = _INLINE.sub(r"\\\1", text).translate(_ENTITIES)
    text = _LINE_START.sub(lambda m: f"{m.group(1)}{m.group(2)}\\{m.group(3)}", text)
    return text.replace("{{", "{" + _ZWSP + "{")


def unescape_markdown(text: str) -> str:
    """What a reader sees for escaped text (used by the terminal chat, fallbacks and tests)."""
    text = text.replace("{" + _ZWSP + "{", "{{")
    return html.unescape(_UNESCAPE.sub(r"\1", text))
