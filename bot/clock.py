"""The Clock port: the system's time, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from forum_ops.ports import Clock


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


_PORT: type[Clock] = SystemClock  # mypy holds the class to the port's shape
