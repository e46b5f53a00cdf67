"""Handlers referenced for real, imported on first use, so start-up stays fast.

The features' handlers pull in pandas, matplotlib, openpyxl and the analytics; `forumbot serve`
needs none of them to answer /healthz, nor to be ready. bot/features.py names each handler as an
attribute of its module (`asks.open_ask`): for the editor and mypy the module is imported under
TYPE_CHECKING, so "go to definition" lands on the function and its signature is checked; at run
time the same name is `later("bot.commands.asks.commands")`, a stand-in whose attributes are
`Lazy` references. A `Lazy` is called like the function: the first call imports the module (on the
event loop: in a worker thread, other requests keep being served meanwhile; in the scheduler's
thread: there and then) and every later call goes straight to the function. `warm_up` imports the
same modules in the background once the app is up, so the first real request does not pay for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import threading
from collections.abc import Iterable
from typing import Any

log = logging.getLogger(__name__)


class Lazy:
    """`module.attribute`, imported on first use: call it as the function itself. On the event
    loop it stands for an async function (the first call gives an awaitable that imports, then
    calls); off the loop (a job in the scheduler's thread, `services.run`) for any function."""

    def __init__(self, module: str, attribute: str) -> None:
        self.module, self.attribute = module, attribute
        self._target: Any = None

    @property
    def loaded(self) -> bool:
        return self._target is not None

    def now(self) -> Any:
        """The attribute, imported here and now (off the event loop)."""
        if self._target is None:
            self._target = getattr(importlib.import_module(self.module), self.attribute)
        return self._target

    async def load(self) -> Any:
        """The attribute, its module imported in a worker thread (on the event loop)."""
        if self._target is None:
            await asyncio.to_thread(importlib.import_module, self.module)
        return self.now()

    def __call__(self, *args: Any) -> Any:
        if self._target is not None:
            return self._target(*args)
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # a worker thread (the scheduler's): import here
            return self.now()(*args)
        return self._call_later(*args)

    async def _call_later(self, *args: Any) -> Any:
        return await (await self.load())(*args)

    def __repr__(self) -> str:
        return f"{self.module}.{self.attribute}"


class Blocking(Lazy):
    """A scheduled job's function: imported and run where it is called (the scheduler's thread,
    or a test's), whatever thread that is; never handed back as an awaitable."""

    def __call__(self, *args: Any) -> Any:
        return self.now()(*args)


def blocking(target: Any) -> Any:
    """`target`, or for a `Lazy` reference the same reference called as a plain function."""
    return Blocking(target.module, target.attribute) if isinstance(target, Lazy) else target


class LaterModule:
    """A module not imported yet: each attribute is a `Lazy` reference to it, made once."""

    def __init__(self, name: str) -> None:
        self.__name__ = name
        self._references: dict[str, Lazy] = {}

    def __getattr__(self, attribute: str) -> Lazy:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return self._references.setdefault(attribute, Lazy(self.__name__, attribute))

    def __repr__(self) -> str:
        return f"later({self.__name__!r})"


def later(module: str) -> Any:
    """`module`, imported when one of its attributes is first used (see the module's docstring).
    Typed Any: the code that uses it imports the real module under TYPE_CHECKING."""
    return LaterModule(module)


async def resolved(target: Any) -> Any:
    """`target` itself, or what a `Lazy` reference names, imported off the event loop."""
    return await target.load() if isinstance(target, Lazy) else target


def modules_of(targets: Iterable[object]) -> Iterable[str]:
    """The modules the `Lazy` references among `targets` name (to warm them)."""
    return (t.module for t in targets if isinstance(t, Lazy))


async def import_apart(module: str) -> Any:
    """Import `module` in a daemon thread: the event loop keeps serving meanwhile, and a stop
    signal need not wait for the import to finish (an executor's threads are joined at exit,
    which on a loaded machine held a stopping server for 20 s and more)."""
    loop = asyncio.get_running_loop()
    imported: asyncio.Future[Any] = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if imported.done():
            return
        if error is not None:
            imported.set_exception(error)
        else:
            imported.set_result(result)

    def work() -> None:
        try:
            result, error = importlib.import_module(module), None
        except BaseException as failure:  # handed to the awaiting task
            result, error = None, failure
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=work, name=f"import-{module}", daemon=True).start()
    return await imported


async def warm_up(modules: Iterable[str], listening: asyncio.Event, at_latest: float = 2.0) -> None:
    """Import each module in a worker thread, one after the other, once the app has answered its
    first request (or `at_latest` seconds after start-up): until then the imports would compete
    with start-up for the interpreter. A failure is logged, not raised (the request that needs
    the module raises it where it can be answered)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(listening.wait(), at_latest)
    for module in modules:
        try:
            await import_apart(module)
        except Exception:
            log.warning("warm_up.failed", extra={"import": module}, exc_info=True)
    log.info("warm_up.done")
