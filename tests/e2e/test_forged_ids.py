"""Every card verb pressed with forged ids out of any column's range, not numbers, or far too
long: each gets an answer in words, never "something went wrong" (a failed turn). Pressed by the
secretariat, whose roles take a press past every role check to the lookups behind it. The verbs
are read from bot/features.py, so a new verb is pressed here too."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.features import FEATURES
from bot.testing import BotClient, FakeConnector
from cards import plain_text
from forum_ops.db import Database
from forum_ops.demo import load_feature_demos
from tests.conftest import LIIA, NOW, activity, make_settings, serve
from tests.support.cardcheck import assert_valid_card

# the keys cards carry ids and numbers in (cards/templates/*.json)
ID_KEYS = (
    "item",
    "meeting",
    "entry",
    "ask",
    "reply",
    "ratification",
    "number",
    "offset",
    "version",
    "page",
)
FORGED = (2**70, -(2**63) - 1, 10**18, "9" * 5000, "1; drop table asks", 1.5, None, [1], {"id": 1})
FAILED = "Sorry, something went wrong on my side"


@pytest.fixture
async def bot(any_database: Database, connector: FakeConnector) -> AsyncIterator[BotClient]:
    """On SQLite and on PostgreSQL: their integers overflow differently."""
    load_feature_demos(any_database, NOW)
    async for client in serve(make_settings(any_database, connector), any_database):
        yield client


async def test_no_verb_fails_on_a_forged_id(bot: BotClient, connector: FakeConnector) -> None:
    verbs = sorted({verb for feature in FEATURES for verb in feature.actions})
    failed, refused = [], 0
    for verb in verbs:
        for value in FORGED:
            data = {"verb": verb, "query": "ASD", "title": "t", "summary": "s", "choice": "yes",
                    "hash": "x", **dict.fromkeys(ID_KEYS, value)}  # fmt: skip
            invoke = activity(
                "invoke_adaptiveCard_action",
                connector,
                **{"from.aadObjectId": LIIA, "value.action.data": data},
            )
            status, body = await bot.post(invoke)
            card = body.get("value") if isinstance(body, dict) else None
            if status != 200 or not isinstance(card, dict) or FAILED in plain_text(card):
                failed.append((verb, repr(value)[:20], status))
            else:
                assert_valid_card(card)
                refused += plain_text(card).startswith("That didn't work")

    assert failed == []
    assert refused > len(verbs)  # answers from the member's own turns, not a "join" card
