"""Fast start (issue 12 item 10): the server listens before botbuilder and SQLAlchemy load, says
truthfully whether it can serve, and holds a message that arrives meanwhile instead of losing it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.app import NotReady, Startup, create_app
from bot.testing import BotClient, FakeConnector, forumbot_serve
from cards import plain_text
from forum_ops.db import Database
from tests.conftest import CAMDEN, ROOT, activity, make_settings, migrated

# What `forumbot serve` must not import before it listens: they load behind the server.
BEHIND_THE_SERVER = ("botbuilder", "botframework", "msrest", "sqlalchemy", "azure", "bot.runtime")
READY = {"status": "ok", "ready": True, "database": "ok"}


async def get(http: aiohttp.ClientSession, url: str) -> tuple[int, Any]:
    async with http.get(url) as response:
        return response.status, await response.json()


def help_message(connector: FakeConnector) -> dict[str, object]:
    return activity(
        "message_channel_mention",
        connector,
        text="<at>ridotest</at> help",
        **{"from.aadObjectId": CAMDEN},
    )


def test_the_server_listens_before_botbuilder_and_sqlalchemy_are_imported() -> None:
    probe = (
        "import sys, bot.cli, bot.app; "
        f"print(' '.join(m for m in sys.modules if m.startswith({BEHIND_THE_SERVER!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, check=True, capture_output=True, text=True
    )
    assert out.stdout.strip() == ""


def test_the_feature_registry_names_its_handlers_and_jobs_without_importing_them() -> None:
    """bot.features references every command, action, upload, search and job (the runtime
    builds its routes and the scheduler from it behind the listening server): no feature's
    module loads with it, nor the cards' renderer (jinja2), nor the analytics' libraries; they
    load with a handler's or a job's first use, or the warm-up. (The view types, plain
    dataclasses in cards.views, are the domain's vocabulary and may load.)"""
    heavy = (
        "pandas", "numpy", "matplotlib", "openpyxl", "analytics", "docx", "rapidfuzz", "jinja2",
        "cards.render", "cards.text",
    )  # fmt: skip
    probe = (
        "import sys, bot.features; "
        f"print(' '.join(m for m in sys.modules if m.split('.')[0] in {heavy!r} "
        f"or m in {heavy!r} or m.startswith('bot.commands.') or m.startswith('forum_ops.report') "
        "or m in ('forum_ops.housekeeping', 'forum_ops.returns.releases')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, check=True, capture_output=True, text=True
    )
    assert out.stdout.strip() == ""


async def test_a_message_sent_while_the_bot_starts_is_held_then_answered(
    tmp_path: Path, connector: FakeConnector
) -> None:
    """The real `forumbot serve`: its first 200 on /healthz comes while the runtime may still be
    loading (on this machine it always is), and a message posted at once is answered."""
    url = f"sqlite:///{tmp_path / 'forum.db'}"
    migrated(url).dispose()
    with forumbot_serve(url, forum_start_hold_seconds="300") as (_, base):
        async with aiohttp.ClientSession() as http:
            first: tuple[int, Any] | None = None
            for _ in range(6000):  # the first answer, however slowly a loaded machine starts
                try:
                    first = await get(http, base + "/healthz")
                    break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.05)
            assert first in ((200, {"status": "starting", "ready": False}), (200, READY))
            if first == (200, READY):
                print("\nthe runtime was ready at the first answer: nothing was held")

            status, _ = await BotClient(base, http).post(help_message(connector))

            assert status == 200  # held until the runtime was built, then served
            [card] = connector.sent_cards()
            assert "whoami" in plain_text(card)  # the help card
            assert await get(http, base + "/healthz") == (200, READY)
            # ready for a load balancer only once warm: the warm-up (pandas, the returns)
            # starts after the first answer and takes seconds, so it is under way now
            warming = (503, {"status": "warming", "ready": False})
            assert await get(http, base + "/readyz") == warming
            readiness = warming
            for _ in range(6000):
                readiness = await get(http, base + "/readyz")
                if readiness != warming:
                    break
                await asyncio.sleep(0.05)
            assert readiness == (200, READY)


async def test_a_bot_that_cannot_start_says_so_and_never_answers_500(
    database: Database, connector: FakeConnector
) -> None:
    settings = make_settings(database, connector, forum_database_url="nosuchdb://nowhere")
    server = TestServer(create_app(settings), host="127.0.0.1")
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(600):
                health = await get(http, base + "/healthz")
                if health[1]["status"] != "starting":
                    break
                await asyncio.sleep(0.05)
            assert health == (503, {"status": "failed", "ready": False})
            assert await get(http, base + "/readyz") == (503, {"status": "failed", "ready": False})
            async with http.post(base + "/api/messages", json=help_message(connector)) as reply:
                assert reply.status == 503
                assert reply.headers["Retry-After"] == "5"
                assert await reply.json() == {"error": "the bot could not start"}
            async with http.get(base + "/returns/inmss-return-template.xlsx") as template:
                assert template.status == 503
        assert connector.sent() == []
    finally:
        await server.close()


async def test_while_starting_a_request_waits_at_most_the_hold_then_is_told_to_retry() -> None:
    startup = Startup(hold=0.05)
    assert startup.state == "starting"
    with pytest.raises(NotReady, match="has not started"):
        await startup.runtime()
    building: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    startup.begin(building)
    with pytest.raises(NotReady, match="starting, try again"):
        await startup.runtime()
    assert not building.done()  # a request that gave up does not cancel the start
    assert startup.built() is None

    waiting = asyncio.create_task(startup.runtime())
    runtime = object()
    building.set_result(runtime)
    assert await waiting is runtime
    assert (startup.state, startup.built()) == ("ready", runtime)


async def test_a_start_that_failed_is_failed_for_every_request() -> None:
    startup = Startup(hold=5)
    building: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    startup.begin(building)
    building.set_exception(RuntimeError("no database driver"))
    with pytest.raises(NotReady, match="could not start"):
        await startup.runtime()
    assert (startup.state, startup.built()) == ("failed", None)


async def test_the_app_says_once_when_its_warm_up_has_settled(
    database: Database, connector: FakeConnector
) -> None:
    """`forumbot serve` freezes the heap then (bot/heap.py): once, after the first warming, not
    at every later one (each freeze would keep that moment's garbage for ever)."""
    settled: list[float] = []
    loop = asyncio.get_running_loop()
    settings = make_settings(database, connector, forum_warm_every_seconds=0.02)
    server = TestServer(create_app(settings, settled=lambda: settled.append(loop.time())))
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            await get(http, str(server.make_url("/healthz")))  # warming starts once answered
            for _ in range(600):
                if settled:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # many more warmings
        assert len(settled) == 1
    finally:
        await server.close()
