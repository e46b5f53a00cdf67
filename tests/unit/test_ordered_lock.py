"""The ordered lock gives turns by number, and a cancelled waiter never keeps the lock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bot.ordered_lock import OrderedLock


async def take(lock: OrderedLock, number: int, order: list[int]) -> None:
    async with lock.turn(number):
        order.append(number)
        await asyncio.sleep(0)  # hold it across a switch


async def until(condition: Callable[[], bool]) -> None:
    """Let the other tasks run until `condition` holds (a bound on turns, not a fixed wait)."""
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition not met")


async def test_waiters_go_by_number_not_by_arrival() -> None:
    lock, order = OrderedLock(), []
    async with lock.turn(0):
        tasks = [asyncio.create_task(take(lock, n, order)) for n in (5, 1, 3, 1)]
        await until(lambda: lock.waiting == 4)
        assert order == []  # all waiting
    await asyncio.gather(*tasks)
    assert order == [1, 1, 3, 5]


async def test_a_cancelled_waiter_is_passed_over() -> None:
    lock, order = OrderedLock(), []
    async with lock.turn(0):
        first = asyncio.create_task(take(lock, 1, order))
        second = asyncio.create_task(take(lock, 2, order))
        await until(lambda: lock.waiting == 2)
        first.cancel()
        await until(first.done)
        assert lock.waiting == 1
    await second
    assert order == [2]
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_a_waiter_cancelled_as_its_turn_comes_passes_it_on() -> None:
    lock, order = OrderedLock(), []
    holding = lock.turn(0)
    await holding.__aenter__()
    first = asyncio.create_task(take(lock, 1, order))
    second = asyncio.create_task(take(lock, 2, order))
    await until(lambda: lock.waiting == 2)
    await holding.__aexit__(None, None, None)  # the turn is handed to `first`...
    first.cancel()  # ...which is cancelled before it runs
    await asyncio.wait_for(second, 1.0)
    assert order == [2]
    async with lock.turn(3):  # and the lock is free again
        order.append(3)
    assert order == [2, 3]
