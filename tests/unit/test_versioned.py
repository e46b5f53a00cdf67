"""forum_ops/versioned.py: a value computed once per data version, shared by every thread."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from forum_ops.versioned import ComputedOnce


@dataclass
class Store:
    """Stands for the database: a version stamp and the data it stamps."""

    version: int | None = None
    data: str = ""
    computed: list[str] = field(default_factory=list)


def cache() -> ComputedOnce[Store, str]:
    def compute(store: Store) -> str:
        time.sleep(0.01)  # long enough for racing threads to meet
        store.computed.append(store.data)
        return store.data.upper()

    return ComputedOnce(lambda store: store.version, compute)


def test_nothing_stored_is_none_and_computes_nothing() -> None:
    store, values = Store(), cache()
    assert values.get(store) is None
    assert store.computed == []


def test_computed_once_per_version_and_again_when_the_version_changes() -> None:
    store, values = Store(version=1, data="first"), cache()
    assert values.get(store) == "FIRST"
    assert values.get(store) == "FIRST"
    assert store.computed == ["first"]

    store.version, store.data = 2, "second"
    assert values.get(store) == "SECOND"
    assert values.get(store) == "SECOND"
    assert store.computed == ["first", "second"]


def test_threads_that_find_a_new_version_together_compute_it_once() -> None:
    store, values = Store(version=1, data="x"), cache()
    seen: list[str | None] = []
    threads = [threading.Thread(target=lambda: seen.append(values.get(store))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == ["X"] * 8
    assert store.computed == ["x"]
