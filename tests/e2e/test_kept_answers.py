"""Answers given again without reading the database, over HTTP through the real app: while
nothing an answer read has changed, and never once something has, wherever the change was
made (another replica or the CLI: another engine on the same database)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, func, select

from bot.testing import BotClient, FakeConnector
from cards import plain_text
from forum_ops.db import Database, create_database
from forum_ops.db.schema import AskRow, MeetingRow
from tests.conftest import CAMDEN, LIIA
from tests.support.chat import say


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """The SQL the app runs on `db` meanwhile."""
    ran: list[str] = []

    def note(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        ran.append(" ".join(sql.split()))

    event.listen(db.engine, "after_cursor_execute", note)
    try:
        yield ran
    finally:
        event.remove(db.engine, "after_cursor_execute", note)


def reading(ran: list[str], table: str) -> list[str]:
    return [s for s in ran if s.startswith("SELECT") and f"FROM {table}" in s]


async def test_an_answer_is_given_again_until_what_it_read_changes_elsewhere(
    bot: BotClient, connector: FakeConnector, database: Database
) -> None:
    first = plain_text(await say(bot, connector, CAMDEN, "meetings"))
    with statements(database) as ran:
        again = plain_text(await say(bot, connector, CAMDEN, "meetings"))
    assert again == first
    assert reading(ran, "meetings") == []  # given again: the meetings were not read

    # another replica (or `forumbot`) adds a meeting: its own engine on the same database
    other = create_database(database.engine.url.render_as_string(hide_password=False))
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    with other.transaction() as session:
        session.add(
            MeetingRow(
                day=when.date().isoformat(),
                starts_at=when,
                minutes=90,
                theme="Transport deep dive",
                status="planned",
                origin="secretariat",
                created_at=when,
                updated_at=when,
            )
        )
    other.dispose()
    with statements(database) as ran:
        after = plain_text(await say(bot, connector, CAMDEN, "meetings"))
    assert "Transport deep dive" not in first
    assert "Transport deep dive" in after
    assert reading(ran, "meetings")  # read afresh


async def test_answers_are_kept_per_member_and_changes_are_never_kept(
    bot: BotClient, connector: FakeConnector, database: Database
) -> None:
    camden = plain_text(await say(bot, connector, CAMDEN, "whoami"))
    liia = plain_text(await say(bot, connector, LIIA, "whoami"))
    assert camden != liia
    assert camden == plain_text(await say(bot, connector, CAMDEN, "whoami"))

    # the same words twice are two asks: a command that changes something runs every time
    question = "ask Does anyone commission travel training for post-16 learners?"
    await say(bot, connector, CAMDEN, question)
    await say(bot, connector, CAMDEN, question)
    with database.transaction() as session:
        asked = session.scalar(select(func.count()).select_from(AskRow))
    assert asked == 2
    # and a list read before them shows both (the asks' tables changed)
    listed = plain_text(await say(bot, connector, CAMDEN, "asks mine"))
    assert listed.count("travel training") == 2
