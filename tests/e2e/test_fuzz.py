"""A bounded fuzz of POST /api/messages: hostile activities never get a 5xx (issue 11, item 7).

The real app over HTTP, with the fake connector; the cases are the real Teams shapes mutated
(tests/support/fuzzing.py). A longer run against `forumbot serve`: bench/fuzz.py.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings

from bot.testing import BotClient, FakeConnector
from tests.conftest import TENANT
from tests.support.examples import examples
from tests.support.fuzzing import base_activities, cases

EXAMPLES = 2000
seen: Counter[int] = Counter()


@settings(
    max_examples=examples(EXAMPLES),
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one app serves every case, as in production
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(data=cases(base_activities("http://127.0.0.1:9/", TENANT)))
async def test_no_activity_gets_a_5xx(
    bot: BotClient, connector: FakeConnector, data: bytes
) -> None:
    body = data.replace(b"http://127.0.0.1:9/", connector.service_url.encode())
    status, answer = await bot.post(body)
    seen[status] += 1
    assert status < 500, (status, answer, body[:500])


async def test_the_server_still_answers_after_the_fuzz(bot: BotClient) -> None:
    async with bot._http.get(bot.messages_url.replace("/api/messages", "/healthz")) as response:
        assert response.status == 200
