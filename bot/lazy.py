"""Code named by "module:attribute" and imported on first use, in a thread, so start-up stays fast.

The features' handlers pull in pandas, matplotlib, openpyxl and the analytics; `forumbot serve`
needs none of them to answer /healthz. A `LazyHandler` stands where the handler would: the first
call imports its module off the event loop (other requests keep being served meanwhile) and every
later call goes straight to the function. `warm_up` imports the same modules in the background
once the app is up, so the first real request does not pay for them either.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import threading
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from bot.dialogs import DialogTurn
    from cards import Card

log = logging.getLogger(__name__)

R = TypeVar("R")


def split_target(target: str) -> tuple[str, str]:
    module, _, attribute = target.partition(":")
    if not module or not attribute:
        raise ValueError(f"expected 'module:attribute', got {target!r}")
    return module, attribute


async def load(target: str) -> Any:
    """The attribute named by "module:attribute"; its module is imported in a worker thread."""
    module, attribute = split_target(target)
    return getattr(await asyncio.to_thread(importlib.import_module, module), attribute)


class LazyHandler(Generic[R]):
    """An async handler `(request) -> Card` imported on its first call."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.module, _ = split_target(target)
        self._handler: Callable[[R], Awaitable[Card]] | None = None

    async def __call__(self, request: R) -> Card:
        if self._handler is None:
            self._handler = await load(self.target)
        return await self._handler(request)

    def __repr__(self) -> str:
        return f"LazyHandler({self.target!r})"


class LazyDialog:
    """A dialog (bot/dialogs/) made from its class on the first turn that reaches it."""

    def __init__(self, name: str, target: str) -> None:
        self.name = name
        self.target = target
        self.module, _ = split_target(target)
        self._dialog: Any = None

    async def resume(self, turn: DialogTurn) -> Card | None:
        if self._dialog is None:
            dialog = (await load(self.target))()
            if dialog.name != self.name:
                raise ValueError(f"{self.target} is the dialog {dialog.name!r}, not {self.name!r}")
            self._dialog = dialog
        result: Card | None = await self._dialog.resume(turn)
        return result


class LazyJob:
    """A scheduled job's function `(session, run)` named by "module:function", imported on its
    first run (in the scheduler's thread): a job that sends cards lives in bot/, beside them."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.module, self._attribute = split_target(target)
        self._function: Callable[[Any, Any], None] | None = None

    def __call__(self, session: Any, run: Any) -> None:
        if self._function is None:
            self._function = getattr(importlib.import_module(self.module), self._attribute)
        self._function(session, run)

    def __repr__(self) -> str:
        return f"LazyJob({self.target!r})"


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
