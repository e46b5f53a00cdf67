"""An asyncio lock whose waiters go in the order of a number they bring, not in arrival order.

The outbox worker's messages take turns at the tenant's rate limit by their place in the outbox,
so a retry that falls due goes ahead of the messages written after it, instead of queueing behind
every message already in hand.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class OrderedLock:
    def __init__(self) -> None:
        self._held = False
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()  # equal numbers go in arrival order

    @property
    def waiting(self) -> int:
        """How many are waiting for a turn (not counting cancelled waiters)."""
        return sum(1 for *_, given in self._waiting if not given.done())

    @asynccontextmanager
    async def turn(self, number: int) -> AsyncIterator[None]:
        await self._acquire(number)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, number: int) -> None:
        if not self._held:  # (when it is not held, nobody is waiting)
            self._held = True
            return
        given: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (number, next(self._arrivals), given))
        try:
            await given
        except asyncio.CancelledError:
            if given.done() and not given.cancelled():
                self._release()  # the turn came as the waiter was cancelled: pass it on
            else:
                given.cancel()  # _release skips it
            raise

    def _release(self) -> None:
        while self._waiting:
            _, _, given = heapq.heappop(self._waiting)
            if not given.done():
                given.set_result(None)  # the lock stays held, now by that waiter
                return
        self._held = False
