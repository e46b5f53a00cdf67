"""The server process's heap: fewer malloc arenas, start-up's objects kept out of the collector, and
freed memory given back.

Each was measured with bench/turns.py (README, "Speed"):
- glibc gives each thread that allocates its own malloc arena (up to 8 a core), and memory freed in
  one is not given back to another: the database threads and the warm-up's imports left 15 MiB
  more resident than two arenas do (254 -> 239 MiB after 3,000 mixed requests).
- After warm-up the heap holds about 250,000 objects that live as long as the process (modules,
  functions, classes, the read models). Every full collection walked them all: 300-700 ms with
  the event loop stopped, the slowest turn of every thousand. `gc.freeze` moves them to the
  permanent generation, so a full collection walks only what requests made since.
- glibc returns to the system only the free memory at the top of its heap; what requests free in
  the middle stays resident: ~9 MiB after 10,000 mixed requests (malloc_trim gave it back), so it
  is given back once a minute.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import threading

log = logging.getLogger(__name__)

M_ARENA_MAX = -8  # glibc's malloc.h
ARENAS = 2
GIVE_BACK_EVERY = 60.0  # seconds


def _libc() -> ctypes.CDLL | None:
    for name in ("libc.so.6", ctypes.util.find_library("c")):  # find_library needs ldconfig
        if not name:
            continue
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Call before the process starts threads; False where the C library is not glibc (logged:
    MALLOC_ARENA_MAX=2 in the environment does the same there)."""
    libc = _libc()
    try:
        limited = libc is not None and libc.mallopt(M_ARENA_MAX, arenas) == 1
    except AttributeError:  # not glibc
        limited = False
    log.info("heap.arenas", extra={"limited_to": arenas if limited else None})
    return limited


def freeze_startup_heap() -> int:
    """Collect what start-up left unreachable, then freeze every object alive now; returns how
    many. Call once, when the modules are imported and the data warmed: an object frozen stays
    allocated while it is referenced, as before, but is never collected as part of a cycle."""
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    log.info("heap.frozen", extra={"objects": frozen})
    return frozen


def give_back_freed_memory() -> bool:
    """Return the pages malloc holds free to the system (glibc's malloc_trim): a turn's
    database rows and cards are freed in the middle of the heap, between objects that live on,
    and glibc gives back only what is free at its top. False where the C library has none."""
    libc = _libc()
    try:
        if libc is None:
            return False
        libc.malloc_trim(0)  # 1 if it gave pages back, 0 if none were free
    except AttributeError:  # not glibc
        return False
    return True


def keep_giving_back(every: float = GIVE_BACK_EVERY) -> threading.Thread:
    """Give freed memory back every `every` seconds, in a daemon thread (a few milliseconds
    each time, off the event loop): 10,000 mixed requests left ~9 MiB free but held."""

    def loop() -> None:
        while not stop.wait(every):
            give_back_freed_memory()

    stop = threading.Event()
    thread = threading.Thread(target=loop, name="heap-give-back", daemon=True)
    thread.start()
    return thread
