"""Which words with a file name the ask it answers, and the OneDrive link as a card can open it."""

from __future__ import annotations

import pytest

from forum_ops.asks.files import file_link, named, reply_text
from forum_ops.errors import ForumError


@pytest.mark.parametrize(
    ("said", "ask", "rest"),
    [
        ("reply 12", "12", ""),
        ("Reply to ask 12: ours, signed off", "12", "ours, signed off"),
        ("reply to #7 - see section 4", "7", "see section 4"),
        ("ask #3 here it is", "3", "here it is"),
        ("ask 3: here it is", "3", "here it is"),
        ("ask12", "12", ""),
    ],
)
def test_the_ask_named_with_the_file(said: str, ask: str, rest: str) -> None:
    assert named(said, claimed=False) == (ask, rest)


@pytest.mark.parametrize(
    "said",
    [
        "2025-26",
        "our return 2025-26",
        "replying soon 12",
        "asks 12",
        "Ask 12 raised this: clause 4 reworded",
        "Ask 2025-26 return",
    ],
)
def test_words_that_name_no_ask(said: str) -> None:
    assert named(said, claimed=False) is None


def test_a_return_or_tor_file_answers_an_ask_only_when_told_reply() -> None:
    assert named("ask #12 clause 4 reworded", claimed=True) is None
    assert named("ask 12", claimed=True) is None
    assert named("reply 12 the version we signed", claimed=True) == ("12", "the version we signed")


def test_the_link_is_encoded_once_and_a_missing_one_is_refused() -> None:
    place = "https://x-my.sharepoint.com/personal/a/Documents/Microsoft Teams Chat Files/S75 é.docx"
    kept = file_link(place)
    assert kept == (
        "https://x-my.sharepoint.com/personal/a/Documents/Microsoft%20Teams%20Chat%20Files/"
        "S75%20%C3%A9.docx"
    )
    assert file_link(kept) == kept
    for name, encoded in (("S75 #2 draft.docx", "S75%20%232%20draft.docx"),
                          ("Uplift 10%.docx", "Uplift%2010%25.docx")):  # fmt: skip
        assert file_link(f"https://x-my.sharepoint.com/{name}").endswith("/" + encoded)
        assert file_link(file_link(f"https://x-my.sharepoint.com/{name}")).endswith(encoded)
    with pytest.raises(ForumError, match="no link to that file"):
        file_link("  ")


def test_the_reply_says_the_words_then_the_file() -> None:
    assert reply_text("", "Draft  S75.docx") == "File: Draft S75.docx"
    assert reply_text("Ours", "a.docx") == "Ours\n\nFile: a.docx"
