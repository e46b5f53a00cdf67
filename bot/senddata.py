"""Moved: the SEND Data service is forum_ops/senddata.py, its cards cards/senddata.py, and the
chart store bot/charts.py. `ChartPublisher` stays importable here for bot/benchmarks.py until
that feature moves too."""

from bot.charts import ChartTable as ChartPublisher

__all__ = ["ChartPublisher"]
