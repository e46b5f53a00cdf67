"""Every end-to-end test runs once on each transport (FORUM_TRANSPORT, bot/transports/).

The fixture sets the variable for the test: every Settings the test makes (the `serve` fixtures
in tests/conftest.py) and every `forumbot` process it starts read it, so one test proves one
behaviour on both transports; the test id ends with the transport, e.g. `[agents]`.
"""

from __future__ import annotations

import pytest

from bot.transports import TRANSPORTS


@pytest.fixture(autouse=True, params=TRANSPORTS)
def transport(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    name = str(request.param)
    monkeypatch.setenv("FORUM_TRANSPORT", name)
    return name
