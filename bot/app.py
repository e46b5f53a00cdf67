"""The composition root: `create_app(settings)` wires adapter, store, handlers and routes.

No module-level singletons: everything that lives as long as the app is made here, and what
needs a running event loop (the HTTP session) is made in the app's startup.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

import aiohttp
from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter
from sqlalchemy import text

from bot.actions import build_actions
from bot.auth import ChannelTokenValidator, ForumAuthentication, SigningKeys
from bot.commands import build_commands
from bot.connector import Codec, EntraAppToken, NoToken, PooledConnectorFactory, TokenSource
from bot.dialogs import build_dialogs
from bot.endpoint import MessagesEndpoint
from bot.features import warm_modules
from bot.handler import ForumBot, on_turn_error
from bot.lazy import load, warm_up
from bot.notices import dead_letter_notices
from bot.outbox_worker import DeliveryPolicy, OutboxWorker
from bot.scheduler_worker import SchedulerWorker, registered_jobs
from bot.services import Doorbell, Services, utc_now
from bot.settings import AppType, Settings
from forum_ops.charts import find_chart
from forum_ops.db import Database, create_database
from forum_ops.ports import Calendar
from forum_ops.scheduler import Job

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """What the running app holds; built at startup, closed at shutdown."""

    services: Services
    http: aiohttp.ClientSession
    tokens: TokenSource
    adapter: CloudAdapter
    bot: ForumBot
    endpoint: MessagesEndpoint
    worker: OutboxWorker
    scheduler: SchedulerWorker


RUNTIME = web.AppKey("runtime", Runtime)
TEMPLATE_PATH = "/returns/inmss-return-template.xlsx"  # the link bot/returns.py puts on its card


def create_app(
    settings: Settings,
    *,
    db: Database | None = None,
    tokens: TokenSource | None = None,
    jobs: Sequence[Job] | None = None,
    calendar: Calendar | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> web.Application:
    """The app; `db`, `tokens`, the scheduled `jobs` and the meetings' `calendar` default to
    what the settings name, `clock` to the system's (tests pass their own)."""
    database = db or create_database(settings.forum_database_url)
    app = web.Application(client_max_size=settings.forum_max_request_bytes)
    answered = asyncio.Event()  # set by the first response: the server is listening

    async def lifespan(app: web.Application) -> AsyncIterator[None]:
        scheduled = registered_jobs(settings) if jobs is None else jobs
        runtime = await _start(
            settings, database, tokens or _token_source(settings), scheduled, calendar, clock
        )
        app[RUNTIME] = runtime
        scheduling = asyncio.create_task(runtime.scheduler.run())
        delivery = asyncio.create_task(runtime.worker.run())
        # pandas, matplotlib, openpyxl...: imported in a thread once the app answers
        warming = asyncio.create_task(warm_up(warm_modules(), answered))
        log.info("app.started", extra={"auth": settings.auth_enabled})
        yield
        warming.cancel()  # the import under way finishes in its thread; the rest are skipped
        runtime.scheduler.stop()
        runtime.worker.stop()
        with contextlib.suppress(TimeoutError):  # let in-flight sends and jobs finish
            await asyncio.wait_for(asyncio.gather(asyncio.shield(delivery), scheduling), 5)
        for task in (scheduling, delivery):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await runtime.http.close()
        await runtime.tokens.close()
        runtime.services.executor.shutdown(wait=True)
        if db is None:
            database.dispose()

    async def messages(request: web.Request) -> web.StreamResponse:
        return await request.app[RUNTIME].endpoint(request)

    async def health(request: web.Request) -> web.Response:
        services = request.app[RUNTIME].services
        try:
            await services.run(_ping, services.db)
        except Exception:
            log.warning("health.database_down", exc_info=True)
            return web.json_response({"status": "unhealthy", "database": "down"}, status=503)
        return web.json_response({"status": "ok", "database": "ok"})

    async def chart(request: web.Request) -> web.Response:
        services = request.app[RUNTIME].services
        png = await services.run(_find_chart, services, request.match_info["token"])
        if png is None:
            raise web.HTTPNotFound(text="no such chart, or it has expired")
        return web.Response(
            body=png, content_type="image/png", headers={"Cache-Control": "private, max-age=86400"}
        )

    async def takeaway_pdf(request: web.Request) -> web.Response:
        """A takeaway's printable page, while its unguessable link lasts (30 days)."""
        services = request.app[RUNTIME].services
        pdf = await services.run(_takeaway_pdf, services, request.match_info["token"])
        if pdf is None:
            raise web.HTTPNotFound(text="no such takeaway, or its link has expired")
        return web.Response(
            body=pdf,
            content_type="application/pdf",
            headers={"Cache-Control": "private, max-age=3600"},
        )

    async def template(request: web.Request) -> web.Response:
        """The INMSS return template: the same workbook for everyone, holding no data."""
        services = request.app[RUNTIME].services
        body = await services.run(await load("bot.returns:return_template"))
        return web.Response(
            body=body,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": 'attachment; filename="inmss-return-template.xlsx"'},
        )

    async def first_response(request: web.Request, response: web.StreamResponse) -> None:
        answered.set()

    app.cleanup_ctx.append(lifespan)
    app.on_response_prepare.append(first_response)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", health)
    app.router.add_get(r"/charts/{token:[A-Za-z0-9_-]{20,64}}.png", chart)
    app.router.add_get(TEMPLATE_PATH, template)
    app.router.add_get(r"/takeaways/{token:[A-Za-z0-9_-]{20,64}}.pdf", takeaway_pdf)
    return app


async def _start(
    settings: Settings,
    db: Database,
    tokens: TokenSource,
    jobs: Sequence[Job],
    calendar: Calendar | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Runtime:
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
    adapter = CloudAdapter(ForumAuthentication(validator, factory))
    adapter.on_turn_error = on_turn_error
    services = Services(
        settings=settings,
        db=db,
        commands=build_commands(),
        actions=build_actions(),
        dialogs=build_dialogs(),
        executor=ThreadPoolExecutor(max_workers=4, thread_name_prefix="forum-db"),
        doorbell=Doorbell(),
        http=http,
        calendar_port=calendar,
        clock=clock,
    )
    bot = ForumBot(services, codec)
    endpoint = MessagesEndpoint(adapter, bot, codec, require_https=settings.auth_enabled)
    worker = OutboxWorker(
        services,
        adapter,
        codec,
        DeliveryPolicy.from_settings(settings),
        services.doorbell,
        dead_letter_notices,
    )
    return Runtime(
        services, http, tokens, adapter, bot, endpoint, worker, SchedulerWorker(services, jobs)
    )


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


def _find_chart(services: Services, token: str) -> bytes | None:
    with services.db.transaction() as session:
        return find_chart(session, token, services.clock())


def _takeaway_pdf(services: Services, token: str) -> bytes | None:
    from cards.takeaway_pdf import takeaway_pdf  # fpdf2 loads on the first download
    from forum_ops.takeaway import takeaway_for_link

    with services.db.transaction() as session:
        found = takeaway_for_link(session, token, services.clock())
    return takeaway_pdf(found) if found is not None else None


def _ping(db: Database) -> None:
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
