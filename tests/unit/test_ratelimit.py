"""Sliding windows keep every Teams limit at once."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forum_ops.outbox.ratelimit import TEAMS_PER_CONVERSATION, SlidingWindows, Throttle, Window
from tests.support.examples import examples


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


@settings(max_examples=examples(200), deadline=None)
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


def test_a_smoothed_window_sends_a_few_at_a_time_and_loses_no_throughput() -> None:
    limiter = SlidingWindows([Window(50, 1)], burst=5)
    times = send_greedily(limiter, 151)
    assert most_in_any_window(times, 1) <= 50
    assert most_in_any_window(times, 0.079) <= 5  # never the whole second's budget at once
    assert times[-1] <= 3.0 + 1e-9  # the same as bursts of 50 at 0, 1, 2 and 3 s


def test_a_pause_is_made_up_within_the_window() -> None:
    limiter = SlidingWindows([Window(50, 1)], burst=5)
    for n in range(15):  # 50 a second for 0.3 s, then nothing until 0.5 s
        limiter.record("c", n * 0.02)
    times = send_greedily(limiter, 35, start=0.5)
    assert times[-1] < 1.0  # the second still carries its 50
    assert most_in_any_window([n * 0.02 for n in range(15)] + times, 1) <= 50


def test_a_released_message_no_longer_counts() -> None:
    limiter = SlidingWindows([Window(2, 1)])
    limiter.record("c", 0.0)
    limiter.record("c", 0.1)
    assert limiter.wait("c", 0.2) == pytest.approx(0.8)
    limiter.release("c", 0.1)
    assert limiter.wait("c", 0.2) == 0.0
    limiter.release("c", 0.7)  # never recorded: nothing changes
    limiter.record("c", 0.3)
    assert limiter.wait("c", 0.4) == pytest.approx(0.6)


def test_a_message_counted_from_its_answer_pushes_the_next_one_back() -> None:
    """A send that took 0.3 s on its way counts from when it was answered, so the next message
    keeps its spacing from the arrival, not from the slot."""
    limiter = SlidingWindows([Window(1, 1)])
    limiter.record("c", 0.0)
    limiter.move("c", 0.0, 0.3)
    assert limiter.wait("c", 1.0) == pytest.approx(0.3)
    limiter.move("c", 0.3, 0.1)  # never earlier
    assert limiter.wait("c", 1.0) == pytest.approx(0.3)
    limiter.move("c", 5.0, 6.0)  # never recorded: nothing changes
    assert limiter.wait("c", 1.3) == 0.0


def test_a_late_record_keeps_the_times_in_order() -> None:
    limiter = SlidingWindows([Window(2, 1)])
    limiter.record("c", 0.5)
    limiter.record("c", 0.2)  # counted at the moment the limits allowed it
    assert limiter.wait("c", 0.6) == pytest.approx(0.6)


def test_a_throttle_obeys_retry_after() -> None:
    throttle = Throttle(base=0.05, ceiling=60)
    assert throttle.refused(sent_at=0.0, now=0.01, retry_after=1.0) == 1.0
    assert throttle.wait(0.5) == pytest.approx(0.51)
    assert throttle.wait(1.2) == 0.0


def test_a_throttle_doubles_while_429s_keep_coming_and_starts_again_after_a_success() -> None:
    throttle = Throttle(base=0.05, ceiling=0.3)
    assert throttle.refused(sent_at=0.0, now=0.01) == 0.05
    assert throttle.refused(sent_at=0.07, now=0.08) == 0.1  # sent after the pause: still refused
    assert throttle.refused(sent_at=0.2, now=0.21) == 0.2
    assert throttle.refused(sent_at=0.5, now=0.51) == 0.3  # the ceiling
    throttle.accepted(sent_at=0.3)  # sent before the last pause began: proves nothing
    assert throttle.refused(sent_at=0.9, now=0.91) == 0.3
    throttle.accepted(sent_at=1.3)
    assert throttle.refused(sent_at=1.4, now=1.41) == 0.05


def test_429s_for_requests_already_in_flight_do_not_double_the_pause() -> None:
    throttle = Throttle(base=0.05, ceiling=60)
    throttle.refused(sent_at=0.0, now=0.010)
    assert throttle.refused(sent_at=0.004, now=0.012) == 0.05  # sent before the pause began
    assert throttle.refused(sent_at=0.008, now=0.013) == 0.05
    assert throttle.wait(0.013) == pytest.approx(0.05)  # extended to the last one's pause


@settings(max_examples=examples(100), deadline=None)
@given(
    st.lists(st.floats(0, 3), max_size=80).map(sorted),
    st.floats(0, 3),
    st.sampled_from([0.1, 0.5, 1.0]),
)
def test_the_budget_is_what_greedy_sending_fits_in_the_time(
    history: list[float], now: float, within: float
) -> None:
    limiter = SlidingWindows((Window(50, 1),), 0.02, burst=5)
    for t in history:
        if t <= now:
            limiter.record("t", t)
    budget = limiter.budget("t", now, within, most=1000)
    capped = limiter.budget("t", now, within, most=3)
    sent = [t for t in send_greedily_from(limiter, now) if t <= now + within]

    assert budget == len(sent)
    assert capped == min(budget, 3)


def send_greedily_from(limiter: SlidingWindows, now: float) -> list[float]:
    """Send to "t" as early as allowed until 10 s (on the limiter itself)."""
    times = []
    while now < 10:
        now += limiter.wait("t", now)
        limiter.record("t", now)
        times.append(now)
    return times


def test_the_budget_of_a_moment_is_a_small_share_of_the_window() -> None:
    limiter = SlidingWindows((Window(50, 1),), 0.02, burst=5)
    assert limiter.budget("fresh", 0.0, 0.5, most=64) == 35  # 5 at once, then 5 every 0.08 s
    send_greedily_with(limiter, "busy", 50)
    assert (
        limiter.budget("busy", 1.0, 0.5, most=64) <= 30
    )  # at pace: half a second's 25, and a burst
    assert limiter.budget("busy", 1.0, 0.5, most=64) == limiter.budget("busy", 1.0, 0.5, 64)


def send_greedily_with(limiter: SlidingWindows, key: str, count: int) -> None:
    now = 0.0
    for _ in range(count):
        now += limiter.wait(key, now)
        limiter.record(key, now)
