"""What the running app holds, and how it is built and closed: adapter, store, handlers, workers.

bot/app.py imports this module in a worker thread once the server is listening: it pulls in
botbuilder, msrest and SQLAlchemy, which take most of start-up, and /healthz need not wait for
them. Everything that lives as long as the app is made in `start` and closed in `close`; nothing
is a module-level singleton.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import aiohttp
from sqlalchemy import text

from bot.auth import ChannelTokenValidator, SigningKeys
from bot.connector import Codec, EntraAppToken, NoToken, PooledConnectorFactory, TokenSource
from bot.endpoint import MessagesEndpoint
from bot.features import build_routes
from bot.handler import ForumBot, on_turn_error
from bot.notices import dead_letter_notices
from bot.outbox_worker import DeliveryPolicy, OutboxWorker
from bot.scheduler_worker import SchedulerWorker, registered_jobs
from bot.services import Doorbell, Services
from bot.settings import AppType, Settings
from bot.transports import Transport, build_transport
from forum_ops.charts import find_chart
from forum_ops.db import Database, create_database
from forum_ops.ports import Calendar, Clock, SystemClock
from forum_ops.scheduler import Job

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """What the running app holds; built by `start`, closed by `close`."""

    services: Services
    http: aiohttp.ClientSession
    tokens: TokenSource
    adapter: Transport
    bot: ForumBot
    endpoint: MessagesEndpoint
    worker: OutboxWorker
    scheduler: SchedulerWorker
    owns_db: bool  # made from the settings here (not passed in), so disposed here
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def run_workers(self) -> None:
        self.tasks += [
            asyncio.create_task(self.scheduler.run()),
            asyncio.create_task(self.worker.run()),
        ]

    async def close(self) -> None:
        self.scheduler.stop()
        self.worker.stop()
        with contextlib.suppress(TimeoutError):  # let in-flight sends and jobs finish
            await asyncio.wait_for(asyncio.gather(*map(asyncio.shield, self.tasks)), 5)
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        closing = getattr(self.adapter, "close", None)  # the agents transport's sessions
        if closing is not None:
            await closing()
        await self.http.close()
        await self.tokens.close()
        self.services.executor.shutdown(wait=True)
        if self.owns_db:
            self.services.db.dispose()

    def ping(self) -> None:
        """Raises if the database does not answer a trivial query (blocking: run it off the loop)."""
        with self.services.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def chart_png(self, token: str) -> bytes | None:
        """A stored chart by its unguessable token (blocking: run it off the loop)."""
        with self.services.db.transaction() as session:
            return find_chart(session, token, self.services.clock.now())


async def start(
    settings: Settings,
    db: Database | None = None,
    tokens: TokenSource | None = None,
    jobs: Sequence[Job] | None = None,
    calendar: Calendar | None = None,
    clock: Clock | None = None,
) -> Runtime:
    """The runtime, its workers running; `db`, `tokens` and the scheduled `jobs` default to what
    the settings name, and `clock` to the system's (tests pass their own)."""
    database = db or create_database(settings.forum_database_url)
    tokens = tokens or _token_source(settings)
    http = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=100, limit_per_host=50, keepalive_timeout=60),
        timeout=aiohttp.ClientTimeout(total=30, connect=10),
    )
    codec = Codec.create()
    factory = PooledConnectorFactory(http, tokens, codec, require_https=settings.auth_enabled)
    validator = (
        ChannelTokenValidator(
            SigningKeys(http, settings.forum_openid_metadata_url), settings.microsoft_app_id
        )
        if settings.auth_enabled
        else None
    )
    adapter = build_transport(
        settings,
        validator=validator,
        factory=factory,
        tokens=tokens,
        http=http,
        codec=codec,
        on_error=on_turn_error,
    )
    services = Services(
        settings=settings,
        db=database,
        executor=ThreadPoolExecutor(max_workers=4, thread_name_prefix="forum-db"),
        doorbell=Doorbell(),
        http=http,
        calendar_port=calendar,
        clock=clock or SystemClock(),
    )
    bot = ForumBot(services, codec, build_routes())
    endpoint = MessagesEndpoint(adapter, bot, codec, require_https=settings.auth_enabled)
    worker = OutboxWorker(
        services,
        adapter,
        codec,
        DeliveryPolicy.from_settings(settings),
        services.doorbell,
        dead_letter_notices,
    )
    scheduled = registered_jobs(settings) if jobs is None else jobs
    runtime = Runtime(
        services,
        http,
        tokens,
        adapter,
        bot,
        endpoint,
        worker,
        SchedulerWorker(services, scheduled),
        owns_db=db is None,
    )
    runtime.run_workers()
    return runtime


def _token_source(settings: Settings) -> TokenSource:
    if not settings.auth_enabled:
        return NoToken()
    from azure.identity.aio import ClientSecretCredential, ManagedIdentityCredential

    if settings.microsoft_app_type is AppType.USER_ASSIGNED_MSI:
        return EntraAppToken(ManagedIdentityCredential(client_id=settings.microsoft_app_id))
    tenant = (
        settings.microsoft_app_tenant_id
        if settings.microsoft_app_type is AppType.SINGLE_TENANT
        else "botframework.com"
    )
    return EntraAppToken(
        ClientSecretCredential(tenant, settings.microsoft_app_id, settings.microsoft_app_password)
    )
