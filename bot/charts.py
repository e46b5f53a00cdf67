"""The ChartStore port over the chart table (forum_ops/charts.py): each chart is served at
/charts/<token>.png under the bot's public URL (bot/app.py)."""

from __future__ import annotations

from dataclasses import dataclass

from forum_ops.charts import keep_chart
from forum_ops.db import Database
from forum_ops.ports import ChartStore, Clock


@dataclass(frozen=True)
class ChartTable:
    db: Database
    public_url: str
    clock: Clock

    def store(self, key: str, png: bytes) -> str:
        """`key` names the chart for the caller; the URL is the chart table's unguessable
        token, the same for the same picture (forum_ops/charts.py keeps each picture once)."""
        return self.publish(png)

    def publish(self, png: bytes) -> str:
        # not a turn's change (forum_ops/turns.py): a card given again links to it too
        with self.db.transaction(effect=False) as session:
            token = keep_chart(session, png, self.clock.now())
        return f"{self.public_url.rstrip('/')}/charts/{token}.png"


_PORT: type[ChartStore] = ChartTable  # mypy holds the class to the port's shape
