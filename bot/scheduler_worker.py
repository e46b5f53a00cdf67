"""The scheduler's loop in the app: every few seconds, plan and run due jobs off the event loop.

The work and the rules are in forum_ops/scheduler/; this only wakes it up, in each replica.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import socket
import uuid
from collections.abc import Sequence
from datetime import timedelta

from bot.features import JOBS
from bot.services import Services
from bot.settings import Settings
from forum_ops.scheduler import Job, JobSettings, Scheduler

log = logging.getLogger(__name__)


def registered_jobs(settings: Settings) -> tuple[Job, ...]:
    """The features' jobs, and those FORUM_SCHEDULER_EXTRA_JOBS names ("module:attribute")."""
    if not settings.forum_scheduler_extra_jobs:
        return JOBS
    module, _, attribute = settings.forum_scheduler_extra_jobs.partition(":")
    extra: Sequence[Job] = getattr(importlib.import_module(module), attribute)
    return (*JOBS, *extra)


def job_settings(settings: Settings) -> JobSettings:
    """What the jobs read of the app's settings, once for all their runs (run.settings)."""
    return JobSettings(
        public_url=settings.forum_public_url,
        peer_support_channel_id=settings.forum_peer_support_channel_id,
        chair_quiet_hours=settings.forum_chair_quiet_hours,
        disclosure=settings.disclosure_rules,
    )


class SchedulerWorker:
    def __init__(self, services: Services, jobs: Sequence[Job]) -> None:
        settings = services.settings
        self._services = services
        self._poll = settings.forum_scheduler_poll_seconds
        self._stopping = asyncio.Event()
        self.scheduler = Scheduler(
            services.db,
            jobs,
            services.clock,
            owner=f"{socket.gethostname()[:30]}-{os.getpid()}-{uuid.uuid4().hex[:8]}",
            lease=timedelta(seconds=settings.forum_scheduler_lease_seconds),
            messengers=services.messengers,
            settings=job_settings(settings),
        )

    async def run(self) -> None:
        log.info(
            "scheduler.started",
            extra={"owner": self.scheduler.owner, "jobs": sorted(self.scheduler.jobs)},
        )
        while not self._stopping.is_set():
            try:
                if await self._services.run(self.scheduler.tick):
                    self._services.doorbell.ring()  # what the jobs queued goes now
            except Exception:
                log.warning("scheduler.tick_failed", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._poll)

    def stop(self) -> None:
        self._stopping.set()
