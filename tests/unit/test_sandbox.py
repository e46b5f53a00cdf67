"""forum_ops/sandbox.py: a parser that runs away is stopped, in a child, within its limits."""

from __future__ import annotations

import os
import time

import pytest

from analytics.errors import CellProblem, InvalidReturn
from forum_ops.errors import LimitExceeded
from forum_ops.sandbox import Limits, run_limited


def swell(size: int) -> int:
    return len(b"x" * size)


def spin() -> None:
    while True:
        pass


def refuse() -> None:
    raise InvalidReturn([CellProblem(3, "Route", "is not one of: DPS")])


def die() -> None:
    os._exit(9)


def test_a_result_comes_back() -> None:
    assert run_limited(swell, 10) == 10


def test_memory_beyond_the_limit_is_refused_and_the_parent_does_not_grow() -> None:
    with pytest.raises(LimitExceeded, match="more than 512 MB"):
        run_limited(swell, 3 * 2**30, limits=Limits(memory_bytes=512 * 2**20))


def test_a_reader_that_never_finishes_is_killed_at_the_time_limit() -> None:
    started = time.perf_counter()
    with pytest.raises(LimitExceeded, match="longer than 1 s"):
        run_limited(spin, limits=Limits(seconds=1.0))
    assert time.perf_counter() - started < 5


def test_a_child_that_dies_is_reported_and_problems_cross_whole() -> None:
    with pytest.raises(LimitExceeded, match="stopped the reader"):
        run_limited(die)
    with pytest.raises(InvalidReturn) as caught:
        run_limited(refuse)
    assert caught.value.problems == [CellProblem(3, "Route", "is not one of: DPS")]
