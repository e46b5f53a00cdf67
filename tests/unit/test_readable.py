"""Invisible characters that make text read otherwise are taken out where text enters."""

from __future__ import annotations

import pytest

from forum_ops.readable import readable
from forum_ops.tor.text import normalise

ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"


@pytest.mark.parametrize(
    ("given", "read"),
    [
        ("Pay\u202eexe.fdp", "Payexe.fdp"),  # right-to-left override: shown as "Payfdp.exe"
        ("\u2067Invoice\u2069 \u200fdue\u200e", "Invoice due"),  # isolates and marks
        ("Cam\u200bden", "Camden"),  # zero-width space
        ("Cam\u2060de\ufeffn", "Camden"),  # word joiner, zero-width no-break space
        ("Ca\u200dmd\u200cen", "Camden"),  # joiners between ASCII letters hide nothing useful
        ("Hidden\U000e0041\U000e0042", "Hidden"),  # tag characters (ASCII smuggling)
        ("bell\x07 escape\x1b[31m", "bell escape[31m"),
    ],
)
def test_controls_are_taken_out(given: str, read: str) -> None:
    assert readable(given) == read


@pytest.mark.parametrize(
    "text",
    [
        "Zażółć gęślą jaźń, Çağrı Öztürk, Seán Ó Briain",
        "👩\u200d💻 and 👨\u200d👩\u200d👧",  # emoji sequences keep their joiners
        "میخواهم\u200cبروم",  # a Persian non-joiner between letters
        f"Go {ENGLAND}!",  # a subdivision flag keeps its tags
        "two\nlines\tand a tab",
        "שלום עולם",  # right-to-left text itself is not a control
    ],
)
def test_readable_text_is_kept(text: str) -> None:
    assert readable(text) == text


def test_a_tor_is_read_without_controls() -> None:
    assert normalise("# Terms\r\n\r\nThe \u202echair\u202c decides.\r\n") == (
        "# Terms\n\nThe chair decides."
    )
