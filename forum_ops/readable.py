"""Text as people will read it: without the invisible characters that make it read otherwise.

A right-to-left override (U+202E) shows "Pay\u202eexe.fdp" as "Payfdp.exe"; a zero-width space
hides inside a name or a word so it matches nothing and looks like its twin. `readable` takes out
every bidirectional control and every zero-width or invisible formatting character, where text
enters (typed, submitted from a card, a file's name, a member's name, a ToR), and keeps what
readers need: line breaks and tabs, the zero-width joiner and non-joiner between two non-ASCII
characters (emoji sequences such as 👩‍💻, Persian and Indic scripts), and the tag characters of
a subdivision flag (🏴󠁧󠁢󠁥󠁮󠁧󠁿, England's).
"""

from __future__ import annotations

import re

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_INVISIBLE = "\u00ad\u180e\u200b\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb"
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 and C1, but tab and newline
_STRIP = re.compile(f"[{_BIDI}{_INVISIBLE}{_CONTROLS}]")
# a joiner is kept only between two characters that are neither ASCII nor space
_LONE_JOINER = re.compile(r"(?<![^\x00-\x7f\s])[\u200c\u200d]|[\u200c\u200d](?![^\x00-\x7f\s])")
_FLAG = "\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"  # a black flag, its tags, cancel tag
_TAGS = re.compile(f"({_FLAG})|[\U000e0000-\U000e007f]")


def readable(text: str) -> str:
    """`text` without bidi controls, zero-width and other invisible characters."""
    text = _STRIP.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _LONE_JOINER.sub("", text)
    return _TAGS.sub(lambda m: m.group(1) or "", text)
