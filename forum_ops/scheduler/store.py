"""Occurrences of jobs in the database: planned once, claimed once, finished by their claimant.

Planning inserts an occurrence under a key made of the job's name and due instant (INSERT ... ON
CONFLICT DO NOTHING), so replicas planning the same job agree on one row. Runners claim due
occurrences with a lease (forum_ops/db/leases.py: `FOR UPDATE SKIP LOCKED` on PostgreSQL, the
write lock on SQLite), as the outbox claims messages; a dead runner's occurrence is claimed again
once its lease runs out.

    pending ──claim──> running ──> done
       ^                  │──error, attempts left──> pending (a minute later per attempt)
       └──lease expired───┤──error, attempts used up──> failed
    pending ──a later occurrence also due, or past the job's grace──> skipped

Catch-up: a job's next occurrence is always planned ahead, so one that fell due while every
process was down is found pending at the restart; if several fell due, the latest runs, once,
and the older ones are skipped (APScheduler's `coalesce`).

Housekeeping forgets occurrences done or skipped more than a week ago (`forget_finished`), but
never a job's latest: planning reads it to know from when to catch up, and a key forgotten
below it is never planned again.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from forum_ops.db.leases import claim_due, insert_once
from forum_ops.db.schema import JobOccurrenceRow
from forum_ops.scheduler.jobs import Job

RETRY_AFTER = timedelta(minutes=1)
FINISHED_KEPT = timedelta(days=7)  # done and skipped occurrences, for looking into afterwards


class Status(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Claimed:
    id: int
    job: str
    key: str
    due_at: datetime
    attempts: int


def occurrence_key(job: str, due_at: datetime) -> str:
    return f"{job}@{due_at.astimezone(UTC).isoformat()}"


def plan(session: Session, job: Job, now: datetime) -> None:
    """Record the job's occurrence that fell due since it was last planned (the latest only)
    and its next one; skip pending occurrences that a later one supersedes or that are too late.
    A job planned for the first time starts from `now`: it does not run for the past."""
    latest = session.scalar(
        select(func.max(JobOccurrenceRow.due_at)).where(JobOccurrenceRow.job == job.name)
    )
    if latest is not None:
        missed = job.rule.last_at_or_before(now, after=latest)
        if missed is not None:
            _insert(session, job.name, missed, now)
            latest = missed
    upcoming = job.rule.next_after(now)
    if upcoming is not None and (latest is None or upcoming > latest):
        _insert(session, job.name, upcoming, now)
    _skip_superseded(session, job, now)


def plan_start(session: Session, job: Job, now: datetime) -> None:
    """An occurrence due now, for a job that also runs when an app instance starts."""
    _insert(session, job.name, now, now)
    _skip_superseded(session, job, now)


def _insert(session: Session, job: str, due_at: datetime, now: datetime) -> None:
    due_at = due_at.astimezone(UTC)
    values = {
        "job": job,
        "key": occurrence_key(job, due_at),
        "due_at": due_at,
        "not_before": due_at,
        "status": Status.PENDING.value,
        "attempts": 0,
        "last_error": "",
        "created_at": now,
        "updated_at": now,
    }
    insert_once(session, JobOccurrenceRow, values)


def _skip_superseded(session: Session, job: Job, now: datetime) -> None:
    last_due = session.scalar(
        select(func.max(JobOccurrenceRow.due_at)).where(
            JobOccurrenceRow.job == job.name, JobOccurrenceRow.due_at <= now
        )
    )
    if last_due is None:
        return
    stale = JobOccurrenceRow.due_at < last_due
    if job.grace is not None:
        stale = or_(stale, JobOccurrenceRow.due_at < now - job.grace)
    session.execute(
        update(JobOccurrenceRow)
        .where(
            JobOccurrenceRow.job == job.name,
            JobOccurrenceRow.status == Status.PENDING.value,
            stale,
        )
        .values(status=Status.SKIPPED.value, updated_at=now, finished_at=now)
    )


def claim(
    session: Session,
    owner: str,
    now: datetime,
    limit: int,
    lease: timedelta,
    jobs: Collection[str] | None = None,
) -> list[Claimed]:
    """Lease up to `limit` due occurrences to `owner`, the earliest due first, of `jobs` only
    when given (a replica never takes a job it does not run: in a rolling deploy, or an app
    started with fewer jobs, the others wait for a replica that has them); call in its own
    transaction."""
    rows = claim_due(
        session,
        JobOccurrenceRow,
        owner=(JobOccurrenceRow.claimed_by, owner),
        statuses=(Status.PENDING.value, Status.RUNNING.value),
        now=now,
        limit=limit,
        lease=lease,
        order_by=[JobOccurrenceRow.due_at, JobOccurrenceRow.id],
        where=() if jobs is None else (JobOccurrenceRow.job.in_(list(jobs)),),
    )
    claimed = [Claimed(r.id, r.job, r.key, r.due_at, r.attempts) for r in rows]
    return sorted(claimed, key=lambda c: (c.due_at, c.id))


def hold(
    session: Session, occurrence: Claimed, owner: str, now: datetime, lease: timedelta
) -> bool:
    """At the start of the run's transaction: True if `owner` still holds the occurrence; the
    row stays locked (PostgreSQL) until the run commits, so no other runner takes it meanwhile."""
    result = session.execute(
        update(JobOccurrenceRow)
        .where(
            JobOccurrenceRow.id == occurrence.id,
            JobOccurrenceRow.claimed_by == owner,
            JobOccurrenceRow.status == Status.RUNNING.value,
        )
        .values(lease_until=now + lease, updated_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


def mark_done(session: Session, occurrence: Claimed, now: datetime) -> None:
    """In the run's transaction, after `hold`."""
    session.execute(
        update(JobOccurrenceRow)
        .where(JobOccurrenceRow.id == occurrence.id)
        .values(
            status=Status.DONE.value,
            lease_until=None,
            last_error="",
            updated_at=now,
            finished_at=now,
        )
    )


def mark_failed(
    session: Session, occurrence: Claimed, owner: str, now: datetime, error: str, job: Job | None
) -> Status:
    """After a run raised: pending again a little later while attempts are left, else failed.
    An occurrence of a job no longer registered fails at once."""
    retry = job is not None and occurrence.attempts < job.max_attempts
    status = Status.PENDING if retry else Status.FAILED
    session.execute(
        update(JobOccurrenceRow)
        .where(
            JobOccurrenceRow.id == occurrence.id,
            JobOccurrenceRow.claimed_by == owner,
            JobOccurrenceRow.status == Status.RUNNING.value,
        )
        .values(
            status=status.value,
            not_before=now + RETRY_AFTER * occurrence.attempts,
            lease_until=None,
            last_error=error[:500],
            updated_at=now,
            finished_at=None if retry else now,
        )
    )
    return status


def forget_finished(session: Session, now: datetime, kept: timedelta = FINISHED_KEPT) -> int:
    """Forget occurrences done or skipped more than `kept` ago, except each job's latest (what
    `plan` catches up from); pending, running and failed ones stay. Returns how many."""
    other = aliased(JobOccurrenceRow)
    latest_of_job = (
        select(func.max(other.due_at)).where(other.job == JobOccurrenceRow.job).scalar_subquery()
    )
    result = session.execute(
        delete(JobOccurrenceRow)
        .where(
            JobOccurrenceRow.status.in_((Status.DONE.value, Status.SKIPPED.value)),
            JobOccurrenceRow.finished_at < now - kept,
            JobOccurrenceRow.due_at < latest_of_job,
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
