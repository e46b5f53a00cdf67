"""Values computed from stored data once per data version (an import's time stamp, a counter),
and computed again only when the version changes: the parsed SEN2 release, the supplier
directory's frame, the returns' placements, and the answers made from them.

    directory = ComputedOnce(snapshot_stamp, build_directory)
    with db.transaction() as session:
        frame = directory.get(session)   # None while there is no data

    answers = Answers(size=256, fresh_for=3600)
    answer = answers.get(version, (filters, viewer), lambda: compute(frame, filters, viewer))

Thread-safe: the service's unit of work runs in the executor's threads, and two requests that
find a new version (or ask one new question) compute it once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Generic, TypeVar

S = TypeVar("S")  # where the data is read from: a session, usually
T = TypeVar("T")

ANSWERS_KEPT = 256  # by each service, per kind of answer: a few hundred small values
ANSWERS_FRESH_FOR = 3600.0  # seconds: a chart kept for 30 days still loads 29 days on


class ComputedOnce(Generic[S, T]):
    def __init__(
        self,
        version: Callable[[S], Hashable | None],
        compute: Callable[[S], T],
    ) -> None:
        self._version_of = version
        self._compute = compute
        self._lock = threading.Lock()
        self._held: tuple[Hashable, T] | None = None

    def get(self, session: S) -> T | None:
        """The value for the data as stored now, in the caller's transaction; None if none."""
        held = self.versioned(session)
        return None if held is None else held[1]

    def versioned(self, session: S) -> tuple[Hashable, T] | None:
        """(version, value) for the data as stored now: the version keys what is made from it."""
        version = self._version_of(session)
        if version is None:
            return None
        with self._lock:
            if self._held is None or self._held[0] != version:
                self._held = (version, self._compute(session))
            return self._held


class Answers(Generic[T]):
    """Answers made from one version of the data, each computed once: keyed by everything else
    an answer depends on (the arguments as parsed, the viewer's borough; never who asked, so
    the caller checks authority before asking). A new version drops the old version's answers.

    At most `size` answers are kept (the least recently used go first), none for longer than
    `fresh_for` seconds (an answer may hold a chart's URL, which must go on loading for as long
    as charts are kept after the card is sent). An exception of a type in `keep_errors` (a
    refusal: "fewer than 5 placements match") is an answer too; any other is not kept.
    """

    def __init__(
        self,
        size: int,
        fresh_for: float,
        keep_errors: tuple[type[Exception], ...] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._size, self._fresh_for, self._keep_errors = size, fresh_for, keep_errors
        self._clock = clock
        self._lock = threading.Lock()
        self._version: Hashable | None = None
        self._held: OrderedDict[Hashable, tuple[float, Future[T]]] = OrderedDict()

    def get(self, version: Hashable, key: Hashable, compute: Callable[[], T]) -> T:
        """The answer for `key` from data at `version`, computed now only if not held."""
        with self._lock:
            if version != self._version:
                self._held.clear()
                self._version = version
            now = self._clock()
            held = self._held.get(key)
            mine = held is None or now - held[0] >= self._fresh_for
            if mine:
                future: Future[T] = Future()
                self._held[key] = (now, future)
                while len(self._held) > self._size:
                    self._held.popitem(last=False)
            else:
                assert held is not None
                future = held[1]
            self._held.move_to_end(key)
        if mine:
            self._compute(key, future, compute)
        return future.result()

    def __len__(self) -> int:
        return len(self._held)

    def _compute(self, key: Hashable, future: Future[T], compute: Callable[[], T]) -> None:
        try:
            future.set_result(compute())
        except self._keep_errors as refusal:
            future.set_exception(refusal)
        except BaseException as error:
            with self._lock:  # not an answer: the next request computes again
                if self._held.get(key, (0.0, None))[1] is future:
                    del self._held[key]
            future.set_exception(error)
