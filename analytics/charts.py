"""Charts as PNG bytes, drawn with matplotlib's object API (no global pyplot state, thread-safe)."""

from __future__ import annotations

import io

import pandas as pd
from matplotlib.figure import Figure

PALETTE = ("#1D4F6E", "#E0A100", "#6A8EAE", "#9A9A9A", "#B5523B")


def trend_chart(series: list[pd.Series], title: str, labels: list[str]) -> bytes:
    """Lines of EHC plans over time, each indexed to its first year = 100, so a borough and
    London can be read on one scale; the legend gives each line's latest count."""
    figure = Figure(figsize=(6.4, 3.4), dpi=120)
    axes = figure.subplots()
    for n, line in enumerate(series):
        clean = line.dropna()
        if clean.empty:
            continue
        indexed = clean / clean.iloc[0] * 100
        axes.plot(
            labels[: len(indexed)],
            indexed.to_numpy(),
            marker="o",
            linewidth=2.2 if n == 0 else 1.6,
            color=PALETTE[n % len(PALETTE)],
            label=f"{line.name} ({clean.iloc[-1]:,.0f})",
        )
    axes.set_title(title, fontsize=11, loc="left")
    axes.set_ylabel(f"EHC plans ({labels[0]} = 100)", fontsize=9)
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=8)
    axes.legend(fontsize=8, frameon=False, loc="upper left")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
