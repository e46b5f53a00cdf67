"""Sliding windows keep every Teams limit at once."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from forum_ops.ratelimit import TEAMS_PER_CONVERSATION, SlidingWindows, Window


def send_greedily(limiter: SlidingWindows, count: int, start: float = 0.0) -> list[float]:
    """Send `count` messages as early as the limiter allows; returns when each went."""
    now, times = start, []
    for _ in range(count):
        now += limiter.wait("c", now)
        limiter.record("c", now)
        times.append(now)
    return times


def most_in_any_window(times: list[float], seconds: float) -> int:
    return max(sum(1 for t in times if s <= t < s + seconds) for s in times)


def test_teams_limits_shape_a_burst() -> None:
    times = send_greedily(SlidingWindows(TEAMS_PER_CONVERSATION), 70)
    assert most_in_any_window(times, 1) <= 7
    assert most_in_any_window(times, 2) <= 8
    assert most_in_any_window(times, 30) <= 60
    assert times[7] >= 1.0  # the 8th waits for the first second to pass
    assert times[60] >= 30.0  # ...and the 61st for the first 30 s


def test_keys_are_limited_separately() -> None:
    limiter = SlidingWindows([Window(1, 1)])
    limiter.record("a", 0.0)
    assert limiter.wait("a", 0.5) == 0.5
    assert limiter.wait("b", 0.5) == 0.0


def test_seeded_history_counts() -> None:
    limiter = SlidingWindows([Window(2, 10)])
    limiter.seed("c", [1.0, 2.0])
    assert limiter.wait("c", 5.0) == 6.0


def test_windows_parse_from_configuration() -> None:
    assert Window.parse("7/1, 8/2,1800/3600") == (Window(7, 1), Window(8, 2), Window(1800, 3600))


@settings(max_examples=200, deadline=None)
@given(
    windows=st.lists(st.tuples(st.integers(1, 20), st.floats(0.1, 50)), min_size=1, max_size=4),
    count=st.integers(1, 120),
)
def test_greedy_sending_never_breaks_any_window(
    windows: list[tuple[int, float]], count: int
) -> None:
    limits = [Window(n, s) for n, s in windows]
    times = send_greedily(SlidingWindows(limits), count)
    for window in limits:
        assert most_in_any_window(times, window.seconds) <= window.count


def test_paced_windows_space_messages_evenly_and_lose_no_throughput() -> None:
    limiter = SlidingWindows([Window(50, 1)], paced=True)
    times = send_greedily(limiter, 151)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.02 - 1e-9
    assert most_in_any_window(times, 1) <= 50
    assert times[-1] <= 3.0 + 1e-9  # the same as bursts of 50 at 0, 1, 2 and 3 s
