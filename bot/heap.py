"""The server process's heap: fewer malloc arenas, and start-up's objects kept out of the collector.

Both were measured with bench/turns.py (README, "Speed"):
- glibc gives each thread that allocates its own malloc arena (up to 8 a core), and memory freed in
  one is not given back to another: the database threads and the warm-up's imports left 15 MiB
  more resident than two arenas do (254 -> 239 MiB after 3,000 mixed requests).
- After warm-up the heap holds about 250,000 objects that live as long as the process (modules,
  functions, classes, the read models). Every full collection walked them all: 300-700 ms with
  the event loop stopped, the slowest turn of every thousand. `gc.freeze` moves them to the
  permanent generation, so a full collection walks only what requests made since.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging

log = logging.getLogger(__name__)

M_ARENA_MAX = -8  # glibc's malloc.h
ARENAS = 2


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Call before the process starts threads; False where the C library is not glibc (logged:
    MALLOC_ARENA_MAX=2 in the environment does the same there)."""
    limited = False
    for name in ("libc.so.6", ctypes.util.find_library("c")):  # find_library needs ldconfig
        try:
            limited = bool(name) and ctypes.CDLL(name).mallopt(M_ARENA_MAX, arenas) == 1
        except (OSError, AttributeError):
            continue
        break
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
