"""Pressing a card's button as someone, and what the database holds before and after: the
forged-button tests (secretariat-only, chair-or-secretariat, file replies) check that a refused
press changes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import MetaData, select

from bot.testing import BotClient, FakeConnector
from forum_ops.db import Database
from tests.conftest import activity
from tests.support.cardcheck import assert_valid_card

# what a member's message may change whatever it says: its receipt, the reply's delivery, usage
BOOKKEEPING = {"processed_activities", "outbox", "usage_counts", "conversations", "members"}


def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows but the bookkeeping's, in a stable order."""
    tables = MetaData()
    tables.reflect(database.engine)
    with database.engine.connect() as connection:
        return {
            name: sorted(map(tuple, connection.execute(select(table))), key=repr)
            for name, table in tables.tables.items()
            if name not in BOOKKEEPING
        }


async def press(
    bot: BotClient, connector: FakeConnector, who: str, value: dict[str, Any]
) -> dict[str, Any]:
    """`who` presses a message button carrying `value` in their 1:1 chat; the card answered."""
    before = len(connector.sent_cards())
    await bot.post(
        activity(
            "message_value_submit", connector, text="", id=f"m{before}-{who[:4]}",
            value=value,
            **{"from.aadObjectId": who, "conversation.conversationType": "personal",
               "conversation.id": f"a:chat-{who}", "conversation.isGroup": False, "entities": []},
        )
    )  # fmt: skip
    sent = connector.sent_cards()
    assert len(sent) == before + 1
    assert_valid_card(sent[-1])
    return sent[-1]


async def press_universal(
    bot: BotClient, connector: FakeConnector, who: str, value: dict[str, Any]
) -> dict[str, Any]:
    """`who` presses an Action.Execute button carrying `value`; the card the invoke answered."""
    invoke = activity(
        "invoke_adaptiveCard_action",
        connector,
        **{"from.aadObjectId": who, "value.action.data": value},
    )
    status, body = await bot.post(invoke)
    assert status == 200
    assert_valid_card(body["value"])
    card: dict[str, Any] = body["value"]
    return card


Press = Callable[[BotClient, FakeConnector, str, dict[str, Any]], Awaitable[dict[str, Any]]]
# a test pressed both ways: as a message button (Action.Submit) and as Action.Execute
BOTH_WAYS = pytest.mark.parametrize(
    "press_as", [press, press_universal], ids=["message button", "Action.Execute"]
)
