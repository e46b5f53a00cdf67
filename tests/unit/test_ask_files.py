"""Which words with a file name the ask it answers, and the OneDrive link as a card can open it."""

from __future__ import annotations

import pytest

from forum_ops.ask_files import NAMED, file_link, reply_text
from forum_ops.errors import ForumError


@pytest.mark.parametrize(
    ("said", "ask", "rest"),
    [
        ("reply 12", "12", ""),
        ("Reply to ask 12: ours, signed off", "12", "ours, signed off"),
        ("reply to #7 - see section 4", "7", "see section 4"),
        ("ask #3 here it is", "3", "here it is"),
        ("ask12", "12", ""),
    ],
)
def test_the_ask_named_with_the_file(said: str, ask: str, rest: str) -> None:
    found = NAMED.match(said)
    assert found is not None
    assert (found.group(1), said[found.end() :].strip()) == (ask, rest)


@pytest.mark.parametrize("said", ["2025-26", "our return 2025-26", "replying soon 12", "asks 12"])
def test_words_that_name_no_ask(said: str) -> None:
    assert NAMED.match(said) is None


def test_the_link_is_encoded_once_and_a_missing_one_is_refused() -> None:
    place = "https://x-my.sharepoint.com/personal/a/Documents/Microsoft Teams Chat Files/S75 é.docx"
    kept = file_link(place)
    assert kept == (
        "https://x-my.sharepoint.com/personal/a/Documents/Microsoft%20Teams%20Chat%20Files/"
        "S75%20%C3%A9.docx"
    )
    assert file_link(kept) == kept
    with pytest.raises(ForumError, match="no link to that file"):
        file_link("  ")


def test_the_reply_says_the_words_then_the_file() -> None:
    assert reply_text("", "Draft  S75.docx") == "File: Draft S75.docx"
    assert reply_text("Ours", "a.docx") == "Ours\n\nFile: a.docx"
