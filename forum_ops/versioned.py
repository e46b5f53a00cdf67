"""A value computed from stored data once per data version (an import's time stamp, a counter),
and computed again only when the version changes: the parsed SEN2 release, the supplier
directory's frame, and (later) the returns' placements all follow this one rule.

    directory = ComputedOnce(snapshot_stamp, build_directory)
    with db.transaction() as session:
        frame = directory.get(session)   # None while there is no data

Thread-safe: the service's unit of work runs in the executor's threads, and two requests that
find a new version compute it once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

S = TypeVar("S")  # where the data is read from: a session, usually
T = TypeVar("T")


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
        version = self._version_of(session)
        if version is None:
            return None
        with self._lock:
            if self._held is None or self._held[0] != version:
                self._held = (version, self._compute(session))
            return self._held[1]
