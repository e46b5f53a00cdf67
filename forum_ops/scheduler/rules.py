"""When a job falls due: a rule in an explicit timezone, its fire times computed by APScheduler.

A rule is a value (a cron-like set of fields, or one moment) with the zone its wall-clock times
are read in, Europe/London unless said otherwise; APScheduler's CronTrigger and DateTrigger turn
it into instants. Every replica computes the same instants from the same rule, so an occurrence's
key (job name and instant) is the same wherever it is planned.

Across the clock changes (tests/unit/test_scheduler_rules.py):
- a time that happens once a day (09:00) fires at that wall-clock time on both Sundays;
- a time in the hour skipped in spring (01:30 on the last Sunday of March) does not exist that
  day: the job fires once, at 02:30 BST (01:30 GMT, APScheduler's reading of the missing time);
- a time in the hour repeated in autumn (01:30 on the last Sunday of October) fires once, at its
  first passing (01:30 BST), as cron does; a rule for every hour (hour="*") fires in both passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from cards.views.common import LONDON

_STEP = timedelta(microseconds=1)


@dataclass(frozen=True)
class Rule:
    """Cron fields (as APScheduler's CronTrigger names them) or one moment, in `timezone`."""

    timezone: str = LONDON.key
    second: str = "0"
    minute: str = "0"
    hour: str = "*"
    day: str = "*"
    month: str = "*"
    day_of_week: str = "*"
    at: datetime | None = None  # a one-off: this moment and never again

    def __post_init__(self) -> None:
        if self.at is not None and self.at.tzinfo is None:
            raise ValueError("a one-off rule needs an aware datetime")

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def trigger(self) -> BaseTrigger:
        if self.at is not None:
            return DateTrigger(run_date=self.at, timezone=self.zone)
        return CronTrigger(
            minute=self.minute,
            hour=self.hour,
            day=self.day,
            month=self.month,
            day_of_week=self.day_of_week,
            second=self.second,
            timezone=self.zone,
        )

    def next_after(self, moment: datetime) -> datetime | None:
        """The first fire time strictly after `moment` (aware), or None when there is none."""
        if self.at is not None:
            return self.at if self.at > moment else None
        fire: datetime | None = self.trigger.get_next_fire_time(moment, moment)
        # the second passing of a repeated wall-clock time (autumn) is skipped unless every hour
        while fire is not None and self.hour != "*" and _second_passing(fire, self.zone):
            fire = self.trigger.get_next_fire_time(fire, fire)
        return fire

    def last_at_or_before(self, moment: datetime, after: datetime) -> datetime | None:
        """The latest fire time in (after, moment], or None: the one a catch-up runs."""
        window = timedelta(hours=1)
        while True:
            start = max(after, moment - window)
            fire = self.next_after(start)
            if fire is not None and fire <= moment:
                latest, later = fire, self.next_after(fire)
                while later is not None and later <= moment:
                    latest, later = later, self.next_after(later)
                return latest
            if start == after:
                return None
            window *= 2  # look further back only when the recent past held no fire time


def _second_passing(fire: datetime, zone: ZoneInfo) -> bool:
    local = fire.astimezone(zone)
    return local.fold == 1 and local.utcoffset() != local.replace(fold=0).utcoffset()


def cron(
    *,
    minute: str | int = 0,
    hour: str | int = "*",
    day: str | int = "*",
    month: str | int = "*",
    day_of_week: str = "*",
    second: str | int = 0,
    timezone: str = LONDON.key,
) -> Rule:
    """A recurring rule, e.g. cron(hour=9, day_of_week="sun") is 09:00 London every Sunday."""
    return Rule(timezone, str(second), str(minute), str(hour), str(day), str(month), day_of_week)


def once(at: datetime, timezone: str = LONDON.key) -> Rule:
    """A one-off rule: `at` (aware) and never again."""
    return Rule(timezone, at=at)
