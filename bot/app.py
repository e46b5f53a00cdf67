"""The composition root: `create_app(settings)` listens at once and builds the rest behind it.

Start-up in two steps, so `forumbot serve` answers /healthz within a second or two:

1. `create_app` makes the aiohttp app with its routes; only aiohttp and the settings are
   imported, and the server starts listening.
2. In the app's startup, `Startup` imports bot/runtime.py in a worker thread (botbuilder, msrest,
   SQLAlchemy: most of start-up) and builds the Runtime there (adapter, store, handlers, outbox
   and scheduler workers). Then the features' modules (pandas, matplotlib...) are warmed.

    starting ──runtime built──> ready
        └──────build failed───> failed   (503 everywhere; the log says why)

While starting, GET /healthz answers 200 with `"ready": false` (the process is alive), GET
/readyz answers 503, and POST /api/messages is held until the runtime is ready (at most
FORUM_START_HOLD_SECONDS, under Teams' 15 s timeout; then 503 with Retry-After): a message
that arrives while the bot starts is answered a little late rather than refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.lazy import import_apart, later, warm_up
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.commands.inmss import returns
    from bot.connector import TokenSource
    from bot.runtime import Runtime
    from bot.services import Services
    from forum_ops.db import Database
    from forum_ops.ports import Calendar, Clock
    from forum_ops.scheduler import Job
else:
    returns = later("bot.commands.inmss.returns")  # openpyxl: on the first download

log = logging.getLogger(__name__)

TEMPLATE_PATH = (
    "/returns/inmss-return-template.xlsx"  # the link bot/commands/inmss/returns.py puts on its card
)
# Kept files served at a link, by extension: only what is not private (forum_ops/report_files.py).
# Reports (the asks report, the quarterly report) are offered in Teams instead, never served.
REPORT_TYPES = {
    "ics": "text/calendar",  # a meeting's calendar file in local mode (bot/commands/meetings/commands.py)
}


class NotReady(Exception):
    """The runtime is not built (yet, or at all); the message says which."""


class Startup:
    """The runtime being built in the background, and whether it is ready."""

    def __init__(self, hold: float) -> None:
        self._built: asyncio.Future[Runtime] | None = None
        self.hold = hold  # seconds a request waits for the runtime while it is being built
        self.started = time.monotonic()

    def begin(self, build: asyncio.Future[Runtime]) -> None:
        self._built = build

    @property
    def state(self) -> str:
        if self._built is None or not self._built.done():
            return "starting"
        return "failed" if self._built.cancelled() or self._built.exception() else "ready"

    async def runtime(self) -> Runtime:
        """The runtime, waiting up to `hold` seconds for it; NotReady if it is not built."""
        if self._built is None:
            raise NotReady("the app has not started")
        try:
            return await asyncio.wait_for(asyncio.shield(self._built), self.hold)
        except TimeoutError as error:
            raise NotReady("the bot is starting, try again") from error
        except Exception as error:  # the build failed: logged where it failed
            raise NotReady("the bot could not start") from error

    def built(self) -> Runtime | None:
        return self._built.result() if self.state == "ready" and self._built else None


STARTUP = web.AppKey("startup", Startup)


def create_app(
    settings: Settings,
    *,
    db: Database | None = None,
    tokens: TokenSource | None = None,
    jobs: Sequence[Job] | None = None,
    calendar: Calendar | None = None,
    clock: Clock | None = None,
    settled: Callable[[], object] = lambda: None,
) -> web.Application:
    """The app; `db`, `tokens`, the scheduled `jobs` and the meetings' `calendar` default to
    what the settings name, and `clock` to the system's (tests pass their own). `settled` is
    called once when the warm-up has imported the features' modules and read their data."""
    app = web.Application(client_max_size=settings.forum_max_request_bytes)
    startup = app[STARTUP] = Startup(settings.forum_start_hold_seconds)
    answered = asyncio.Event()  # set by the first response: the server is listening
    warmed = asyncio.Event()  # the features' modules imported and their data read

    def on_settled() -> None:
        warmed.set()
        settled()

    async def lifespan(app: web.Application) -> AsyncIterator[None]:
        building = asyncio.ensure_future(
            _build(settings, db, tokens, jobs, calendar, clock, startup)
        )
        startup.begin(building)
        every = settings.forum_warm_every_seconds  # after the imports, the data, now and then
        warm = settings.forum_warm_at_start
        warming = asyncio.create_task(
            _warm_when_ready(building, answered, every, on_settled) if warm else _nothing()
        )
        if not warm:
            warmed.set()
        yield
        warming.cancel()  # the import under way finishes in its thread; the rest are skipped
        if not building.done():
            building.cancel()  # an import under way finishes in its thread; nothing is built
        with contextlib.suppress(asyncio.CancelledError, Exception):
            runtime = await building
            await runtime.close()

    async def messages(request: web.Request) -> web.StreamResponse:
        try:
            runtime = await startup.runtime()
        except NotReady as error:
            return _unavailable(str(error))
        return await runtime.endpoint(request)

    async def health(request: web.Request) -> web.Response:
        """Alive (200) while starting and when ready; 503 if start-up failed or the database
        does not answer. `ready` says whether the bot can serve messages now."""
        runtime = startup.built()
        if runtime is None:
            state = startup.state
            body = {"status": state, "ready": False}
            return web.json_response(body, status=503 if state == "failed" else 200)
        return await _database_health(runtime)

    async def ready(request: web.Request) -> web.Response:
        """200 only when the bot can serve messages at full speed (for a load balancer's
        readiness probe): built, and warmed (a message that comes while the warm-up imports
        pandas and reads the returns is served, but waits behind it for seconds)."""
        runtime = startup.built()
        if runtime is None:
            return web.json_response({"status": startup.state, "ready": False}, status=503)
        if not warmed.is_set():
            return web.json_response({"status": "warming", "ready": False}, status=503)
        return await _database_health(runtime)

    async def chart(request: web.Request) -> web.Response:
        try:
            runtime = await startup.runtime()
        except NotReady as error:
            return _unavailable(str(error))
        png = await runtime.services.run(runtime.chart_png, request.match_info["token"])
        if png is None:
            raise web.HTTPNotFound(text="no such chart, or it has expired")
        return web.Response(
            body=png, content_type="image/png", headers={"Cache-Control": "private, max-age=86400"}
        )

    async def takeaway_pdf(request: web.Request) -> web.Response:
        """A takeaway's printable page, while its unguessable link lasts (30 days)."""
        try:
            runtime = await startup.runtime()
        except NotReady as error:
            return _unavailable(str(error))
        services = runtime.services
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
        try:
            runtime = await startup.runtime()
        except NotReady as error:
            return _unavailable(str(error))
        body = await runtime.services.run(returns.return_template)  # imported in that thread
        return web.Response(
            body=body,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": 'attachment; filename="inmss-return-template.xlsx"'},
        )

    async def report_file(request: web.Request) -> web.Response:
        """A kept file that is not private (a meeting's calendar file): the token is the
        secret, and expires in a week. A report offered to a member is never served here."""
        from forum_ops.report_files import find_file

        try:
            runtime = await startup.runtime()
        except NotReady as error:
            return _unavailable(str(error))
        services = runtime.services
        found = await services.run(
            find_file, services.db, request.match_info["token"], services.clock.now()
        )
        if found is None or found[0] != request.match_info["name"]:
            raise web.HTTPNotFound(text="no such report, or it has expired")
        kind = REPORT_TYPES.get(found[0].rpartition(".")[2], "application/octet-stream")
        return web.Response(
            body=found[1],
            content_type=kind,
            headers={
                "Content-Disposition": f'attachment; filename="{found[0]}"',
                "Cache-Control": "private, no-store",
            },
        )

    async def first_response(request: web.Request, response: web.StreamResponse) -> None:
        answered.set()

    app.cleanup_ctx.append(lifespan)
    app.on_response_prepare.append(first_response)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", health)
    app.router.add_get("/readyz", ready)
    app.router.add_get(r"/charts/{token:[A-Za-z0-9_-]{20,64}}.png", chart)
    app.router.add_get(TEMPLATE_PATH, template)
    app.router.add_get(r"/takeaways/{token:[A-Za-z0-9_-]{20,64}}.pdf", takeaway_pdf)
    app.router.add_get(
        r"/reports/{token:[A-Za-z0-9_-]{20,64}}/{name:[A-Za-z0-9._-]{1,100}}", report_file
    )
    return app


async def _build(
    settings: Settings,
    db: Database | None,
    tokens: TokenSource | None,
    jobs: Sequence[Job] | None,
    calendar: Calendar | None,
    clock: Clock | None,
    startup: Startup,
) -> Runtime:
    """Import the runtime's module off the event loop (the server keeps answering meanwhile),
    then build it on the loop."""
    try:
        runtime_module: Any = await import_apart("bot.runtime")
        runtime: Runtime = await runtime_module.start(settings, db, tokens, jobs, calendar, clock)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("app.start_failed")
        raise
    log.info(
        "app.started",
        extra={
            "auth": settings.auth_enabled,
            "seconds": round(time.monotonic() - startup.started, 2),
        },
    )
    return runtime


async def _warm_when_ready(
    building: asyncio.Future[Runtime],
    answered: asyncio.Event,
    every: float,
    settled: Callable[[], object],
) -> None:
    """pandas, matplotlib, openpyxl...: imported in a thread once the runtime is built and the
    app has answered; never if start-up failed. Then the features' data (bot/warm.py), now and
    every `every` seconds."""
    try:
        runtime = await asyncio.shield(building)
    except Exception:  # logged by _build
        return
    from bot.features import warm_modules
    from bot.warm import keep_warm

    importing = asyncio.create_task(warm_up(warm_modules(), answered))
    try:
        await keep_warm(runtime.services, importing, every, settled)
    finally:
        importing.cancel()


async def _database_health(runtime: Runtime) -> web.Response:
    try:
        await runtime.services.run(runtime.ping)
    except Exception:
        log.warning("health.database_down", exc_info=True)
        return web.json_response(
            {"status": "unhealthy", "ready": False, "database": "down"}, status=503
        )
    return web.json_response({"status": "ok", "ready": True, "database": "ok"})


def _unavailable(reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=503, headers={"Retry-After": "5"})


def _takeaway_pdf(services: Services, token: str) -> bytes | None:
    from cards.takeaway_pdf import takeaway_pdf  # fpdf2 loads on the first download
    from forum_ops.meetings.takeaway import takeaway_for_link

    with services.db.transaction() as session:
        found = takeaway_for_link(session, token, services.clock.now())
    return takeaway_pdf(found) if found is not None else None


async def _nothing() -> None:
    """No warm-up (FORUM_WARM_AT_START=false): modules load when first used."""
