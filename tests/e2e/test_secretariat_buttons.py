"""A member replays (or forges) a secretariat-only button: every one answers "Only the forum's
secretariat can …" and changes nothing, over HTTP through the real app. The verbs and commands
are read from bot/features.py, so a new secretariat-only one without a case here fails."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.features import FEATURES, SECRETARIAT
from bot.testing import BotClient, FakeConnector
from cards import plain_text
from forum_ops.db import Database
from forum_ops.demo import load_feature_demos
from forum_ops.directory.recommendations import import_tracker
from forum_ops.directory.service import suggest_entry
from tests.conftest import CAMDEN, LIIA, NOW, make_settings, serve
from tests.support.buttons import BOTH_WAYS, Press, press, snapshot
from tests.support.fakes import FakeClock
from tests.support.members import member

SUGGESTION = {
    "name": "North London SEND Transport Network",
    "kind": "informal network",
    "scope": "sub-region",
    "topics": "home to school transport",
    "offers": "Transport leads compare routes.",
    "how_to_join": "Ask the convenor.",
    "link": "https://example.org/send-transport",
    "contact": "convenor@example.org",
    "owner": "Barnet",
}
ENTRY = 0  # replaced by the suggested entry's id

# (the button's data, what the refusal says may be done): every secretariat-only action verb and
# every secretariat-only command a button can run (command.run), and `tor open`
BUTTONS: list[tuple[dict[str, Any], str]] = [
    ({"verb": "directory.approve", "entry": ENTRY}, "approve and check directory entries"),
    ({"verb": "directory.decline", "entry": ENTRY}, "approve and check directory entries"),
    ({"verb": "directory.checked", "entry": ENTRY}, "approve and check directory entries"),
    (
        {"verb": "directory.takeaway", "title": "Forged", "summary": "Forged", "link": ""},
        "approve and check directory entries",
    ),
    (
        {"verb": "recommendation.update", "number": 13, "status": "done", "rag": "green"},
        "update the recommendations tracker",
    ),
    ({"verb": "command.run", "command": "announce", "args": "Forged news"}, "use announce"),
    ({"verb": "command.run", "command": "outbox", "args": ""}, "use outbox"),
    ({"verb": "command.run", "command": "report", "args": "quarterly 2026Q1"}, "use report"),
    ({"verb": "command.run", "command": "tor", "args": "open 1"}, "open a ratification"),
]
SECRETARIAT_VERBS = {"directory.approve", "directory.decline", "directory.checked",
                     "directory.takeaway", "recommendation.update"}  # fmt: skip


@pytest.fixture
async def bot(database: Database, connector: FakeConnector) -> AsyncIterator[BotClient]:
    global ENTRY
    load_feature_demos(database, NOW)
    import_tracker(database, "number,status,rag\n13,in progress,amber\n", NOW)
    entry = suggest_entry(database, FakeClock(NOW), member(database, CAMDEN), SUGGESTION)
    ENTRY = entry.id
    # no scheduled jobs: their first run would change tables between a test's two snapshots
    async for client in serve(make_settings(database, connector), database, jobs=()):
        yield client


def test_every_secretariat_only_verb_and_command_has_a_case() -> None:
    verbs = {verb for feature in FEATURES for verb in feature.actions}
    commands = {c.name for f in FEATURES for c in f.commands if c.roles == SECRETARIAT}
    pressed = {data["verb"] for data, _ in BUTTONS}
    run = {data["command"] for data, _ in BUTTONS if data["verb"] == "command.run"}

    assert verbs >= SECRETARIAT_VERBS  # the verbs still exist under these names
    assert pressed >= SECRETARIAT_VERBS
    assert run >= commands


EACH_BUTTON = pytest.mark.parametrize(
    ("data", "what"), BUTTONS, ids=[f"{d['verb']}:{d.get('command', '')}" for d, _ in BUTTONS]
)


def pressed_value(data: dict[str, Any]) -> dict[str, Any]:
    """The button's data as pressed: a directory button names the real entry."""
    return {**data, "entry": ENTRY} if "entry" in data else data


@BOTH_WAYS
@EACH_BUTTON
async def test_a_member_pressing_a_secretariat_button_is_refused_and_nothing_changes(
    bot: BotClient,
    connector: FakeConnector,
    database: Database,
    data: dict[str, Any],
    what: str,
    press_as: Press,
) -> None:
    before = snapshot(database)

    card = await press_as(bot, connector, CAMDEN, pressed_value(data))

    assert f"Only the forum's secretariat can {what}" in plain_text(card)
    assert snapshot(database) == before


async def test_the_secretariat_pressing_them_is_not_refused(
    bot: BotClient, connector: FakeConnector
) -> None:
    card = await press(bot, connector, LIIA, {"verb": "directory.approve", "entry": ENTRY})

    assert "Only the forum's secretariat" not in plain_text(card)
    assert "approved" in plain_text(card)
