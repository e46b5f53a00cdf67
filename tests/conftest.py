"""Fixtures: a real SQLite file, the fake Bot Connector, and the real app on a loopback port."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from bot.app import create_app
from bot.connector import StaticToken
from bot.settings import Settings
from bot.testing import BotClient, FakeConnector, load_activity, wait_healthy
from forum_ops.db import Database, create_database
from forum_ops.install import upgrade
from forum_ops.members.model import Role
from forum_ops.members.registry import MemberRecord, upsert_members
from forum_ops.scheduler import Job
from tests.support.examples import load_profile

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FORUM_SHARED_DIR", ROOT.parent / "shared"))
ACTIVITIES = SHARED / "data" / "teams-activities"
AC_SCHEMA = SHARED / "schemas" / "adaptive-card" / "adaptive-card-1.5.json"

TENANT = "4f1c2a6e-7b1d-4e0a-9c55-0a8e3d2b1f10"
OTHER_TENANT = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"
APP_ID = "2b8f0c3a-1111-4a5b-9c8d-7e6f5a4b3c2d"
CAMDEN = "11111111-2222-4333-8444-555555555555"  # a member and data submitter of Camden
LIIA = "66666666-7777-4888-9999-000000000000"  # the secretariat
STRANGER = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"  # not in the registry
NOW = datetime(2026, 1, 22, 10, 0, tzinfo=UTC)

load_profile()  # few examples in the quick loop, the full count under make test (CI)


def seed_members(db: Database) -> None:
    records = [
        MemberRecord(
            CAMDEN,
            "Priya Shah",
            "priya.shah@camden.example",
            "202",
            frozenset({Role.MEMBER, Role.DATA_SUBMITTER}),
            ("S75", "transport"),
        ),
        MemberRecord(
            LIIA,
            "Sam Okafor",
            "sam.okafor@liia.example",
            "LIIA",
            frozenset({Role.MEMBER, Role.SECRETARIAT}),
            (),
        ),
    ]
    with db.transaction() as session:
        upsert_members(session, records, NOW)


# A PostgreSQL server the storage tests may create databases on (`.ci/postgres` prints one).
POSTGRES_URL = os.environ.get("FORUM_TEST_POSTGRES_URL", "")


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must test PostgreSQL: .ci/run sets FORUM_TEST_POSTGRES_URL")
        pytest.skip("FORUM_TEST_POSTGRES_URL is not set (.ci/postgres starts a server)")
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"forum_test_{uuid.uuid4().hex[:12]}"
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.url.set(database=name).render_as_string(hide_password=False)
    finally:
        try:
            _drop_database(server, name)
        finally:
            server.dispose()


def _drop_database(server: Engine, name: str, attempts: int = 5) -> None:
    """DROP ... WITH (FORCE) ends the test's own leftover sessions, but not an autovacuum worker
    unless the role may signal it (.ci/postgres grants pg_signal_backend); one finishes quickly."""
    for attempt in range(attempts):
        try:
            with server.connect() as connection:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            return
        except DBAPIError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5 * (attempt + 1))


def migrated(url: str) -> Database:
    db = create_database(url)
    upgrade(db)
    seed_members(db)
    return db


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """A migrated, seeded SQLite file: what the app runs on by default."""
    db = migrated(f"sqlite:///{tmp_path / 'forum.db'}")
    yield db
    db.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The storage tests' database: SQLite, and PostgreSQL where a server is configured."""
    if request.param == "sqlite":
        db = migrated(f"sqlite:///{tmp_path / 'forum.db'}")
        yield db
        db.dispose()
        return
    with postgres_database() as url:
        db = migrated(url)
        yield db
        db.dispose()


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    async with FakeConnector() as fake:
        yield fake


def make_settings(db: Database, connector: FakeConnector, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "microsoft_app_id": "",
        "microsoft_app_password": "",
        "forum_database_url": db.engine.url.render_as_string(hide_password=False),
        "forum_allowed_tenants": TENANT,
        "forum_openid_metadata_url": connector.metadata_url,
        "forum_public_url": "http://127.0.0.1:3978",
        "forum_disclosure_cell_key_secret": "test cell-key secret: 32 characters or more",
    }
    if not overrides.get("microsoft_app_id"):
        values["forum_test_file_origins"] = connector.url  # the fake serves uploads over http
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def secured_settings(db: Database, connector: FakeConnector, **overrides: object) -> Settings:
    """Settings with an app id: every inbound request needs a channel token (`signed`)."""
    return make_settings(
        db, connector, microsoft_app_id=APP_ID, microsoft_app_password="x", **overrides
    )


def signed(connector: FakeConnector) -> str:
    """A valid channel token: signed by the fake's published key, for our app id and the fake's
    serviceUrl."""
    return connector.token(APP_ID, connector.service_url)


OUTBOUND_TOKEN = "outbound-app-token"


async def serve(
    settings: Settings, db: Database, jobs: Sequence[Job] | None = None
) -> AsyncIterator[BotClient]:
    """The real app on a loopback port; `jobs` are the scheduled jobs it runs (default: all)."""
    tokens = StaticToken(OUTBOUND_TOKEN) if settings.auth_enabled else None
    server = TestServer(create_app(settings, db=db, tokens=tokens, jobs=jobs), host="127.0.0.1")
    await server.start_server()
    base_url = str(server.make_url("")).rstrip("/")
    await wait_healthy(base_url, within=60, poll=0.01)  # the runtime is built behind the server
    async with aiohttp.ClientSession() as http:
        yield BotClient(str(server.make_url("")), http)
    await server.close()


@pytest.fixture
async def bot(database: Database, connector: FakeConnector) -> AsyncIterator[BotClient]:
    async for client in serve(make_settings(database, connector), database):
        yield client


@pytest.fixture
async def secured(database: Database, connector: FakeConnector) -> AsyncIterator[BotClient]:
    """The app with an app id: tokens are checked."""
    async for client in serve(secured_settings(database, connector), database):
        yield client


def activity(payload: str, connector: FakeConnector, **rewrite: object) -> dict[str, object]:
    """A real captured Teams payload from shared/, pointed at the fake connector and our tenant.
    An invoke gets an id of its own, as each press does in Teams (a redelivery keeps its id)."""
    rewrite.setdefault("tenant", TENANT)
    if payload.startswith("invoke"):
        rewrite.setdefault("id", f"f:{uuid.uuid4().hex}")
    return load_activity(
        ACTIVITIES / f"{payload}.json", serviceUrl=connector.service_url, **rewrite
    )


# The app with data in it, for the commands that read it (e2e tests of several files use them)


@pytest.fixture
async def bot_with_returns(
    database: Database, connector: FakeConnector
) -> AsyncIterator[BotClient]:
    from analytics.returns_synthetic import synthetic_returns
    from forum_ops.members.reference import LOCAL_AUTHORITIES
    from forum_ops.returns.releases import release_now
    from forum_ops.returns.service import Submission, replace_return
    from tests.support.chat import GREENWICH

    member = MemberRecord(
        GREENWICH, "Ola Bello", "ola@greenwich.example", "203", frozenset({Role.MEMBER}), ()
    )
    returns = synthetic_returns([la.code for la in LOCAL_AUTHORITIES], total=1500).placements
    with database.transaction() as session:
        upsert_members(session, [member], NOW)
        for borough, frame in returns.groupby("borough"):
            replace_return(session, Submission(str(borough), "2025-26", "demo", "x"), frame, NOW)
        release_now(session, NOW, "schedule")  # London's figures come from a release
    async for client in serve(make_settings(database, connector), database):
        yield client


@pytest.fixture
async def bot_with_data(database: Database, connector: FakeConnector) -> AsyncIterator[BotClient]:
    from tests.support.sen2data import import_release

    import_release(database)
    async for client in serve(make_settings(database, connector), database):
        yield client
