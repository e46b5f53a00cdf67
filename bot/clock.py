"""The Clock port: the system's time, in UTC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from forum_ops.ports import Clock


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


_PORT: type[Clock] = SystemClock  # mypy holds the class to the port's shape


class CallableClock:
    """The Clock port over a function (the `Services.clock` the app was built with)."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now()


_OVER_A_FUNCTION: type[Clock] = CallableClock
