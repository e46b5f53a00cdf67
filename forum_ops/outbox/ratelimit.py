"""Sliding-window rate limits: Teams' per-conversation and per-app-and-tenant message limits.

Pure logic over monotonic seconds: `wait(key, now)` says how long until one more message may go,
`record(key, now)` counts one that went, `release(key, at)` gives back one the service refused
(it posted nothing). Several windows apply at once (7 a second, 8 per 2 s, 60 per 30 s, 1,800 an
hour for a conversation).
"""

from __future__ import annotations

import bisect
import math
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
# A smoothed window's peak rate against its average: a pause is made up at this pace.
CATCH_UP = 1.25


class SlidingWindows:
    def __init__(self, windows: Iterable[Window], margin: float = 0.0, *, burst: int = 0) -> None:
        """`margin` seconds widen every window, for messages that arrive later than they left.
        `burst` > 0 smooths the shortest window instead of letting its whole budget go at once
        (a burst of 50 queues on the way and arrives bunched, which the receiver counts against
        the next window): at most `burst` messages go together, at no more than CATCH_UP times
        the window's average rate, so that time lost to a pause is made up within the window."""
        ordered = sorted(windows, key=lambda w: w.seconds)
        if not ordered:
            raise ValueError("at least one window is needed")
        widened = [Window(w.count, w.seconds + margin) for w in ordered]
        if burst:
            shortest = ordered[0]
            spacing = shortest.seconds / shortest.count / CATCH_UP
            together = min(burst, shortest.count)
            widened.insert(0, Window(together, together * spacing))
        self.windows = tuple(widened)
        self._span = max(w.seconds for w in widened)
        self._sent: dict[str, deque[float]] = {}

    def wait(self, key: str, now: float) -> float:
        """Seconds until one more message to `key` keeps every window; 0 if it may go now."""
        return self._wait_in(self._forget(key, now), now)

    def _wait_in(self, sent: deque[float], now: float) -> float:
        longest = 0.0
        for window in self.windows:
            inside = len(sent) - bisect.bisect_right(sent, now - window.seconds)
            if inside >= window.count:
                # the oldest message that must leave the window before one more fits
                oldest = sent[len(sent) - window.count]
                ready = oldest + window.seconds
                wait = ready - now
                while now + wait < ready:  # so that `now + wait` is not rounded short of it
                    wait = math.nextafter(wait, math.inf)
                longest = max(longest, wait)
        return max(longest, 0.0)

    def budget(self, key: str, now: float, within: float, most: int) -> int:
        """How many more messages to `key` every window allows by `now + within` (at most
        `most`), were each sent as soon as allowed: what a sender may take in hand for the next
        moment. Changes nothing."""
        sent = deque(self._forget(key, now))
        at, count = now, 0
        while count < most:
            at += self._wait_in(sent, at)
            if at > now + within:
                break
            sent.append(at)
            count += 1
        return count

    def record(self, key: str, now: float) -> None:
        sent = self._sent.setdefault(key, deque())
        if sent and sent[-1] > now:  # keep the times in order for bisect
            bisect.insort(sent, now)
        else:
            sent.append(now)

    def release(self, key: str, at: float) -> None:
        """Forget the message recorded at `at`: the service refused it, so it counts for nothing."""
        sent = self._sent.get(key)
        if sent is not None and at in sent:
            sent.remove(at)

    def move(self, key: str, at: float, to: float) -> None:
        """Count the message recorded at `at` from `to` instead (never earlier)."""
        sent = self._sent.get(key)
        if sent is not None and at in sent and to > at:
            sent.remove(at)
            self.record(key, to)

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


class Throttle:
    """The whole sender's pause after the service answers 429 (as Company Communicator's global
    throttle does), over monotonic seconds.

    The service's Retry-After is obeyed as given. Without one, the pause starts short and doubles
    while 429s keep coming for requests sent after the last pause began, up to `ceiling`; an
    accepted request sent after it starts again from `base`. Requests already in flight when a
    pause began say nothing new: their 429s do not double it.
    """

    def __init__(self, base: float, ceiling: float) -> None:
        self.base, self.ceiling = base, ceiling
        self.until = 0.0
        self._level = 0
        self._since = float("-inf")  # when the last doubling pause began

    def refused(self, sent_at: float, now: float, retry_after: float | None = None) -> float:
        """Count a 429 for a request sent at `sent_at`; returns the pause it causes."""
        if retry_after is not None:
            pause = retry_after
        else:
            if sent_at >= self._since:
                self._level += 1
                self._since = now
            pause = min(self.ceiling, self.base * 2 ** (self._level - 1))
        self.until = max(self.until, now + pause)
        return pause

    def accepted(self, sent_at: float) -> None:
        if sent_at >= self._since:
            self._level = 0

    def wait(self, now: float) -> float:
        return max(self.until - now, 0.0)
