"""Running a parser over an untrusted file in a child process with memory and time limits.

A return file is checked for bombs before parsing (analytics/returns_read.py), but a parser
has more corners than any check: the parse itself runs in a child process whose address space
(RLIMIT_AS) and CPU time (RLIMIT_CPU) are capped, and which is killed when the wall-clock time
is up. Whatever the file does, the bot's own process neither grows nor stalls.

Children come from a forkserver that has already imported the reader, so starting one costs
milliseconds, not the seconds a fresh interpreter importing pandas would.
"""

from __future__ import annotations

import math
import multiprocessing
import resource
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from forum_ops.errors import LimitExceeded

T = TypeVar("T")
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(
    ["analytics.returns_read", "forum_ops.sandbox", "forum_ops.tor.text", "docx"]
)


@dataclass(frozen=True)
class Limits:
    memory_bytes: int = 2**30  # the child's whole address space, libraries included (~250 MB)
    seconds: float = 30.0  # wall clock; CPU time is capped at the same


def _child(
    connection: Connection, fn: Callable[..., Any], args: tuple[Any, ...], limits: Limits
) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    # a backstop a second beyond the wall-clock limit, so that the parent's timer (which says
    # "took longer than") speaks first; at exactly the limit both raced, and the CPU limit's
    # kill read as "too big or too complex"
    cpu = math.ceil(limits.seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    try:
        result: tuple[str, Any] = ("ok", fn(*args))
    except MemoryError:
        result = ("limit", "memory")
    except Exception as error:
        result = ("raised", error)
    try:
        connection.send(result)
    except MemoryError:
        connection.send(("limit", "memory"))
    finally:
        connection.close()


def run_limited(fn: Callable[..., T], *args: Any, limits: Limits = Limits()) -> T:
    """`fn(*args)` in a child process; its exceptions are raised here. Raises LimitExceeded when
    the child runs out of memory or time or dies. `fn` and `args` must pickle."""
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_child, args=(sender, fn, args, limits), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(limits.seconds):
            raise LimitExceeded(f"it took longer than {limits.seconds:.0f} s to read")
        try:
            outcome, value = receiver.recv()
        except (EOFError, OSError):
            raise LimitExceeded("reading it stopped the reader (too big or too complex)") from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)
        child.close()
    if outcome == "ok":
        return value  # type: ignore[no-any-return]
    if outcome == "limit":
        raise LimitExceeded(f"it needs more than {limits.memory_bytes / 2**20:,.0f} MB to read")
    raise value
