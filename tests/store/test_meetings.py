"""The forward plan: Year 1 seed, the 8-week cadence and its warnings, dates as people type them,
the secretariat's edits and import, chairs, and the quarterly report's figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from cards import render_card
from cards.meetings import meetings_view
from cards.views.common import LONDON
from forum_ops.dates import london_moment, parse_day, parse_time, split_day_and_time
from forum_ops.db import Database
from forum_ops.db.schema import MeetingRow
from forum_ops.demo import demo_members
from forum_ops.errors import BadDate, ForumError, ImportRejected, NoMeetingThatDay, NotAllowed
from forum_ops.meetings.demo import load_demo_meetings
from forum_ops.meetings.plan import warnings_for
from forum_ops.meetings.service import (
    chair,
    chair_suggestions,
    edit_plan,
    extend_plan,
    import_plan,
    list_meetings,
    meeting_figures,
    seed_year_one,
)
from forum_ops.members.model import Role
from forum_ops.members.registry import MemberRecord, upsert_members
from tests.conftest import CAMDEN, LIIA
from tests.support.cardcheck import assert_valid_card, card_texts
from tests.support.cli import forumbot
from tests.support.fakes import FakeClock
from tests.support.members import member

DEC_2025 = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)
TODAY = date(2026, 1, 5)  # a Monday
HACKNEY = "22222222-3333-4444-8555-666666666666"


@pytest.fixture
def planned(database: Database) -> Database:
    with database.transaction() as session:
        seed_year_one(session, DEC_2025)
        upsert_members(
            session,
            [
                MemberRecord(
                    HACKNEY, "Jo Reid", "jo@hackney.example", "204", frozenset({Role.MEMBER}), ()
                )
            ],
            DEC_2025,
        )
    return database


def test_dates_are_read_as_people_type_them() -> None:
    assert parse_day("22 Jan", TODAY) == date(2026, 1, 22)
    assert parse_day("22nd January 2026", TODAY) == date(2026, 1, 22)
    assert parse_day("Thursday 22 January 2026", TODAY) == date(2026, 1, 22)
    assert parse_day("22/01/2026", TODAY) == date(2026, 1, 22)
    assert parse_day("22/1/26", TODAY) == date(2026, 1, 22)
    assert parse_day("2026-01-22", TODAY) == date(2026, 1, 22)
    assert parse_day("Thursday", TODAY) == date(2026, 1, 8)  # the coming one
    assert parse_day("monday", TODAY) == TODAY
    assert parse_day("20 Nov", TODAY) == date(2025, 11, 20)  # the nearest 20 November
    assert split_day_and_time("22 Jan 2026 14:30", TODAY) == (date(2026, 1, 22), time(14, 30))
    assert split_day_and_time("22 Jan 2026", TODAY) == (date(2026, 1, 22), None)
    assert parse_time("2:30pm") == time(14, 30)
    for bad in ("31/02/2026", "sometime", "22 Smarch", ""):
        with pytest.raises(BadDate):
            parse_day(bad, TODAY)
    with pytest.raises(BadDate):
        parse_time("25:00")


def test_a_time_the_clocks_skip_is_refused_and_a_repeated_one_is_its_first_passing() -> None:
    with pytest.raises(BadDate, match="clocks go forward"):
        london_moment(date(2026, 3, 29), time(1, 30))
    assert london_moment(date(2026, 3, 29), time(2, 30)).astimezone(UTC).hour == 1
    autumn = london_moment(date(2026, 10, 25), time(1, 30))
    assert autumn.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # BST, first


def test_warnings_name_bank_holidays_next_to_the_day_and_the_christmas_break() -> None:
    assert warnings_for(date(2026, 5, 14)) == ()
    assert warnings_for(date(2026, 5, 26)) == (
        "the day after a bank holiday (Spring Bank Holiday)",
    )
    assert warnings_for(date(2026, 4, 3))[0].startswith("on a bank holiday (Good Friday)")
    assert "in the Christmas break" in warnings_for(date(2026, 12, 29))


def test_the_plan_is_year_one_then_every_8_weeks(planned: Database) -> None:
    now = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
    found = list_meetings(planned, FakeClock(now))
    assert [m.day for m in found[:4]] == [
        date(2026, 1, 22),
        date(2026, 3, 19),
        date(2026, 5, 14),
        date(2026, 7, 9),
    ]
    assert found[4].day == date(2026, 9, 3)  # 8 weeks after 9 July
    assert found[0].number == 2  # the launch was the first
    assert found[0].starts_at == datetime(2026, 1, 22, 10, 0, tzinfo=LONDON)
    assert found[0].theme == "INMSS Top-10 pilot and cost drivers"
    with planned.transaction() as session:
        assert seed_year_one(session, DEC_2025) == 0  # again: nothing new
    card = render_card("meetings", meetings_view(found))
    assert_valid_card(card.content)
    texts = card_texts(card.content)
    assert "Thursday 22 January 2026, 10:00 (90 minutes)" in texts
    assert "planned; not scheduled yet, so no invitation or Teams link yet" in texts


def test_the_cadence_moves_off_christmas_and_bank_holidays_and_keeps_its_rhythm(
    planned: Database,
) -> None:
    """It put a meeting on Christmas Eve 2026 with only a grey note. Now a cadence day in the
    Christmas break, or on or next to a bank holiday, moves to the same weekday a week
    earlier, and the meetings after it stay on the 8-week rhythm from 9 July 2026; across
    four years of the cycle extending the plan, no cadence meeting has a warning."""
    later = datetime(2026, 12, 1, tzinfo=UTC)
    with planned.transaction() as session:
        assert extend_plan(session, later) == 7  # the cycle keeps a year ahead: to Dec 2027
    found = list_meetings(planned, FakeClock(later))
    assert date(2026, 12, 24) not in [m.day for m in found]
    christmas = next(m for m in found if m.day == date(2026, 12, 17))  # a week before
    assert christmas.warnings == ()
    assert christmas.theme == ""
    assert found[found.index(christmas) + 1].day == date(2027, 2, 18)  # 8 weeks after the 24th
    now = later
    with planned.transaction() as session:
        while now < datetime(2030, 12, 1, tzinfo=UTC):  # the cycle, run once a month
            now += timedelta(days=30)
            extend_plan(session, now)
        rows = session.scalars(
            select(MeetingRow).where(MeetingRow.day > "2026-07-09").order_by(MeetingRow.day)
        ).all()
    days = [date.fromisoformat(r.day) for r in rows]
    assert days[-1] >= date(2031, 11, 1)  # a year ahead of the last run
    assert all(warnings_for(d) == () for d in days), [d for d in days if warnings_for(d)]
    moved = [d for d in days if (d - date(2026, 7, 9)).days % 56]
    assert moved  # some days moved off a holiday (Christmas 2026 at least) ...
    for day in days:  # ... each by whole weeks from its place on the rhythm, never drifting
        offset = (day - date(2026, 7, 9)).days % 56
        assert offset in (0, 56 - 7, 56 - 14, 7, 14), day
    assert all(d.weekday() == 3 for d in days)  # Thursdays, as the forum meets


def test_a_cadence_meeting_planned_on_christmas_eve_moves_while_nothing_hangs_on_it(
    planned: Database,
) -> None:
    """Plans made before the rule had Thursday 24 December 2026: the cycle moves it to the
    17th while it is unbooked, unchaired and more than 4 weeks away; a chaired one stays."""
    with planned.transaction() as session:
        for day in ("2026-12-24", "2027-12-23"):
            session.add(
                MeetingRow(
                    day=day, starts_at=datetime.fromisoformat(f"{day}T10:00:00+00:00"),
                    minutes=90, theme="To be decided", status="planned", origin="cadence",
                    booking="", created_at=DEC_2025, updated_at=DEC_2025,
                    chair_aad=CAMDEN if day == "2027-12-23" else None,
                )
            )  # fmt: skip
    with planned.transaction() as session:
        extend_plan(session, datetime(2026, 10, 1, tzinfo=UTC))
        days = set(session.scalars(select(MeetingRow.day)))
    assert "2026-12-24" not in days
    assert "2026-12-17" in days
    assert "2027-12-23" in days  # it has a chair: the secretariat decides
    found = list_meetings(planned, FakeClock(datetime(2026, 12, 1, tzinfo=UTC)))
    assert next(m for m in found if m.day == date(2026, 12, 17)).theme == ""  # not a placeholder


def test_the_secretariat_adds_moves_cancels_and_rethemes(planned: Database) -> None:
    clock = FakeClock(datetime(2026, 1, 10, 9, 0, tzinfo=UTC))
    sam = member(planned, LIIA)
    added = edit_plan(planned, clock, sam, "add 26 Feb 2026 14:00: Short breaks")
    assert (added.meeting.starts_at, added.meeting.theme) == (
        datetime(2026, 2, 26, 14, 0, tzinfo=LONDON),
        "Short breaks",
    )
    moved = edit_plan(planned, clock, sam, "move 26 Feb to 5 March 2026 09:30")
    assert moved.meeting.starts_at == datetime(2026, 3, 5, 9, 30, tzinfo=LONDON)
    assert moved.calendar == ""  # nothing booked yet
    edit_plan(planned, clock, sam, "theme 5/3/2026: Transport")
    cancelled = edit_plan(planned, clock, sam, "cancel 5 March 2026")
    assert (cancelled.meeting.status, cancelled.meeting.theme) == ("cancelled", "Transport")
    with pytest.raises(NotAllowed):
        edit_plan(planned, clock, member(planned, CAMDEN), "cancel 22 Jan")
    with pytest.raises(NoMeetingThatDay) as none:
        edit_plan(planned, clock, sam, "cancel 23 Jan")
    assert none.value.meetings[0].day == date(2026, 1, 22)
    with pytest.raises(BadDate, match="clocks go forward"):
        edit_plan(planned, clock, sam, "add 29 March 2026 01:30")


def test_a_plan_file_is_imported_whole_or_not_at_all(planned: Database) -> None:
    now = datetime(2026, 1, 10, tzinfo=UTC)
    with pytest.raises(ImportRejected) as rejected:
        import_plan(planned, "date,time,theme\n22/01/2026,10:00,Fine\n30/02/2026,10:00,Bad\n", now)
    assert [p.line for p in rejected.value.problems] == [3]
    assert list_meetings(planned, FakeClock(now))[0].theme == "INMSS Top-10 pilot and cost drivers"
    added, updated = import_plan(
        planned, "\ufeffdate,time,theme\n22/01/2026,11:00,Top 10\n10/12/2026,10:00,Year 2\n", now
    )
    assert (added, updated) == (1, 1)
    first = list_meetings(planned, FakeClock(now))[0]
    assert (first.starts_at.astimezone(LONDON).hour, first.theme) == (11, "Top 10")


def test_one_chair_per_meeting_and_the_secretariat_assigns_or_releases(planned: Database) -> None:
    clock = FakeClock(datetime(2026, 1, 10, tzinfo=UTC))
    priya, jo, sam = member(planned, CAMDEN), member(planned, HACKNEY), member(planned, LIIA)
    taken = chair(planned, clock, priya, "22 Jan")
    assert taken.meeting.chair is not None
    assert taken.meeting.chair.organisation == "Camden"
    with pytest.raises(ForumError, match="chairs that meeting already"):
        chair(planned, clock, jo, "22/01/2026")
    with pytest.raises(NotAllowed):
        chair(planned, clock, jo, "22 Jan release")
    with pytest.raises(NotAllowed):
        chair(planned, clock, jo, "22 Jan assign jo@hackney.example")
    chair(planned, clock, sam, "22 Jan release")
    assigned = chair(planned, clock, sam, "22 Jan assign JO@hackney.example")
    assert assigned.meeting.chair is not None
    assert assigned.meeting.chair.name == "Jo Reid"
    with pytest.raises(ForumError, match="over"):
        chair(planned, clock, priya, "20 Nov 2025")


def test_chairs_are_suggested_from_organisations_that_have_not_chaired_recently(
    planned: Database,
) -> None:
    clock = FakeClock(datetime(2026, 1, 10, tzinfo=UTC))
    chair(planned, clock, member(planned, CAMDEN), "22 Jan")
    with planned.transaction() as session:
        from sqlalchemy import select

        from forum_ops.db.schema import MeetingRow

        march = session.scalars(select(MeetingRow).where(MeetingRow.day == "2026-03-19")).one()
        suggested = chair_suggestions(session, march)
    assert [s.name for s in suggested] == ["Jo Reid", "Sam Okafor"]  # not Camden: it chaired


def test_meeting_figures_for_the_quarterly_report(planned: Database) -> None:
    chair(planned, FakeClock(datetime(2026, 1, 10, tzinfo=UTC)), member(planned, CAMDEN), "22 Jan")
    with planned.transaction() as session:
        figures = meeting_figures(session, date(2026, 1, 1), date(2026, 3, 31))
    assert [(m.day, m.chair_organisation) for m in figures.meetings] == [
        (date(2026, 1, 22), "Camden"),
        (date(2026, 3, 19), None),
    ]
    assert (figures.held, figures.takeaways) == (2, 0)


def test_forumbot_meetings_import_reports_every_bad_line_and_imports_a_clean_file(
    tmp_path: Path,
) -> None:
    assert forumbot(tmp_path, "db", "upgrade").returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("date,time,theme\n29/03/2026,01:30,Gap\n31/02/2026,10:00,No day\n")
    refused = forumbot(tmp_path, "meetings", "import", str(bad))
    assert refused.returncode == 1
    said = refused.stdout + refused.stderr
    assert "2 problem(s) found. Nothing was changed." in said
    assert "clocks go forward" in said  # line 2
    assert "I can't read '31/02/2026' as a date" in said  # line 3
    good = tmp_path / "plan.csv"
    good.write_text("date,time,theme,status\n10/09/2026,14:00,Year 2 launch,planned\n", "cp1252")
    done = forumbot(tmp_path, "meetings", "import", str(good))
    assert done.returncode == 0, done.stderr
    assert "1 meetings added, 0 updated" in done.stdout


def test_demo_meetings_are_the_year_one_plan_with_demo_chairs(database: Database) -> None:
    with database.transaction() as session:
        upsert_members(session, demo_members(), DEC_2025)
        assert load_demo_meetings(session, DEC_2025) >= 5
        assert load_demo_meetings(session, DEC_2025) == 0  # idempotent
    found = list_meetings(database, FakeClock(DEC_2025))
    assert found[0].chair is not None
    assert found[0].chair.organisation == "Camden"  # 22 January 2026


def test_the_demo_takeaway_is_the_latest_meetings_and_loads_once(database: Database) -> None:
    """`takeaway latest` on the demo data shows a takeaway card, not "No takeaway yet"."""
    from cards.takeaway import takeaway_view
    from forum_ops.meetings.demo_takeaway import TITLE, load_demo_takeaway
    from forum_ops.meetings.takeaway import show_takeaway

    after = datetime(2026, 2, 1, 12, tzinfo=UTC)  # after the meeting of 22 January 2026
    with database.transaction() as session:
        upsert_members(session, demo_members(), DEC_2025)
        load_demo_meetings(session, DEC_2025)
        assert load_demo_takeaway(session, after).endswith("2026-01-22.")
        assert load_demo_takeaway(session, after) == "Demo takeaway: none added."
    shown = show_takeaway(database, FakeClock(after), "latest")
    assert (shown.title, shown.status, len(shown.actions)) == (TITLE, "published", 3)
    assert_valid_card(render_card("takeaway", takeaway_view(shown, "https://bot.example")).content)
    with pytest.raises(ForumError, match="meeting on Thursday 19 March 2026 is not published"):
        show_takeaway(database, FakeClock(after), "19 March 2026")
