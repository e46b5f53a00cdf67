"""One pass of the scheduler: plan every registered job, then run what is due and claimed here.

Synchronous (database work); bot/scheduler_worker.py calls `tick` off the event loop every few
seconds. Any number of runners may tick against one database: each occurrence runs once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from forum_ops.db import Database
from forum_ops.outbox.messaging import MessengerFactory
from forum_ops.ports import Clock
from forum_ops.scheduler import store
from forum_ops.scheduler.jobs import (
    LOCAL_SETTINGS,
    Job,
    JobRun,
    JobSettings,
    NoMessenger,
)

log = logging.getLogger(__name__)


class LeaseLost(Exception):
    """Another runner took the occurrence after this one's lease ran out."""


@dataclass(frozen=True)
class Outcome:
    key: str
    status: store.Status


class Scheduler:
    def __init__(
        self,
        db: Database,
        jobs: Sequence[Job],
        clock: Clock,
        owner: str,
        lease: timedelta = timedelta(minutes=5),
        batch: int = 10,
        messengers: MessengerFactory = NoMessenger,
        settings: JobSettings = LOCAL_SETTINGS,  # handed to every run
    ) -> None:
        names = [job.name for job in jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"two jobs share a name: {sorted(names)}")
        self.jobs = {job.name: job for job in jobs}
        self._messengers, self._settings = messengers, settings
        self.owner = owner
        self._db, self._clock, self._lease, self._batch = db, clock, lease, batch
        self._started = False

    def tick(self) -> list[Outcome]:
        """Plan, then claim and run due occurrences until none is left for this runner."""
        self.plan()
        outcomes: list[Outcome] = []
        while True:
            with self._db.transaction() as session:
                claimed = store.claim(
                    session, self.owner, self._clock.now(), self._batch, self._lease, self.jobs
                )
            outcomes.extend(self.run(occurrence) for occurrence in claimed)
            if len(claimed) < self._batch:
                return outcomes

    def plan(self) -> None:
        for job in self.jobs.values():
            with self._db.transaction() as session:
                if job.at_start and not self._started:
                    store.plan_start(session, job, self._clock.now())
                store.plan(session, job, self._clock.now())
        self._started = True

    def run(self, occurrence: store.Claimed) -> Outcome:
        job = self.jobs.get(occurrence.job)
        try:
            with self._db.transaction() as session:
                now = self._clock.now()
                if not store.hold(session, occurrence, self.owner, now, self._lease):
                    raise LeaseLost(occurrence.key)
                if job is None:
                    raise LookupError(f"no job named {occurrence.job!r} is registered")
                job.run(
                    session,
                    JobRun(
                        job.name,
                        occurrence.key,
                        occurrence.due_at,
                        now,
                        occurrence.attempts,
                        self._messengers(session, now),
                        self._settings,
                    ),
                )
                store.mark_done(session, occurrence, self._clock.now())
        except LeaseLost:
            log.warning("scheduler.lease_lost", extra={"job": occurrence.job})
            return Outcome(occurrence.key, store.Status.RUNNING)
        except Exception as error:
            # the error's type only: a message may hold what a job read (names, pupils' data)
            with self._db.transaction() as session:
                status = store.mark_failed(
                    session, occurrence, self.owner, self._clock.now(), _describe(error), job
                )
            log.warning(
                "scheduler.job_failed",
                extra={
                    "job": occurrence.job,
                    "error": type(error).__name__,
                    "attempt": occurrence.attempts,
                    "now": status.value,
                },
            )
            return Outcome(occurrence.key, status)
        log.info("scheduler.job_done", extra={"job": occurrence.job, "due_at": occurrence.due_at})
        return Outcome(occurrence.key, store.Status.DONE)


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"
