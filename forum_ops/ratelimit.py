"""Sliding-window rate limits: Teams' per-conversation and per-app-and-tenant message limits.

Pure logic over monotonic seconds: `wait(key, now)` says how long until one more message may go,
`record(key, now)` counts one that went. Several windows apply at once (7 a second, 8 per 2 s,
60 per 30 s, 1,800 an hour for a conversation).
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    count: int
    seconds: float

    @staticmethod
    def parse(text: str) -> tuple[Window, ...]:
        """ "7/1,8/2,60/30,1800/3600" -> windows of (count, seconds)."""
        windows = []
        for part in text.split(","):
            count, _, seconds = part.strip().partition("/")
            windows.append(Window(int(count), float(seconds)))
        return tuple(windows)


TEAMS_PER_CONVERSATION = (Window(7, 1), Window(8, 2), Window(60, 30), Window(1800, 3600))
TEAMS_PER_APP_AND_TENANT = (Window(50, 1),)


class SlidingWindows:
    def __init__(
        self, windows: Iterable[Window], margin: float = 0.0, *, paced: bool = False
    ) -> None:
        """`margin` seconds widen every window, for messages that arrive later than they left.
        `paced` spaces messages evenly at the shortest window's rate instead of letting a
        window's whole budget go at once: a burst queues on the way and arrives bunched up,
        which the receiver counts against the next window."""
        ordered = sorted(windows, key=lambda w: w.seconds)
        if not ordered:
            raise ValueError("at least one window is needed")
        self.windows = tuple(Window(w.count, w.seconds + margin) for w in ordered)
        self._spacing = ordered[0].seconds / ordered[0].count if paced else 0.0
        self._span = self.windows[-1].seconds
        self._sent: dict[str, deque[float]] = {}

    def wait(self, key: str, now: float) -> float:
        """Seconds until one more message to `key` keeps every window; 0 if it may go now."""
        sent = self._forget(key, now)
        if not sent:
            return 0.0
        longest = sent[-1] + self._spacing - now if self._spacing else 0.0
        for window in self.windows:
            inside = len(sent) - bisect.bisect_right(sent, now - window.seconds)
            if inside >= window.count:
                # the oldest message that must leave the window before one more fits
                oldest = sent[len(sent) - window.count]
                longest = max(longest, oldest + window.seconds - now)
        return max(longest, 0.0)

    def record(self, key: str, now: float) -> None:
        self._sent.setdefault(key, deque()).append(now)

    def seed(self, key: str, times: Iterable[float]) -> None:
        """Messages a previous holder of this key sent (so limits hold across restarts)."""
        merged = sorted([*self._sent.get(key, ()), *times])
        self._sent[key] = deque(merged)

    def known(self, key: str) -> bool:
        return key in self._sent

    def _forget(self, key: str, now: float) -> deque[float]:
        sent = self._sent.get(key)
        if sent is None:
            return deque()
        while sent and sent[0] <= now - self._span:
            sent.popleft()
        return sent
