"""Each meeting's cycle as the scheduler runs it, with a clock the test sets and the real outbox:
circulation and reminders at 09:00 London on either side of the clock changes, each member
once, the chair prompt, the takeaway form at the scheduled end, the reminder after 1 working
day and the automatic post after 2; a run cut short sends nothing twice and loses nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.features import JOBS
from cards import render_card
from cards.meeting_cards import MeetingCards
from cards.meetings import meeting_line
from cards.views.common import LONDON
from forum_ops.db import Database
from forum_ops.db.schema import MeetingRow, OutboxRow
from forum_ops.errors import ForumError, NotAllowed
from forum_ops.meetings.cycle import steps_of
from forum_ops.meetings.service import (
    ChairOffers,
    chair,
    edit_plan,
    seed_year_one,
    settle_chair_offers,
    upcoming,
)
from forum_ops.meetings.takeaway import save, write
from forum_ops.outbox.conversations import ConversationPlace, remember_conversation
from forum_ops.outbox.messaging import OutboxMessenger
from forum_ops.ports import Messenger
from forum_ops.scheduler import JobSettings, Scheduler
from tests.conftest import CAMDEN, LIIA, TENANT
from tests.support.cardcheck import assert_valid_card
from tests.support.fakes import FakeClock
from tests.support.members import member

CYCLE = next(j for j in JOBS if j.name == "meetings.cycle")  # as the app runs it
PEOPLE = 3  # the channel and the two members
LOCAL = JobSettings()


def place(conversation_id: str, kind: str, aad: str | None = None) -> ConversationPlace:
    reference = {
        "conversation": {"id": conversation_id, "conversationType": kind, "tenantId": TENANT},
        "serviceUrl": "https://smba.example/",
    }
    return ConversationPlace(conversation_id, kind, TENANT, aad, "team-1", reference)


@pytest.fixture
def forum(any_database: Database) -> Database:
    start = datetime(2025, 12, 1, tzinfo=UTC)
    with any_database.transaction() as session:
        seed_year_one(session, start)
        for p in (
            place("19:forum@thread.tacv2", "channel"),
            place(f"a:{CAMDEN}", "personal", CAMDEN),
            place(f"a:{LIIA}", "personal", LIIA),
        ):
            remember_conversation(session, p, start)
    return any_database


def scheduler(
    db: Database,
    clock: FakeClock,
    fail_after: int | None = None,
    settings: JobSettings = LOCAL,
) -> Scheduler:
    def messenger(session: object, now: datetime) -> Messenger:
        real = OutboxMessenger(session, now)  # type: ignore[arg-type]
        if fail_after is None:
            return real
        return Failing(real, fail_after)

    return Scheduler(db, [CYCLE], clock, "test", messengers=messenger, settings=settings)


class Failing:
    """Queues `left` messages, then dies as a process would mid-run."""

    def __init__(self, real: OutboxMessenger, left: int) -> None:
        self.real, self.left = real, left

    def _count(self) -> None:
        if self.left == 0:
            raise RuntimeError("killed")
        self.left -= 1

    def to_member(self, *args: object) -> str:
        self._count()
        return self.real.to_member(*args)  # type: ignore[arg-type]

    def to_channel(self, *args: object) -> str:
        self._count()
        return self.real.to_channel(*args)  # type: ignore[arg-type]


def queued(db: Database, purpose: str, day: str) -> list[OutboxRow]:
    with db.transaction() as session:
        meeting = session.scalars(select(MeetingRow).where(MeetingRow.day == day)).one()
        rows = session.scalars(
            select(OutboxRow)
            .where(OutboxRow.purpose == purpose, OutboxRow.key.startswith(f"meeting:{meeting.id}:"))
            .order_by(OutboxRow.id)
        ).all()
    return list(rows)


def at(db: Database, clock: FakeClock, when: datetime, settings: JobSettings = LOCAL) -> None:
    clock.at = when
    scheduler(db, clock, settings=settings).tick()


@pytest.mark.parametrize(
    ("day", "agenda_utc", "reminder_utc"),
    [
        # clocks go forward on Sunday 29 March: the agenda goes in GMT, the reminder in BST
        (
            "2026-04-02",
            datetime(2026, 3, 26, 9, 0, tzinfo=UTC),
            datetime(2026, 4, 1, 8, 0, tzinfo=UTC),
        ),
        # clocks go back on Sunday 25 October: the agenda goes in BST, the reminder in GMT
        (
            "2026-10-29",
            datetime(2026, 10, 22, 8, 0, tzinfo=UTC),
            datetime(2026, 10, 28, 9, 0, tzinfo=UTC),
        ),
    ],
)
def test_circulation_and_reminder_go_at_nine_in_london_across_the_clock_changes(
    forum: Database, day: str, agenda_utc: datetime, reminder_utc: datetime
) -> None:
    clock = FakeClock(agenda_utc - timedelta(days=3))
    if day == "2026-04-02":
        edit_plan(forum, clock, member(forum, LIIA), "add 2 April 2026 10:00: Spring")
    at(forum, clock, agenda_utc - timedelta(minutes=20))  # the job is planned from here
    at(forum, clock, agenda_utc - timedelta(seconds=1))
    assert queued(forum, "agenda", day) == []
    at(forum, clock, agenda_utc)
    agenda = queued(forum, "agenda", day)
    assert len(agenda) == PEOPLE
    assert {r.created_at for r in agenda} == {agenda_utc}
    assert {r.created_at.astimezone(LONDON).hour for r in agenda} == {9}
    assert "SEND Data" in agenda[0].activity
    at(forum, clock, reminder_utc - timedelta(seconds=1))
    assert queued(forum, "reminder", day) == []
    at(forum, clock, reminder_utc)
    reminder = queued(forum, "reminder", day)
    assert len(reminder) == PEOPLE
    assert {r.created_at.astimezone(LONDON).hour for r in reminder} == {9}
    at(forum, clock, reminder_utc + timedelta(hours=2))  # later runs send nothing again
    assert len(queued(forum, "agenda", day)) == len(queued(forum, "reminder", day)) == PEOPLE


def test_a_run_cut_short_is_run_again_and_sends_each_message_once(forum: Database) -> None:
    due = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)  # 7 days before 19 March
    clock = FakeClock(due - timedelta(minutes=20))
    scheduler(forum, clock).tick()
    clock.at = due
    outcomes = scheduler(forum, clock, fail_after=2).tick()  # dies after queueing two
    assert [o.status.value for o in outcomes] == ["pending"]  # to be retried
    assert queued(forum, "agenda", "2026-03-19") == []  # rolled back with the run
    clock.at = due + timedelta(minutes=1)
    scheduler(forum, clock).tick()  # "the restart": the retry runs it whole
    clock.at = due + timedelta(minutes=30)
    scheduler(forum, clock).tick()
    agenda = queued(forum, "agenda", "2026-03-19")
    assert len(agenda) == PEOPLE
    assert len({r.key for r in agenda}) == PEOPLE


def test_the_secretariat_is_asked_for_a_chair_three_weeks_before(forum: Database) -> None:
    due = datetime(2026, 2, 26, 9, 0, tzinfo=UTC)  # 21 days before Thursday 19 March
    at(forum, FakeClock(due), due - timedelta(minutes=20))
    chair(forum, FakeClock(due), member(forum, CAMDEN), "14 May 2026")
    at(forum, FakeClock(due), due)
    [asked] = queued(forum, "chair", "2026-03-19")
    assert asked.conversation_id == f"a:{LIIA}"  # the secretariat only
    assert "No chair yet for Thursday 19 March 2026" in asked.activity
    assert "Priya Shah" in asked.activity  # Camden has not chaired one of the last 3


def test_the_takeaway_form_then_a_reminder_then_the_draft_is_posted(forum: Database) -> None:
    clock = FakeClock(datetime(2026, 3, 1, tzinfo=UTC))
    chair(forum, clock, member(forum, CAMDEN), "19 March 2026")
    end = datetime(2026, 3, 19, 11, 30, tzinfo=UTC)  # 10:00 GMT plus 90 minutes
    assert [s.due for s in steps_of(datetime(2026, 3, 19, 10, 0, tzinfo=UTC), 90)][3:] == [
        end,
        datetime(2026, 3, 20, 11, 30, tzinfo=UTC),  # Friday
        datetime(2026, 3, 23, 11, 30, tzinfo=UTC),  # Monday: the weekend is no working day
    ]
    at(forum, clock, end - timedelta(minutes=20))
    at(forum, clock, end)
    [form] = queued(forum, "takeaway", "2026-03-19")
    assert form.conversation_id == f"a:{CAMDEN}"
    assert "takeaway.publish" in form.activity
    with forum.transaction() as session:
        meeting = session.scalars(select(MeetingRow).where(MeetingRow.day == "2026-03-19")).one()
        save(
            session,
            member(forum, CAMDEN),
            meeting.id,
            {"title": "S75 in practice", "insight": "Pool early"},
            end,
        )
    at(forum, clock, datetime(2026, 3, 20, 11, 30, tzinfo=UTC))
    nudges = queued(forum, "takeaway", "2026-03-19")[1:]
    assert sorted(r.conversation_id for r in nudges) == [f"a:{CAMDEN}", f"a:{LIIA}"]
    at(forum, clock, datetime(2026, 3, 23, 11, 30, tzinfo=UTC))
    posted = posted_takeaways(forum, meeting.id)
    assert len(posted) == PEOPLE
    assert all("S75 in practice" in r.activity for r in posted)


def test_the_posted_takeaway_links_to_the_public_url_the_scheduler_was_given(
    forum: Database,
) -> None:
    """The job reads FORUM_PUBLIC_URL from run.settings (bot/scheduler_worker.py builds them
    from the app's settings), not from the environment: the link follows what it was given."""
    public = JobSettings(public_url="https://send-forum.example.org/")
    clock = FakeClock(datetime(2026, 3, 1, tzinfo=UTC))
    chair(forum, clock, member(forum, CAMDEN), "19 March 2026")
    end = datetime(2026, 3, 19, 11, 30, tzinfo=UTC)
    at(forum, clock, end, public)
    with forum.transaction() as session:
        meeting = session.scalars(select(MeetingRow).where(MeetingRow.day == "2026-03-19")).one()
        draft = {"title": "S75 in practice", "insight": "Pool early"}
        save(session, member(forum, CAMDEN), meeting.id, draft, end)
    at(forum, clock, datetime(2026, 3, 23, 11, 30, tzinfo=UTC), public)
    posted = posted_takeaways(forum, meeting.id)
    assert len(posted) == PEOPLE
    assert all("https://send-forum.example.org/takeaways/" in r.activity for r in posted)
    assert not any("127.0.0.1" in r.activity for r in posted)


def test_nothing_drafted_tells_the_secretariat_and_posts_nothing(forum: Database) -> None:
    clock = FakeClock(datetime(2026, 5, 14, 10, 0, tzinfo=UTC))
    at(forum, clock, clock.at)
    at(forum, clock, datetime(2026, 5, 19, 10, 0, tzinfo=UTC))  # past 2 working days
    told = [
        r for r in queued(forum, "takeaway", "2026-05-14") if "No takeaway to post" in r.activity
    ]
    assert [r.conversation_id for r in told] == [f"a:{LIIA}"]


def test_every_card_of_the_cycle_is_valid(forum: Database) -> None:
    import json

    clock = FakeClock(datetime(2026, 1, 1, tzinfo=UTC))
    at(forum, clock, clock.at)
    at(forum, clock, datetime(2026, 1, 21, 9, 0, tzinfo=UTC))
    at(forum, clock, datetime(2026, 1, 22, 11, 30, tzinfo=UTC))
    with forum.transaction() as session:
        rows = session.scalars(select(OutboxRow)).all()
    assert {r.purpose for r in rows} >= {"agenda", "reminder", "takeaway"}
    for row in rows:
        for attachment in json.loads(row.activity)["attachments"]:
            assert_valid_card(attachment["content"])


def test_outbox_shows_delivery_per_meeting(forum: Database) -> None:
    from cards import plain_text
    from cards.meetings import delivery_facts
    from cards.views.common import OutboxView
    from forum_ops.meetings.service import meeting_deliveries

    due = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
    at(forum, FakeClock(due), due - timedelta(minutes=20))
    at(forum, FakeClock(due), due)
    deliveries = meeting_deliveries(forum, FakeClock(due))
    facts = {f.title: f.value for f in delivery_facts(deliveries)}
    # no chair yet: the prompt, overdue when the job first ran, went too
    assert facts["Thursday 19 March 2026"] == "agenda 3 queued; chair 1 queued"
    card = render_card("outbox", OutboxView((), (), delivery_facts(deliveries)))
    assert_valid_card(card.content)
    assert "agenda 3 queued" in plain_text(card.content)


def posted_takeaways(forum: Database, meeting_id: int) -> list[OutboxRow]:
    """The published takeaway's messages in the outbox, one per person."""
    with forum.transaction() as session:
        key = f"takeaway:{meeting_id}:"
        return list(session.scalars(select(OutboxRow).where(OutboxRow.key.startswith(key))))


def test_a_takeaway_comes_after_its_meeting_and_the_secretariat_sees_a_chairs_first(
    forum: Database,
) -> None:
    """17 days before the meeting, or a minute before its end, a chair cannot broadcast a
    "takeaway"; after it, the secretariat's copy is queued before the channel's and members'."""
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    chair(forum, clock, member(forum, CAMDEN), "19 March 2026")
    with forum.transaction() as session:
        meeting = session.scalars(select(MeetingRow).where(MeetingRow.day == "2026-03-19")).one()

    def publish(form: dict[str, str]) -> None:
        write(
            forum, clock, member(forum, CAMDEN), meeting.id, form, True,
            lambda session, now: OutboxMessenger(session, now),
            MeetingCards("https://bot.example/"),
        )  # fmt: skip

    bank = {"title": "URGENT: new bank details for INMSS invoices", "insight": "Pay to 12-34-56"}
    for when in (clock.at, datetime(2026, 3, 19, 11, 29, tzinfo=UTC)):
        clock.at = when
        with pytest.raises(ForumError, match="this one ends Thursday 19 March 2026, 11:30"):
            publish(bank)
    assert posted_takeaways(forum, meeting.id) == []

    clock.at = datetime(2026, 3, 19, 11, 30, tzinfo=UTC)
    publish({"title": "S75 in practice", "insight": "Pool early"})
    posted = sorted(posted_takeaways(forum, meeting.id), key=lambda r: r.id)
    assert len(posted) == PEOPLE  # once each: the secretariat's copy is not sent twice
    assert posted[0].conversation_id == f"a:{LIIA}"  # the secretariat first


def test_a_member_volunteers_for_one_meeting_to_come_unless_the_secretariat_assigns_more(
    forum: Database,
) -> None:
    clock = FakeClock(datetime(2026, 1, 10, tzinfo=UTC))
    priya, sam = member(forum, CAMDEN), member(forum, LIIA)
    chair(forum, clock, priya, "22 Jan")
    chair(forum, clock, priya, "22 Jan")  # the same meeting again: no change, no refusal
    for day in ("19 March 2026", "14 May 2026"):
        with pytest.raises(
            ForumError,
            match=r"You chair \(or offered to chair\) the meeting on Thursday 22 January 2026",
        ):
            chair(forum, clock, priya, day)
    assigned = chair(forum, clock, sam, "19 March 2026 assign priya.shah@camden.example")
    assert assigned.meeting.chair is not None
    clock.at = datetime(2026, 1, 23, tzinfo=UTC)  # the first is held: she may volunteer again
    with pytest.raises(
        ForumError, match=r"You chair \(or offered to chair\) the meeting on Thursday 19 March 2026"
    ):
        chair(forum, clock, priya, "14 May 2026")


def offers_by_outbox(quiet_hours: float = 48) -> ChairOffers:
    return ChairOffers(
        timedelta(hours=quiet_hours),
        lambda session, now: OutboxMessenger(session, now),
        MeetingCards("https://bot.example/"),
    )


def told(db: Database, conversation: str) -> list[str]:
    with db.transaction() as session:
        rows = session.scalars(
            select(OutboxRow)
            .where(OutboxRow.conversation_id == conversation, OutboxRow.key.startswith("chair-"))
            .order_by(OutboxRow.id)
        ).all()
    return [r.activity for r in rows]


def test_an_offer_to_chair_waits_for_the_secretariat_who_confirm_or_decline(
    forum: Database,
) -> None:
    clock = FakeClock(datetime(2026, 1, 10, tzinfo=UTC))
    priya, sam, offers = member(forum, CAMDEN), member(forum, LIIA), offers_by_outbox()
    offered = chair(forum, clock, priya, "22 Jan", offers)
    assert offered.meeting.chair is None  # not until the secretariat confirms
    # the card under "Thank you for offering" (and everyone's meetings and agenda) said "none
    # yet: to volunteer, say chair 22 January 2026", which the next volunteer was refused
    chair_line = {f.title: f.value for f in meeting_line(offered.meeting).facts}["Chair"]
    assert chair_line == "none yet: an offer to chair waits for the secretariat"
    with forum.transaction() as session:
        [listed] = [m for m in upcoming(session, clock.now()) if m.id == offered.meeting.id]
    assert listed.offered
    assert "you chair this meeting when they do, or in 48 hours" in offered.message
    [notice] = told(forum, f"a:{LIIA}")
    assert "Priya Shah (Camden) offers to chair the meeting on Thursday 22 January 2026" in notice
    assert "chair 2026-01-22 confirm" in notice
    with pytest.raises(NotAllowed):
        chair(forum, clock, priya, "22 Jan confirm", offers)
    declined = chair(forum, clock, sam, "22 Jan decline", offers)
    assert declined.meeting.chair is None
    assert "asked someone else to chair" in told(forum, f"a:{CAMDEN}")[-1]
    with pytest.raises(ForumError, match="No one has offered"):
        chair(forum, clock, sam, "22 Jan confirm", offers)

    chair(forum, clock, priya, "22 Jan", offers)
    confirmed = chair(forum, clock, sam, "22 Jan confirm", offers)
    assert confirmed.meeting.chair is not None
    assert confirmed.meeting.chair.name == "Priya Shah"
    assert "The secretariat confirmed it: you chair" in told(forum, f"a:{CAMDEN}")[-1]


def test_an_offer_nobody_answers_is_taken_up_after_the_quiet_period(forum: Database) -> None:
    clock = FakeClock(datetime(2026, 1, 10, 9, 0, tzinfo=UTC))
    offers = offers_by_outbox(quiet_hours=48)
    chair(forum, clock, member(forum, CAMDEN), "22 Jan", offers)
    with forum.transaction() as session:
        assert settle_chair_offers(session, datetime(2026, 1, 12, 8, 59, tzinfo=UTC), offers) == 0
    with forum.transaction() as session:
        assert settle_chair_offers(session, datetime(2026, 1, 12, 9, 0, tzinfo=UTC), offers) == 1
        meeting = session.scalars(select(MeetingRow).where(MeetingRow.day == "2026-01-22")).one()
        assert meeting.chair_aad == CAMDEN
    assert (
        "No one objected: you chair the meeting on Thursday 22 January 2026"
        in (told(forum, f"a:{CAMDEN}")[-1])
    )
    with forum.transaction() as session:  # settled once
        assert settle_chair_offers(session, datetime(2026, 1, 13, tzinfo=UTC), offers) == 0
