"""Keeping the features' data warm: what answers are made from is read before anyone asks.

Once the features' modules are imported (bot/lazy.py warm_up), and then every
FORUM_WARM_EVERY_SECONDS, each service reads its data again if it changed: the INMSS returns
(and their record keys), the SEN2 release and the supplier directory. Unchanged data costs one
small query each (its version); data changed by an import is read here, off the event loop, not
by the first request after it. The first chart is drawn here too (matplotlib loads its fonts once).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from bot.services import Services
from forum_ops.errors import ForumError

log = logging.getLogger(__name__)


def warm_data(services: Services) -> None:
    """Each service's read model, as stored now; a feature without data yet is skipped."""
    for warm in (
        services.benchmarks.warm,
        services.senddata.frames,
        services.suppliers.directory,
    ):
        with contextlib.suppress(ForumError):  # nothing imported yet: a request says so
            warm()


def draw_first_chart() -> None:
    from analytics.charts import bar_chart

    bar_chart(["warm"], [1.0], "")


async def keep_warm(
    services: Services,
    imported: asyncio.Task[None],
    every: float,
    settled: Callable[[], object] = lambda: None,
) -> None:
    """After the modules are imported, warm the data now and every `every` seconds (0: once).
    A failure is logged, not raised: the request that needs the data raises it where it can
    be answered. `settled` is called once, on the event loop, after the first warming: what
    start-up made is all there (`forumbot serve` freezes it then: bot/heap.py)."""
    await imported
    try:
        await services.run(draw_first_chart)
    except Exception:
        log.warning("warm.failed", exc_info=True)
    first = True
    while True:
        try:
            await services.run(warm_data, services)
        except Exception:
            log.warning("warm.failed", exc_info=True)
        log.debug("warm.done")
        if first:
            settled()
            first = False
        if every <= 0:
            return
        await asyncio.sleep(every)
