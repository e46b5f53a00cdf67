"""The ToR service: versions, a ratification's votes, reminders, closing and the export, with
the in-memory clock and messenger over a real database (SQLite; PostgreSQL where configured)."""

from __future__ import annotations

import csv
import io
import threading
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import docx
import pytest

from cards.tor import TorCards
from cards.views.common import LONDON
from cards.views.tor import Choice, Rules, Tally
from forum_ops.db import Database
from forum_ops.demo import demo_id, demo_members
from forum_ops.errors import ForumError, NotAllowed, UnknownRatification, UnreadableToR, VoteRefused
from forum_ops.members.model import Member
from forum_ops.members.reference import LOCAL_AUTHORITIES
from forum_ops.members.registry import upsert_members
from forum_ops.sandbox import Limits
from forum_ops.scheduler import JobRun
from forum_ops.tor import service as tor
from forum_ops.tor.ratification import check_choice, result
from forum_ops.tor.text import compare, read_tor_isolated
from tests.conftest import CAMDEN, LIIA, NOW
from tests.support.docxbomb import empty_paragraphs_docx
from tests.support.fakes import FakeClock, FakeMessenger
from tests.support.members import member

DRAFT = b"""# Purpose
The forum helps commissioners share what works.

# Membership
Commissioners from the 33 local authorities, the five ICBs and LIIA.
"""
REVISED = b"""# Purpose
The forum helps commissioners share what works and buy better together.

# Membership
Commissioners from the 33 local authorities, the five ICBs and LIIA.

# Year 1 focus
INMSS costs and specialist provision.
"""
DEADLINE = datetime(2026, 2, 6, 17, 0, tzinfo=LONDON)  # a Friday
RULES = Rules.of(0.5, 0.5)


@pytest.fixture
def forum(database: Database) -> Database:
    with database.transaction() as session:
        upsert_members(session, demo_members(), NOW)
    return database


def voter(db: Database, code: str, n: int = 1) -> Member:
    return member(db, demo_id(code, n))


def opened(db: Database, clock: FakeClock, fake: FakeMessenger) -> tor.Ballot:
    tor.add_version(db, clock, "test", "tor.md", DRAFT)
    report = tor.open_ratification(
        db, clock, member(db, LIIA), 1, DEADLINE, RULES, TorCards(), lambda s, n: fake
    )
    return report.ballot


def vote(
    db: Database,
    clock: FakeClock,
    fake: FakeMessenger,
    who: Member,
    ballot: tor.Ballot,
    choice: str,
    **data: object,
) -> tor.VoteOutcome:
    payload = {"ratification": ballot.ratification_id, "hash": ballot.content_hash}
    payload |= {"choice": choice} | data
    return tor.cast_vote(db, clock, who, tor.VoteRequest.of(payload), TorCards(), lambda s, n: fake)


# -- the rules --------------------------------------------------------------------------------


def test_quorum_is_at_least_half_the_boroughs_and_majority_more_than_half_of_counted_votes() -> (
    None
):
    assert RULES.boroughs_needed == 17  # 16.5 rounds up
    assert result(Tally(9, 8, 0), RULES).passed  # 17 voted, 9 of 17 approve as it stands
    assert not result(Tally(8, 8, 0), RULES).majority_met  # exactly half is not more than half
    assert not result(Tally(9, 7, 0), RULES).quorum_met  # 16 voted
    # abstentions count for the quorum, not for the majority
    assert result(Tally(2, 1, 14), RULES).passed
    assert not result(Tally(0, 0, 33), RULES).passed
    assert Rules.of(0.6, 0.66).boroughs_needed == 20
    assert Rules.of(0.5, 0.5).majority == Fraction(1, 2)


def test_amendments_need_a_comment_and_unknown_choices_are_refused() -> None:
    assert check_choice("amend", "  Section 5: add the ICBs  ") == (
        Choice.AMEND,
        "Section 5: add the ICBs",
    )
    with pytest.raises(VoteRefused, match="amendments"):
        check_choice("amend", "   ")
    with pytest.raises(VoteRefused):
        check_choice("reject", "")
    with pytest.raises(VoteRefused, match="at most"):
        check_choice("approve", "x" * 2001)


# -- versions ---------------------------------------------------------------------------------


def test_versions_are_hashed_text_and_the_same_text_twice_is_refused(forum: Database) -> None:
    clock = FakeClock(NOW)
    first = tor.add_version(forum, clock, "test", "tor.md", DRAFT)
    assert (first.number, first.title) == (1, "Purpose")
    with pytest.raises(ForumError, match="version 1 already"):
        tor.add_version(forum, clock, "test", "tor.txt", DRAFT.replace(b"\n", b"\r\n"))
    second = tor.add_version(forum, clock, "test", "tor-v2.md", REVISED)
    assert second.number == 2
    assert second.content_hash != first.content_hash
    status = tor.status(forum, clock)
    assert status.version == second
    assert status.previous == 1
    assert [(c.heading, c.change) for c in status.changes] == [
        ("Purpose", "changed"),
        ("Year 1 focus", "added"),
    ]
    assert (status.changes[0].words_added, status.changes[0].words_removed) == (5, 1)  # "works."


def test_a_word_document_is_read_with_its_headings(forum: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    document = docx.Document()
    document.add_heading("Purpose", level=1)
    document.add_paragraph("The forum helps commissioners share what works.")
    document.add_heading("Membership", level=1)
    document.add_paragraph("Commissioners from the 33 local authorities, the five ICBs and LIIA.")
    path = tmp_path / "tor.docx"
    document.save(str(path))
    version = tor.add_version(forum, FakeClock(NOW), "test", "tor.docx", path.read_bytes())
    with pytest.raises(ForumError, match="already"):  # the same words as the .md: one version
        tor.add_version(forum, FakeClock(NOW), "test", "tor.md", DRAFT)
    assert version.title == "Purpose"
    with pytest.raises(UnreadableToR, match="Word document"):
        tor.add_version(forum, FakeClock(NOW), "test", "bad.docx", b"PK not really a zip")
    with pytest.raises(UnreadableToR, match=r"\.docx, \.md or \.txt"):
        tor.add_version(forum, FakeClock(NOW), "test", "tor.pdf", b"%PDF")


def test_a_word_document_is_parsed_in_the_sandbox_within_its_limits() -> None:
    """3 MB of empty paragraphs pass the size checks and take python-docx seconds: the reading
    runs in a child process that is stopped at its time limit, not in the bot."""
    swollen = empty_paragraphs_docx(3 * 2**20)
    with pytest.raises(UnreadableToR, match="cannot be read safely: it took longer than 1 s"):
        read_tor_isolated("tor.docx", swollen, Limits(seconds=1.0))


def test_a_word_document_unpacking_to_50_mb_is_refused_unparsed(forum: Database) -> None:
    bomb = empty_paragraphs_docx(50 * 2**20)
    with pytest.raises(UnreadableToR, match="unpacks to 51 MB in 17 parts"):
        tor.add_version(forum, FakeClock(NOW), "test", "tor.docx", bomb)
    assert tor.status(forum, FakeClock(NOW)).version is None


def test_only_the_secretariat_adds_versions(forum: Database) -> None:
    with pytest.raises(NotAllowed):
        tor.add_version_by(forum, FakeClock(NOW), member(forum, CAMDEN), "tor.md", DRAFT)


def test_sections_compare_by_heading_not_by_line() -> None:
    changes = compare(DRAFT.decode(), "# Membership\nAll 33.\n")
    assert [(c.heading, c.change) for c in changes] == [
        ("Membership", "changed"),
        ("Purpose", "removed"),
    ]


# -- opening and voting -----------------------------------------------------------------------


def test_opening_sends_the_card_to_the_channel_and_every_borough_member(forum: Database) -> None:
    clock, fake = FakeClock(NOW), FakeMessenger(members={demo_id("202", 1), demo_id("QMJ", 1)})
    ballot = opened(forum, clock, fake)
    assert [s.to for s in fake.sent] == ["channel", f"member:{demo_id('202', 1)}"]
    assert ballot.open
    assert ballot.tally.voted == 0
    assert len(ballot.not_voted) == 33
    with pytest.raises(ForumError, match="open already"):
        tor.open_ratification(
            forum, clock, member(forum, LIIA), 1, DEADLINE, RULES, TorCards(), lambda s, n: fake
        )
    with pytest.raises(NotAllowed):
        tor.open_ratification(
            forum, clock, member(forum, CAMDEN), 1, DEADLINE, RULES, TorCards(), lambda s, n: fake
        )


def test_one_vote_per_borough_the_latest_stands_and_the_card_is_updated(forum: Database) -> None:
    clock, fake = FakeClock(NOW), FakeMessenger()
    ballot = opened(forum, clock, fake)
    first = vote(forum, clock, fake, voter(forum, "202", 1), ballot, "approve")
    assert first.refused == ""
    assert first.ballot.tally.approve == 1
    clock.advance(timedelta(hours=1))
    second = vote(
        forum, clock, fake, voter(forum, "202", 2), ballot, "amend", comment="Add the ICBs"
    )
    assert (second.ballot.tally.voted, second.ballot.tally.amend) == (1, 1)
    standing = second.ballot.vote_of("202")
    assert standing is not None
    assert standing.cast_at == NOW + timedelta(hours=1)
    assert standing.cast_by == voter(forum, "202", 2).name
    updates = [s for s in fake.sent if s.operation == "update"]
    assert [u.key for u in updates] == ["tor:1:tally:1", "tor:1:tally:2"]
    assert all(u.to == "channel" for u in updates)  # the channel's card, in place


@pytest.mark.parametrize(
    ("who", "data", "reason"),
    [
        (("202", 1), {"borough": "203"}, "only for your own borough"),
        (("202", 1), {"hash": "0" * 64}, "different text"),
        (("QMJ", 1), {}, "ICBs and LIIA do not vote"),
    ],
)
def test_forged_votes_are_refused_and_change_nothing(
    forum: Database, who: tuple[str, int], data: dict[str, object], reason: str
) -> None:
    clock, fake = FakeClock(NOW), FakeMessenger()
    ballot = opened(forum, clock, fake)
    outcome = vote(forum, clock, fake, voter(forum, *who), ballot, "approve", **data)
    assert reason in outcome.refused
    assert outcome.ballot.tally.voted == 0
    assert tor.view_ballot(forum, clock, ballot.ratification_id).tally.voted == 0
    assert not [s for s in fake.sent if s.operation == "update"]


def test_after_the_deadline_and_unknown_ratifications_are_refused(forum: Database) -> None:
    clock, fake = FakeClock(NOW), FakeMessenger()
    ballot = opened(forum, clock, fake)
    clock.at = DEADLINE.astimezone(UTC)
    late = vote(forum, clock, fake, voter(forum, "202"), ballot, "approve")
    assert "closed" in late.refused
    assert late.ballot.tally.voted == 0
    with pytest.raises(UnknownRatification):
        tor.cast_vote(
            forum, clock, voter(forum, "202"),
            tor.VoteRequest.of({"ratification": 99, "choice": "approve"}),
            TorCards(), lambda s, n: fake,
        )  # fmt: skip
    with pytest.raises(UnknownRatification):
        tor.ratification_id({"x": 1})


def test_33_boroughs_voting_at_once_with_a_second_member_of_10_leave_33_votes(
    any_database: Database,
) -> None:
    with any_database.transaction() as session:
        upsert_members(session, demo_members(), NOW)
    clock, fake = FakeClock(NOW), FakeMessenger()
    ballot = opened(any_database, clock, fake)
    voters = [voter(any_database, la.code, 1) for la in LOCAL_AUTHORITIES]
    voters += [voter(any_database, la.code, 2) for la in LOCAL_AUTHORITIES[:10]]
    lock = threading.Lock()
    errors: list[BaseException] = []

    def cast(who: Member, choice: str) -> None:
        try:
            messenger = FakeMessenger()
            with lock:
                messenger.sent = fake.sent  # the channel card's key is known to every thread
            vote(any_database, clock, messenger, who, ballot, choice, comment="Tidy section 4")
        except BaseException as error:
            errors.append(error)

    choices = ["approve"] * 33 + ["amend"] * 10
    threads = [
        threading.Thread(target=cast, args=(w, c)) for w, c in zip(voters, choices, strict=False)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    final = tor.view_ballot(any_database, clock, ballot.ratification_id)
    assert final.tally.voted == 33
    assert len(final.votes) == 33
    assert final.tally.approve + final.tally.amend == 33
    with any_database.transaction() as session:
        from sqlalchemy import func, select

        from forum_ops.db.schema import TorVoteEventRow, TorVoteRow

        assert session.scalar(select(func.count()).select_from(TorVoteRow)) == 33
        assert session.scalar(select(func.count()).select_from(TorVoteEventRow)) == 43
        for la in LOCAL_AUTHORITIES[:10]:  # the later of the borough's two votes stands
            last = session.scalars(
                select(TorVoteEventRow)
                .where(TorVoteEventRow.borough == la.code)
                .order_by(TorVoteEventRow.id.desc())
            ).first()
            standing = session.get(TorVoteRow, (ballot.ratification_id, la.code))
            assert last is not None
            assert standing is not None
            assert (standing.choice, standing.cast_by) == (last.choice, last.cast_by)


# -- reminders, closing, export ---------------------------------------------------------------


def run_at(when: datetime, fake: FakeMessenger, key: str = "job") -> JobRun:
    return JobRun("job", f"{key}@{when.isoformat()}", when.astimezone(UTC), when, 1, fake)


def test_reminders_go_to_members_of_boroughs_that_have_not_voted(forum: Database) -> None:
    clock = FakeClock(NOW)
    everyone = {m.aad_object_id for m in demo_members()}
    fake = FakeMessenger(members=everyone)
    ballot = opened(forum, clock, fake)
    for la in LOCAL_AUTHORITIES[:20]:
        vote(forum, clock, fake, voter(forum, la.code), ballot, "approve")
    before = len(fake.sent)
    with forum.transaction() as session:  # not a reminder day
        tor.send_reminders(
            session, run_at(datetime(2026, 2, 2, 9, tzinfo=LONDON), fake), TorCards()
        )
    assert len(fake.sent) == before
    three_days = datetime(2026, 2, 3, 9, tzinfo=LONDON)  # Tuesday: 3 working days before Friday
    with forum.transaction() as session:
        tor.send_reminders(session, run_at(three_days, fake), TorCards())
    reminded = {s.to.removeprefix("member:") for s in fake.sent[before:]}
    expected = {demo_id(la.code, n) for la in LOCAL_AUTHORITIES[20:] for n in (1, 2)}
    assert reminded == expected  # 13 boroughs x 2 members, none of a borough that voted
    assert all(s.purpose == "reminder" for s in fake.sent[before:])
    with forum.transaction() as session:  # the deadline's morning
        tor.send_reminders(
            session, run_at(datetime(2026, 2, 6, 9, tzinfo=LONDON), fake), TorCards()
        )
    assert len(fake.sent) == before + 2 * 26


def test_closing_posts_the_result_once_and_ratifies_the_version(forum: Database) -> None:
    clock, fake = FakeClock(NOW), FakeMessenger(members={LIIA})
    ballot = opened(forum, clock, fake)
    for i, la in enumerate(LOCAL_AUTHORITIES[:18]):
        choice = "amend" if i < 3 else "approve"
        vote(forum, clock, fake, voter(forum, la.code), ballot, choice, comment=f"=cmd|{i}")
    after = DEADLINE.astimezone(UTC) + timedelta(minutes=3)
    for _ in range(2):
        with forum.transaction() as session:
            tor.close_due(session, run_at(after, fake), TorCards())
    results = [s for s in fake.sent if s.key == "tor:1:result"]
    assert len(results) == 1
    assert "Ratified" in results[0].fallback
    assert [s.key for s in fake.sent if s.key.startswith("tor:1:final")] == ["tor:1:final"]
    assert [s.to for s in fake.sent if ":amendments:" in s.key] == [f"member:{LIIA}"]
    status = tor.status(forum, clock)
    assert status.version is not None
    assert status.version.ratified_at == after
    assert status.ballot is not None
    assert status.ballot.result is not None
    assert status.ballot.result.passed
    exported = tor.export_votes(forum, 1).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[0] == list(tor.EXPORT_HEADER)
    assert len(rows) == 19
    assert rows[1][4] == "'=cmd|0"  # a formula typed as a comment is neutralised


def test_the_report_figures_count_the_period_and_show_the_latest_tally(forum: Database) -> None:
    clock, fake = FakeClock(NOW), FakeMessenger()
    ballot = opened(forum, clock, fake)
    vote(forum, clock, fake, voter(forum, "202"), ballot, "abstain")
    with forum.transaction() as session:
        figures = tor.ratification_figures(session, NOW - timedelta(days=1), NOW + timedelta(1))
        empty = tor.ratification_figures(session, NOW - timedelta(days=9), NOW - timedelta(1))
    assert (figures.versions_added, figures.ratifications_opened) == (1, 1)
    assert (figures.latest_status, figures.voted, figures.abstain, figures.not_voted) == (
        "open",
        1,
        1,
        32,
    )
    assert (empty.latest_status, empty.versions_added) == ("none", 0)


def test_forumbot_tor_add_and_votes_export(tmp_path: Path) -> None:
    from tests.support.cli import forumbot

    assert forumbot(tmp_path, "db", "upgrade").returncode == 0
    (tmp_path / "tor.md").write_bytes(DRAFT)
    added = forumbot(tmp_path, "tor", "add", "tor.md")
    assert added.returncode == 0, added.stderr
    assert "ToR version 1 added: Purpose" in added.stdout
    again = forumbot(tmp_path, "tor", "add", "tor.md")
    assert again.returncode == 1
    assert "version 1 already" in again.stderr
    exported = forumbot(tmp_path, "tor", "votes", "1", "--out", "votes.csv")
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "votes.csv").read_bytes().startswith(b'\xef\xbb\xbf"borough"')
    assert forumbot(tmp_path, "tor", "votes", "9").returncode == 1


def test_the_demo_draft_tor_has_the_year_1_headings(forum: Database) -> None:
    from forum_ops.tor.demo import load_demo_tor
    from forum_ops.tor.text import sections

    version = load_demo_tor(forum, NOW)
    assert version is not None
    assert load_demo_tor(forum, NOW) is None
    with forum.transaction() as session:
        from forum_ops.db.schema import TorVersionRow

        text = session.get_one(TorVersionRow, 1).text
    assert [s.heading for s in sections(text)][1:] == [
        "Purpose",
        "Background",
        "Activity and Responsibilities",
        "Year 1 focus",
        "Membership",
        "Agendas and Forward Plan",
        "Network Support and Logistics",
    ]
