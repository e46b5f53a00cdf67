"""The ToR's cards: Adaptive Card 1.5, under 28 KB with every borough voted and 60 own views,
every Action.Execute with an Action.Submit fallback of the same effect, user text literal."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cards import plain_text
from cards.tor import TorCards, added_card, opened_card, status_card
from cards.views.tor import Choice, Result, Rules, SectionChange, Tally
from forum_ops.members.reference import LOCAL_AUTHORITIES
from forum_ops.tor.service import Ballot, BoroughVote, OpenReport, TorStatus, VersionInfo
from tests.support.cardcheck import assert_valid_card, card_texts

NOW = datetime(2026, 1, 22, 10, 0, tzinfo=UTC)
HOSTILE = 'Pri"ya \\ *Shah* _x_ [x](y) <at>Bot</at> 🎉 ' + "z" * 300


def ballot(*, open_: bool = True, voted: int = 33, passed: bool | None = None) -> Ballot:
    choices = [Choice.APPROVE, Choice.AMEND, Choice.ABSTAIN]
    votes = tuple(
        BoroughVote(la.code, la.name, choices[i % 3], HOSTILE * 5, HOSTILE, NOW)
        for i, la in enumerate(LOCAL_AUTHORITIES[:voted])
    )
    tally = Tally.of(v.choice for v in votes)
    return Ballot(
        ratification_id=7,
        version=2,
        title=HOSTILE,
        content_hash="ab" * 32,
        deadline=NOW + timedelta(days=10),
        open=open_,
        rules=Rules.of(0.5, 0.5),
        tally=tally,
        result=None if passed is None else Result(True, passed),
        votes=votes,
        not_voted=tuple(la.name for la in LOCAL_AUTHORITIES[voted:]),
        refresh_user_ids=tuple(f"29:{'x' * 80}{n}" for n in range(60)),
        borough_names={la.code: la.name for la in LOCAL_AUTHORITIES},
    )


def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


@pytest.mark.parametrize(
    ("name", "card"),
    [
        ("shared, all voted", TorCards().ballot(ballot())),
        ("own view", TorCards().ballot(ballot(voted=12), "202")),
        ("refused", TorCards().ballot(ballot(voted=0), "202", "You can vote only for " + HOSTILE)),
        ("reminder", TorCards().reminder(ballot(voted=20), "209", "today")),
        ("closed, passed", TorCards().ballot(ballot(open_=False, passed=True), "202")),
        ("closed, failed", TorCards().ballot(ballot(open_=False, voted=5, passed=False))),
        ("result post", TorCards().result(ballot(open_=False, passed=True))),
        ("amendments", TorCards().amendments(ballot(open_=False, passed=True))),
    ],
)
def test_every_tor_card_validates_and_stays_under_28_kb(name: str, card: Any) -> None:
    assert_valid_card(card.content)
    for execute in actions(card.content):
        fallback = execute.get("fallback")
        if execute is card.content.get("refresh", {}).get("action"):
            continue  # the refresh runs no vote; clients without it show the card as sent
        assert fallback is not None, name
        assert fallback["type"] == "Action.Submit", name
        assert fallback["data"] == execute["data"]
        assert execute["data"]["verb"] == execute["verb"]


def test_the_vote_card_refreshes_for_at_most_60_users_and_shows_who_voted() -> None:
    card = TorCards().ballot(ballot(voted=12), "202").content
    refresh = card["refresh"]
    assert len(refresh["userIds"]) == 60
    assert refresh["action"]["verb"] == "tor.view"
    assert refresh["action"]["data"] == {"verb": "tor.view", "ratification": 7}
    votes = [a for a in actions(card) if a["verb"] == "tor.vote"]
    assert [a["data"]["choice"] for a in votes] == ["approve", "amend", "abstain"]
    assert all(a["data"]["borough"] == "202" and a["data"]["hash"] == "ab" * 32 for a in votes)
    texts = "\n".join(card_texts(card))
    assert "Camden's vote: Approve with amendments, cast by" in texts
    assert "Thursday 22 January 2026, 10:00" in texts  # when, the British way
    assert "12 of 33 (quorum 17)" in texts
    shared = TorCards().ballot(ballot(voted=12)).content
    assert all("borough" not in a["data"] for a in actions(shared) if a["verb"] == "tor.vote")


def test_a_closed_ratification_takes_no_votes_and_says_its_result() -> None:
    card = TorCards().ballot(ballot(open_=False, voted=5, passed=False)).content
    # the refresh, and Read (the text stays readable after the vote)
    assert [a["verb"] for a in actions(card)] == ["tor.view", "tor.read"]
    assert any(t.startswith("Not ratified: approval as it stands") for t in card_texts(card))


def test_the_status_and_notice_cards_validate() -> None:
    version = VersionInfo(2, HOSTILE, "cd" * 32, "tor.docx", NOW, None)
    changes = tuple(SectionChange(f"Section {n} {HOSTILE}", "changed", n, 1) for n in range(40))
    for card in (
        status_card(TorStatus(version, 1, changes, ballot(voted=12)), secretariat=True),
        status_card(TorStatus(version, None, (), None), secretariat=True),
        status_card(TorStatus(None, None, (), None), secretariat=False),
        added_card(version),
        opened_card(OpenReport(ballot(voted=0), True, 66, 0)),
    ):
        assert_valid_card(card.content)


def test_33_amendments_of_2000_characters_still_fit() -> None:
    closed = ballot(open_=False, passed=False)
    amended = tuple(
        dataclasses.replace(v, choice=Choice.AMEND, comment="w" * 2000, cast_by="n" * 200)
        for v in closed.votes
    )
    worst = dataclasses.replace(closed, votes=amended)
    version = VersionInfo(2, HOSTILE, "cd" * 32, "tor.docx", NOW, None)
    for card in (
        TorCards().amendments(worst),
        TorCards().ballot(worst),
        TorCards().result(worst),
        status_card(TorStatus(version, 1, (), worst), secretariat=True),
    ):
        assert_valid_card(card.content)


def test_the_ballot_states_its_rules_as_people_do() -> None:
    """Read at 500 px: "50.0 %" and "abstentions not counted" made the rule hard to read."""
    text = plain_text(TorCards().ballot(ballot(voted=3)).content)
    assert "17 boroughs vote (50\u00a0%), and more than 50\u00a0% of the votes cast approve" in text
    assert "50.0" not in text
    two_thirds = dataclasses.replace(ballot(voted=3), rules=Rules.of(2 / 3, 0.5))
    assert "(66.7\u00a0%)" in plain_text(TorCards().ballot(two_thirds).content)


def test_tor_names_the_version_once_and_says_when_votes_close() -> None:
    """The ratification line repeated the version's title under the version's own line."""
    version = VersionInfo(2, "Forum ToR, Year 2", "cd" * 32, "tor.docx", NOW, None)
    shown = dataclasses.replace(ballot(voted=3), title=version.title)
    text = plain_text(status_card(TorStatus(version, None, (), shown), False).content)
    assert text.count("Forum ToR, Year 2") == 1
    assert "Ratification open: votes close Sunday 1 February 2026, 10:00." in text
    assert "Votes so far" in text


def test_the_ballot_with_every_change_and_the_longest_tor_read_page_by_page_fit_teams() -> None:
    """The ballot names what changed by section number (no content hash); Read shows a
    100,000-character ToR (the most a version can be) page by page, every page under 28 KB."""
    from cards.render import MAX_CARD_BYTES
    from cards.tor import read_pages, reading_card
    from cards.views.tor import TorReading
    from forum_ops.tor.text import numbered_sections, removed_sections

    changes = tuple(
        SectionChange(f"Section {n} {HOSTILE}", "changed", n, 1, n) for n in range(1, 41)
    )
    card = TorCards().ballot(dataclasses.replace(ballot(), previous=1, changes=changes))
    assert card.size <= MAX_CARD_BYTES
    text = plain_text(card.content)
    assert "What changed since version 1:" in text
    assert "§1 Section 1" in text
    assert "and 30 more: Read shows each change" in text
    assert "ab" * 6 not in text  # the hash is the buttons' check, not something to read
    old = "\n\n".join(f"# Part {n}\n" + ("word " * 60 + "\n") * 25 for n in range(60))
    new = old.replace("Part 7\n" + "word " * 3, "Part 7\nnew words here " + "word " * 3, 1)
    new = new.replace("# Part 59", "# Part 60") + "\n" + "ü" * 5000  # one long line
    version = VersionInfo(2, HOSTILE, "cd" * 32, "tor.docx", NOW, None)
    reading = TorReading(version, 1, numbered_sections(new, old), removed_sections(new, old), 7)
    pages = read_pages(reading, 12_000)
    assert len(pages) > 5
    for page in range(1, len(pages) + 1):
        shown = reading_card(reading, page)
        assert_valid_card(shown.content)
        assert shown.size <= MAX_CARD_BYTES
    every = "\n".join(
        plain_text(reading_card(reading, n).content) for n in range(1, len(pages) + 1)
    )
    assert "§8 Part 7 (changed since version 1)\n" in every
    assert "Added: “new words here”" in every
    assert "§1 Part 0\n" in every
    assert f"Page {len(pages)} of {len(pages)}" in every
    last = plain_text(reading_card(reading, 999).content)  # past the end: the last page
    assert "Removed since version 1: Part 59." in last
    verbs = [a["verb"] for a in actions(reading_card(reading, 2).content)]
    assert verbs == ["tor.read", "tor.read", "tor.view"]
