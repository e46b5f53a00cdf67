"""The scheduler against the database (SQLite, and PostgreSQL where configured), on a fake clock:
fire times at the clock changes, catch-up after downtime, retries, leases, and runners racing."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.features import JOBS
from cards.render import Card
from cards.views.common import LONDON
from forum_ops.db import Database
from forum_ops.db.schema import ChartRow, JobOccurrenceRow, ProcessedActivityRow
from forum_ops.ports import Delivery
from forum_ops.scheduler import Job, JobRun, Scheduler, Status, cron, once, store
from tests.support.fakes import FakeMessenger
from tests.support.scheduled_jobs import create_marks, mark, marks

MINUTE = timedelta(minutes=1)
STEP = timedelta(minutes=5)  # the clock moves on by this between ticks


class FakeClock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def db(any_database: Database) -> Database:
    create_marks(any_database.engine)
    return any_database


def occurrences(db: Database) -> dict[datetime, tuple[str, int]]:
    with db.transaction() as session:
        rows = session.scalars(select(JobOccurrenceRow).order_by(JobOccurrenceRow.due_at))
        return {r.due_at: (r.status, r.attempts) for r in rows}


def ran(db: Database) -> list[str]:
    with db.transaction() as session:
        return [key for key, _pid, _attempt in marks(session)]


@pytest.mark.parametrize(
    ("saturday", "due_utc"),
    [(utc(2026, 3, 28, 12), utc(2026, 3, 29, 8)), (utc(2026, 10, 24, 12), utc(2026, 10, 25, 9))],
    ids=["spring-forward", "fall-back"],
)
def test_a_nine_o_clock_sunday_job_fires_at_nine_in_london_when_the_clocks_change(
    db: Database, saturday: datetime, due_utc: datetime
) -> None:
    fired: list[datetime] = []

    def note(session: Session, run: JobRun) -> None:
        fired.append(run.now)
        mark(session, run)

    clock = FakeClock(saturday)
    scheduler = Scheduler(db, [Job("sunday", cron(hour=9, day_of_week="sun"), note)], clock, "a")
    scheduler.tick()  # planned on the Saturday
    clock.moment = due_utc - timedelta(hours=2)
    while clock.moment <= due_utc + timedelta(hours=2):  # the Sunday morning, 5 minutes a step
        scheduler.tick()
        clock.moment += STEP
    assert [f.astimezone(LONDON).strftime("%a %d %b %H:%M") for f in fired] == [
        due_utc.astimezone(LONDON).strftime("Sun %d %b 09:00")
    ]
    assert fired == [due_utc]
    assert len(ran(db)) == 1


def test_a_half_past_one_job_on_the_spring_forward_day_fires_once_at_half_past_two(
    db: Database,
) -> None:
    clock = FakeClock(utc(2026, 3, 28, 12))
    scheduler = Scheduler(db, [Job("night", cron(hour=1, minute=30), mark)], clock, "a")
    scheduler.tick()
    clock.moment = utc(2026, 3, 28, 23)
    while clock.moment <= utc(2026, 3, 29, 4):
        scheduler.tick()
        clock.moment += STEP
    assert ran(db) == ["night@2026-03-29T01:30:00+00:00"]  # 02:30 BST


def test_a_restart_catches_up_the_latest_missed_occurrence_once(db: Database) -> None:
    clock = FakeClock(utc(2026, 12, 1, 10, 30))
    Scheduler(db, [Job("hourly", cron(minute=0), mark)], clock, "before").tick()
    clock.moment = utc(2026, 12, 1, 15, 10)  # down from 10:30 to 15:10
    after = Scheduler(db, [Job("hourly", cron(minute=0), mark)], clock, "after")
    after.tick()
    after.tick()
    assert ran(db) == ["hourly@2026-12-01T15:00:00+00:00"]
    assert occurrences(db) == {
        utc(2026, 12, 1, 11): (Status.SKIPPED, 0),  # superseded by 15:00
        utc(2026, 12, 1, 15): (Status.DONE, 1),
        utc(2026, 12, 1, 16): (Status.PENDING, 0),  # the next one, planned ahead
    }


def test_a_new_job_does_not_run_for_the_past(db: Database) -> None:
    clock = FakeClock(utc(2026, 12, 1, 10, 30))
    jobs = [
        Job("past-one-off", once(utc(2026, 12, 1, 9)), mark),
        Job("hourly", cron(minute=0), mark),
    ]
    Scheduler(db, jobs, clock, "a").tick()
    assert ran(db) == []
    assert occurrences(db) == {utc(2026, 12, 1, 11): (Status.PENDING, 0)}


def test_an_occurrence_later_than_its_grace_is_skipped(db: Database) -> None:
    job = Job("reminder", cron(hour=9), mark, grace=timedelta(minutes=30))
    clock = FakeClock(utc(2026, 12, 1, 8))
    Scheduler(db, [job], clock, "a").tick()
    clock.moment = utc(2026, 12, 1, 9, 45)  # down over 09:00, back 45 minutes late
    Scheduler(db, [job], clock, "b").tick()
    assert ran(db) == []
    assert occurrences(db)[utc(2026, 12, 1, 9)] == (Status.SKIPPED, 0)


def test_a_failing_job_is_retried_then_failed_and_its_writes_are_rolled_back(
    db: Database,
) -> None:
    def mark_then_fail(session: Session, run: JobRun) -> None:
        mark(session, run)
        raise RuntimeError("the calendar is down")

    clock = FakeClock(utc(2026, 12, 1, 8))
    scheduler = Scheduler(db, [Job("flaky", cron(hour=9), mark_then_fail)], clock, "a")
    scheduler.tick()
    seen = []
    for moment in (utc(2026, 12, 1, 9), utc(2026, 12, 1, 9, 1), utc(2026, 12, 1, 9, 3)):
        clock.moment = moment
        scheduler.tick()
        seen.append(occurrences(db)[utc(2026, 12, 1, 9)])
    assert seen == [(Status.PENDING, 1), (Status.PENDING, 2), (Status.FAILED, 3)]
    assert ran(db) == []
    with db.transaction() as session:
        error = session.scalar(
            select(JobOccurrenceRow.last_error).where(JobOccurrenceRow.attempts == 3)
        )
    assert error == "RuntimeError: the calendar is down"


def test_a_dead_runners_occurrence_runs_once_after_its_lease(db: Database) -> None:
    job = Job("digest", cron(hour=9), mark)
    clock = FakeClock(utc(2026, 12, 1, 8))
    dead = Scheduler(db, [job], clock, "dead", lease=timedelta(minutes=5))
    dead.plan()
    clock.moment = utc(2026, 12, 1, 9)
    with db.transaction() as session:  # claimed, then the runner died before running it
        (claimed,) = store.claim(session, "dead", clock.now(), 10, timedelta(minutes=5))
    alive = Scheduler(db, [job], clock, "alive", lease=timedelta(minutes=5))
    alive.tick()
    assert ran(db) == []  # the lease still holds
    clock.moment = utc(2026, 12, 1, 9, 6)
    alive.tick()
    assert ran(db) == ["digest@2026-12-01T09:00:00+00:00"]
    late = dead.run(claimed)  # the first runner comes back to it: its lease is gone
    assert late.status is Status.RUNNING
    assert ran(db) == ["digest@2026-12-01T09:00:00+00:00"]
    assert occurrences(db)[utc(2026, 12, 1, 9)] == (Status.DONE, 2)


def test_a_runner_leaves_the_occurrences_of_jobs_it_does_not_run(db: Database) -> None:
    """A replica started with fewer jobs (an older version in a rolling deploy, an app given
    some) used to claim the others' occurrences and mark them failed ("no job named ...")."""
    digest, release = Job("digest", cron(hour=9), mark), Job("release", cron(hour=9), mark)
    clock = FakeClock(utc(2026, 12, 1, 8))
    both = Scheduler(db, [digest, release], clock, "both")
    both.plan()
    clock.moment = utc(2026, 12, 1, 9)
    Scheduler(db, [digest], clock, "older").tick()
    with db.transaction() as session:
        due = select(
            JobOccurrenceRow.job, JobOccurrenceRow.status, JobOccurrenceRow.attempts,
            JobOccurrenceRow.last_error,
        ).where(JobOccurrenceRow.due_at == utc(2026, 12, 1, 9))  # fmt: skip
        states = {job: rest for job, *rest in session.execute(due).all()}
    assert states["digest"][0] == Status.DONE.value
    assert states["release"] == [Status.PENDING.value, 0, ""]  # untouched, not a failure
    both.tick()
    assert sorted(ran(db)) == sorted(
        ["digest@2026-12-01T09:00:00+00:00", "release@2026-12-01T09:00:00+00:00"]
    )


def test_two_runners_racing_run_each_due_occurrence_once(db: Database) -> None:
    due = utc(2026, 12, 1, 9)
    jobs = [Job(f"job-{n:02d}", once(due), mark) for n in range(40)]
    clock = FakeClock(due - MINUTE)
    Scheduler(db, jobs, clock, "planner").plan()
    clock.moment = due + timedelta(seconds=1)
    runners = [Scheduler(db, jobs, clock, owner, batch=3) for owner in ("one", "two")]
    start = threading.Barrier(2)
    by_runner: dict[str, int] = {}

    def race(runner: Scheduler) -> None:
        start.wait()
        by_runner[runner.owner] = sum(len(runner.tick()) for _ in range(3))

    threads = [threading.Thread(target=race, args=(runner,)) for runner in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    keys = Counter(ran(db))
    assert len(keys) == 40
    assert max(keys.values()) == 1
    assert sum(by_runner.values()) == 40
    assert {status for status, _ in occurrences(db).values()} == {Status.DONE}
    print(f"\nscheduler race: {by_runner}")


def test_housekeeping_runs_when_the_app_starts_then_at_the_top_of_each_hour(db: Database) -> None:
    clock = FakeClock(utc(2026, 12, 1, 10, 30))

    def keep(*rows: ProcessedActivityRow | ChartRow) -> None:
        with db.transaction() as session:
            session.add_all(rows)

    def kept() -> tuple[set[str], set[str]]:
        with db.transaction() as session:
            return set(session.scalars(select(ProcessedActivityRow.key))), set(
                session.scalars(select(ChartRow.token))
            )

    old, expired = timedelta(days=3), timedelta(0)
    keep(
        ProcessedActivityRow(key="old", received_at=clock.moment - old),
        ProcessedActivityRow(key="new", received_at=clock.moment),
        ChartRow(token="gone", png=b"", expires_at=clock.moment - expired),
        ChartRow(token="kept", png=b"", expires_at=clock.moment + timedelta(days=1)),
    )
    [housekeeping] = [job for job in JOBS if job.name == "housekeeping"]  # the one at start
    assert [job.name for job in JOBS if job.at_start] == ["housekeeping"]
    scheduler = Scheduler(db, [housekeeping], clock, "a")
    scheduler.tick()  # the app starts
    assert kept() == ({"new"}, {"kept"})
    keep(ProcessedActivityRow(key="older", received_at=clock.moment - old))
    clock.moment = utc(2026, 12, 1, 10, 59)
    scheduler.tick()
    assert kept() == ({"new", "older"}, {"kept"})  # once at start, not at every tick
    clock.moment = utc(2026, 12, 1, 11)
    scheduler.tick()
    assert kept() == ({"new"}, {"kept"})


def test_a_job_sends_through_the_messenger_it_is_given_and_a_rerun_sends_nothing_new(
    db: Database,
) -> None:
    outbox = FakeMessenger()

    def remind(session: Session, run: JobRun) -> None:
        card = Card("reminder", {"type": "AdaptiveCard", "version": "1.5", "body": []}, "Reminder")
        run.messenger.to_channel(card, Delivery(f"{run.key}:channel", "reminder"))
        mark(session, run)

    clock = FakeClock(utc(2026, 1, 5, 8, 30))
    job = Job("remind", cron(hour=9), remind)
    Scheduler(db, [job], clock, "a", messengers=lambda _s, _now: outbox).tick()
    clock.moment += timedelta(hours=1)
    Scheduler(db, [job], clock, "b", messengers=lambda _s, _now: outbox).tick()
    assert [(s.purpose, s.to) for s in outbox.sent] == [("reminder", "channel")]
    assert ran(db) == [outbox.sent[0].key.removesuffix(":channel")]


def test_housekeeping_forgets_occurrences_finished_over_a_week_ago_but_each_jobs_latest(
    db: Database,
) -> None:
    now = utc(2026, 12, 10, 12)
    day = timedelta(days=1)

    def row(job: str, due: datetime, status: Status) -> JobOccurrenceRow:
        finished = None if status in (Status.PENDING, Status.RUNNING) else due
        return JobOccurrenceRow(
            job=job, key=store.occurrence_key(job, due), due_at=due, not_before=due,
            status=status.value, attempts=1, last_error="", created_at=due, updated_at=due,
            finished_at=finished,
        )  # fmt: skip

    with db.transaction() as session:
        session.add_all(
            [
                row("close", now - 10 * day, Status.DONE),  # forgotten
                row("close", now - 9 * day, Status.SKIPPED),  # forgotten
                row("close", now - 8 * day, Status.FAILED),  # kept: someone may look into it
                row("close", now - 2 * day, Status.DONE),  # kept: within the week
                row("close", now + STEP, Status.PENDING),  # kept: still to run
                row("yearly", now - 400 * day, Status.DONE),  # forgotten
                row("yearly", now - 35 * day, Status.DONE),  # kept: the job's latest
            ]
        )
    with db.transaction() as session:
        assert store.forget_finished(session, now) == 3
    assert sorted(occurrences(db)) == [
        now - 35 * day, now - 8 * day, now - 2 * day, now + STEP,
    ]  # fmt: skip


def test_the_housekeeping_job_prunes_the_occurrences_and_catch_up_still_runs_once(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """Every five minutes for a quarter of an hour, then down for eight days: at the restart
    housekeeping forgets the week-old runs (and says how many), and the missed occurrence
    runs once, as before."""
    [housekeeping] = [job for job in JOBS if job.name == "housekeeping"]
    jobs = [housekeeping, Job("every-five", cron(minute="*/5"), mark)]
    clock = FakeClock(utc(2026, 12, 1, 10, 2))
    before_the_break = Scheduler(db, jobs, clock, "before")
    for _ in range(4):  # 10:02 (housekeeping at start), 10:07, 10:12, 10:17
        before_the_break.tick()
        clock.moment += STEP
    assert ran(db) == [f"every-five@2026-12-01T10:{m:02d}:00+00:00" for m in (5, 10, 15)]
    before = occurrences(db)
    clock.moment = utc(2026, 12, 9, 10, 32)  # back eight days later
    with caplog.at_level("INFO", logger="forum_ops.housekeeping"):
        after = Scheduler(db, jobs, clock, "after")
        after.tick()
    [done] = [r for r in caplog.records if r.getMessage() == "housekeeping.done"]
    old = [due for due, (status, _) in before.items() if status in (Status.DONE, Status.SKIPPED)]
    assert done.job_occurrences_forgotten == len(old) == 4  # three runs, the start's housekeeping
    assert not set(old) & set(occurrences(db))
    clock.moment += STEP
    after.tick()
    assert ran(db)[3:] == [  # the missed one once at the restart, then on as usual
        "every-five@2026-12-09T10:30:00+00:00",
        "every-five@2026-12-09T10:35:00+00:00",
    ]
