"""Count calls from the domain up into the transport while tests run: a pytest plugin.

    .venv/bin/python -m pytest -p tools.layer_calls tests/e2e/test_asks_bot.py -k ... -s

For each test (its fixtures included) it prints how many calls went from a function in `forum_ops` straight to one in
`bot` (a port implemented in bot/, a callback), and the distinct caller -> callee pairs. The
design wants none: the domain reaches the world through ports whose implementations live
beside it (the outbox messenger) or are handed in as plain values.
"""

from __future__ import annotations

import sys
import threading
from collections import Counter
from collections.abc import Iterator
from types import FrameType
from typing import Any

import pytest

UP = ("forum_ops", "bot")


def _module(frame: FrameType | None) -> str:
    return str(frame.f_globals.get("__name__", "")) if frame is not None else ""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    """From the test's set-up to its tear-down: the app's threads start in its fixtures, and
    Python 3.11 can profile only threads started after the profile is set."""
    pairs: Counter[str] = Counter()

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event != "call":
            return
        callee = _module(frame)
        if not callee.startswith("bot"):
            return
        caller = _module(frame.f_back)
        if caller.startswith("forum_ops"):
            where = f"{caller}.{frame.f_back.f_code.co_name} -> {callee}.{frame.f_code.co_name}"  # type: ignore[union-attr]
            pairs[where] += 1

    threading.setprofile(profile)
    sys.setprofile(profile)
    try:
        yield
    finally:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
    total = sum(pairs.values())
    print(f"\n[layer calls] {item.nodeid}: {total} calls from forum_ops up into bot")
    for where, n in pairs.most_common():
        print(f"    {n:4d}  {where}")
