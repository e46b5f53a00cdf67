"""A scheduled job that posts to the forum's channel posts to the configured FORUM_CHANNEL_ID
(through run.messenger, which the app builds with it), not to the team where the bot was
installed last: the one place the jobs learn the channel from, now that JobSettings has no
channel of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
from aiohttp.test_utils import TestServer
from sqlalchemy.orm import Session

from bot.app import create_app
from bot.testing import BotClient, FakeConnector
from cards import plain_text, render_card
from cards.views.common import NoticeView
from forum_ops.db import Database
from forum_ops.outbox.conversations import remember_conversation
from forum_ops.ports import Delivery
from forum_ops.scheduler import Job, JobRun, once
from tests.conftest import NOW, make_settings
from tests.support.outboxing import FAST, place

FORUM = "19:forum@thread.tacv2"  # configured
OTHER = "19:other-team@thread.tacv2"  # where the bot was installed last


def post_notice(session: Session, run: JobRun) -> None:
    del session
    card = render_card("notice", NoticeView("Forum notice", "Posted by a scheduled job."))
    run.messenger.to_channel(card, Delivery(f"{run.key}:channel", "notice"))


async def serving(database: Database, connector: FakeConnector) -> AsyncIterator[BotClient]:
    with database.transaction() as session:
        remember_conversation(session, place(connector, FORUM, "channel"), NOW)
        remember_conversation(session, place(connector, OTHER, "channel"), NOW + timedelta(1))
    settings = make_settings(
        database, connector, forum_channel_id=FORUM, forum_scheduler_poll_seconds=0.05, **FAST
    )
    soon = datetime.now(UTC) + timedelta(seconds=1)
    jobs = (Job("test.notice", once(soon), post_notice),)
    server = TestServer(create_app(settings, db=database, jobs=jobs), host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession() as http:
        yield BotClient(str(server.make_url("")), http)
    await server.close()


async def test_a_job_posts_to_the_configured_forum_channel(
    database: Database, connector: FakeConnector
) -> None:
    async for _ in serving(database, connector):
        [call] = await connector.wait_for_sent(1, within=20)

    assert call.conversation_id == FORUM
    assert "Posted by a scheduled job." in plain_text(call.cards[0])
