"""What a scheduled job is: a name, a rule, and a function of the forum that does the work."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from forum_ops.errors import NotReachable
from forum_ops.ports import Messenger
from forum_ops.scheduler.rules import Rule

if TYPE_CHECKING:
    from analytics.disclosure import Rules


def default_disclosure() -> Rules:
    from analytics.disclosure import Rules  # numpy: loaded by the job that needs it

    return Rules()


@dataclass(frozen=True)
class JobSettings:
    """The few settings jobs need, read once from the app's settings by bot/scheduler_worker.py
    (a job never reads the environment itself). The defaults are a local trial's."""

    public_url: str = "http://127.0.0.1:3978"  # links in cards: charts, takeaways, reports
    # (no forum channel here: run.messenger.to_channel posts to it, FORUM_CHANNEL_ID, itself)
    peer_support_channel_id: str = ""  # where asks and their digest go; empty: the forum's
    chair_quiet_hours: float = 48.0  # an offer to chair unanswered this long is taken up
    # the INMSS disclosure thresholds and cell-key secret (reports): a function, as the rules
    # load numpy, which neither start-up nor most jobs need
    disclosure: Callable[[], Rules] = field(default=default_disclosure, repr=False)


LOCAL_SETTINGS = JobSettings()  # a scheduler given none: tests, local trials


@dataclass(frozen=True)
class JobRun:
    """One run of a job, handed to its function."""

    job: str
    key: str  # unique to this occurrence: the stem of idempotency keys for what the job enqueues
    due_at: datetime  # UTC; `.astimezone(rule.zone)` for the wall-clock time it was due
    now: datetime
    attempt: int  # 1 for the first run of this occurrence, more after a crash or a failure
    messenger: Messenger  # cards to people through the outbox, in this run's transaction
    settings: JobSettings = LOCAL_SETTINGS


class NoMessenger:
    """For a scheduler given no messenger (tests of the scheduler itself): every send fails."""

    def __init__(self, session: Session, now: datetime) -> None:
        del session, now

    def _refuse(self, *args: object, **kwargs: object) -> str:
        raise NotReachable("This scheduler was started without a messenger.")

    to_member = to_channel = to_conversation = update = withdraw = reply_to = _refuse

    def reachable(self, aad_object_ids: Collection[str]) -> frozenset[str]:
        return frozenset()


JobFunction = Callable[[Session, JobRun], None]


@dataclass(frozen=True)
class Job:
    """A named function run when its rule falls due, in one transaction with its bookkeeping:
    what it writes to the database is committed with the occurrence marked done, or not at all.
    What it sends goes through the outbox under keys made from `JobRun.key`."""

    name: str
    rule: Rule
    run: JobFunction
    max_attempts: int = 3  # a failing occurrence is retried, a minute later each time
    grace: timedelta | None = None  # an occurrence later than this is skipped; None: never late
    at_start: bool = False  # also run once whenever an app instance starts

    def __post_init__(self) -> None:
        if not self.name or "@" in self.name or len(self.name) > 100:
            raise ValueError(f"a job's name is 1-100 characters without '@': {self.name!r}")
