"""What handlers need, gathered once by the composition root (bot/app.py)."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from bot.settings import Settings
from forum_ops.ports import Clock, SystemClock

if TYPE_CHECKING:
    import aiohttp

    from forum_ops.announcements.service import Announcements
    from forum_ops.asks.service import Asks
    from forum_ops.benchmarks.service import Benchmarks
    from forum_ops.db import Database
    from forum_ops.directory.feature import Directory
    from forum_ops.meetings.feature import Meetings
    from forum_ops.outbox.messaging import MessengerFactory
    from forum_ops.ports import BookedMeeting, Calendar, ChartStore, Meeting
    from forum_ops.report.service import Reports
    from forum_ops.returns.service import Returns
    from forum_ops.senddata.service import SendData
    from forum_ops.suppliers.search import SupplierSearch
    from forum_ops.tor.service import Tor

P = ParamSpec("P")
T = TypeVar("T")


class Doorbell:
    """Rung when this process enqueues, so the worker need not wait for its next poll."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def ring(self) -> None:
        self._event.set()

    async def wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), seconds)
        self._event.clear()


class CalendarOnFirstUse:
    """The Calendar port, made on its first call (Services.calendar): the meetings service is
    built for `help` and `meetings` too, which need not wait for Graph's or iCalendar's
    imports."""

    def __init__(self, services: Services) -> None:
        self._services = services

    async def create(self, meeting: Meeting) -> BookedMeeting:
        return await self._services.calendar.create(meeting)

    async def move(self, event_id: str, meeting: Meeting) -> BookedMeeting:
        return await self._services.calendar.move(event_id, meeting)

    async def cancel(self, event_id: str, reason: str = "") -> bytes | None:
        return await self._services.calendar.cancel(event_id, reason)


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: Database
    executor: ThreadPoolExecutor
    doorbell: Doorbell
    http: aiohttp.ClientSession  # outbound HTTP: the connector's pooled session
    clock: Clock = field(default_factory=SystemClock)  # the one Clock the features are given
    calendar_port: Calendar | None = None  # tests pass one; else what the settings name

    # The features' services, made on first use: their modules import pandas, which start-up
    # does not wait for (bot/lazy.py warms them once the app has answered).
    @functools.cached_property
    def charts(self) -> ChartStore:
        """Charts kept in the database and served at FORUM_PUBLIC_URL/charts/<token>.png."""
        from forum_ops.charts import ChartTable

        return ChartTable(self.db, self.settings.forum_public_url, self.clock)

    @functools.cached_property
    def senddata(self) -> SendData:
        from forum_ops.senddata.service import SendData

        return SendData(self.db, self.charts)

    @functools.cached_property
    def calendar(self) -> Calendar:
        """Teams meetings through Graph, or .ics invitations locally (bot/calendar.py)."""
        if self.calendar_port is not None:
            return self.calendar_port
        from bot.calendar import calendar_from_settings

        return calendar_from_settings(self.settings)

    @functools.cached_property
    def suppliers(self) -> SupplierSearch:
        from forum_ops.suppliers.search import SupplierSearch

        return SupplierSearch(self.db)

    @functools.cached_property
    def benchmarks(self) -> Benchmarks:
        from forum_ops.benchmarks.service import BenchmarkConfig, Benchmarks

        threshold = self.settings.forum_rate_variation_threshold
        return Benchmarks(
            self.db, self.charts, BenchmarkConfig(self.settings.disclosure_rules(), threshold)
        )

    @functools.cached_property
    def messengers(self) -> MessengerFactory:
        """The app's one MessengerFactory: a Messenger per unit of work, its cards queued in
        that transaction's outbox rows (forum_ops/outbox/messaging.py)."""
        from forum_ops.outbox.messaging import outbox_messengers

        return outbox_messengers(self.settings.forum_channel_id)

    @functools.cached_property
    def asks(self) -> Asks:
        from cards.asks import AskCards
        from forum_ops.asks.service import AskConfig, Asks

        settings = self.settings
        config = AskConfig(
            settings.forum_ask_responders,
            settings.forum_ask_reroutes,
            settings.forum_peer_support_channel_id,
        )
        return Asks(
            self.db,
            self.clock,
            self.messengers,
            AskCards(),
            config,
        )

    @functools.cached_property
    def meetings(self) -> Meetings:
        from datetime import timedelta

        from cards.meeting_cards import MeetingCards
        from forum_ops.meetings.feature import Meetings

        return Meetings(
            self.db,
            self.clock,
            CalendarOnFirstUse(self),
            self.messengers,
            MeetingCards(self.settings.forum_public_url),
            timedelta(hours=self.settings.forum_chair_quiet_hours),
        )

    @functools.cached_property
    def tor(self) -> Tor:
        from cards.tor import TorCards
        from cards.views.tor import Rules
        from forum_ops.tor.service import Tor

        settings = self.settings
        return Tor(
            self.db,
            self.clock,
            self.messengers,
            TorCards(),
            Rules.of(settings.forum_tor_quorum, settings.forum_tor_majority),
            settings.forum_tor_voting_days,
        )

    @functools.cached_property
    def announcements(self) -> Announcements:
        from cards.notices import AnnouncementCards
        from forum_ops.announcements.service import Announcements

        return Announcements(self.db, self.clock, self.messengers, AnnouncementCards())

    @functools.cached_property
    def report(self) -> Reports:
        from forum_ops.report.service import Reports

        return Reports(self.db, self.clock, self.settings.disclosure_rules())

    @functools.cached_property
    def directory(self) -> Directory:
        from forum_ops.directory.feature import Directory

        return Directory(self.db, self.clock)

    @functools.cached_property
    def returns(self) -> Returns:
        from cards.return_cards import ReturnCards
        from forum_ops.returns.service import Returns

        return Returns(self.db, self.clock, self.messengers, ReturnCards())

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run synchronous domain code (database work) off the event loop, in the caller's
        context (the turn whose work it is: forum_ops/db/engine.TURN)."""
        loop = asyncio.get_running_loop()
        work = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
        return await loop.run_in_executor(self.executor, work)
