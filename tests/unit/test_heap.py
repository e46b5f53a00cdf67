"""The server's heap settings (bot/heap.py): two malloc arenas, start-up's objects frozen."""

from __future__ import annotations

import gc
import platform
from pathlib import Path

import pytest

from bot.heap import freeze_startup_heap, give_back_freed_memory, limit_malloc_arenas


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def cycle() -> Node:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return a


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_the_arenas_are_limited_through_glibcs_mallopt() -> None:
    assert limit_malloc_arenas(8) is True  # the default's order: this process keeps working


def test_what_is_alive_is_frozen_and_what_was_garbage_is_collected_first() -> None:
    kept, lost = cycle(), cycle()
    lost_id = id(lost)
    del lost
    try:
        frozen = freeze_startup_heap()
        assert frozen == gc.get_freeze_count() > 0
        tracked = {id(o) for o in gc.get_objects()}
        assert id(kept) not in tracked  # out of every collection's walk
        assert lost_id not in tracked  # collected before the freeze, not kept for ever
        assert kept.other is not None  # frozen objects still work
        assert kept.other.other is kept
    finally:
        gc.unfreeze()
    assert id(kept) in {id(o) for o in gc.get_objects()}


def rss_kib() -> int:
    status = Path("/proc/self/status").read_text()
    [line] = [line for line in status.splitlines() if line.startswith("VmRSS:")]
    return int(line.split()[1])


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_memory_freed_in_the_middle_of_the_heap_is_given_back() -> None:
    blocks = [bytes(4000) for _ in range(40_000)]  # ~160 MB through malloc (over pymalloc's 512)
    keep = blocks[::16]  # one in 16 lives on: every page between them is free, not at the top
    del blocks
    held = rss_kib()
    assert give_back_freed_memory() is True
    given = held - rss_kib()
    assert given > 50_000, f"gave back {given} KiB"  # most of the ~150 MB freed between
    assert len(keep) == 2500
