"""Charts as PNG bytes, drawn with matplotlib's object API (no global pyplot state, thread-safe).

Drawn for a Teams card: the image is shown about 470 px wide, so a figure is WIDTH inches wide
and its text is sized for that width (9 pt reads as about 12 px on the card). Keys sit outside
the plot, where they cannot be read as data, and every axis says what it measures.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

PALETTE = ("#1D4F6E", "#E0A100", "#6A8EAE", "#9A9A9A", "#B5523B")
BOX_FILL = "#D6E4EE"
WIDTH = 5.0  # inches: with the sizes below, text reads at 11-13 px on a 470 px card image
DPI = 120
TEXT, SMALL, TITLE = 9.5, 9.0, 10.5  # points
ROW = 0.25  # inches per box or bar


def _thousands(value: float, _: object) -> str:
    return f"£{value / 1000:,.0f}k"


def _figure(height: float) -> Figure:
    return Figure(figsize=(WIDTH, height), dpi=DPI, layout="constrained")


def _title(figure: Figure, title: str) -> None:
    figure.suptitle(title, x=0.02, ha="left", fontsize=TITLE, wrap=True)


def _short(label: str, most: int = 28) -> str:
    return label if len(label) <= most else label[: most - 1].rstrip() + "…"


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def trend_chart(series: list[pd.Series], title: str, labels: list[str]) -> bytes:
    """Lines of EHC plans over time, each indexed to its first year = 100, so a borough and
    London can be read on one scale; the key, above the plot, gives each line's latest count."""
    figure = _figure(3.3)
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
            markersize=4,
            linewidth=2.2 if n == 0 else 1.6,
            color=PALETTE[n % len(PALETTE)],
            label=f"{line.name} ({clean.iloc[-1]:,.0f})",
        )
    _title(figure, title)
    axes.set_ylabel(f"EHC plans ({labels[0]} = 100)", fontsize=TEXT)
    axes.set_xlabel("January census", fontsize=TEXT)
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=SMALL)
    if axes.get_legend_handles_labels()[0]:
        figure.legend(
            loc="outside lower center", ncols=2, fontsize=SMALL, frameon=False, borderaxespad=0
        )
    return _png(figure)


@dataclass(frozen=True)
class Box:
    """One distribution as it may be shown: percentiles (None when withheld) and the viewer's own
    figure. Drawn from disclosed figures only, never from the rows behind them."""

    label: str
    median: float | None
    q1: float | None = None
    q3: float | None = None
    p10: float | None = None
    p90: float | None = None
    own: float | None = None


def box_key(with_own: bool, with_median_only: bool) -> list[Patch | Line2D]:
    """The key under a box chart: what the box, the whiskers and the marks stand for."""
    key: list[Patch | Line2D] = [
        Patch(facecolor=BOX_FILL, edgecolor=PALETTE[0], label="middle half"),
        Line2D([], [], color=PALETTE[0], linewidth=1, label="whiskers: middle 80 %"),
        Line2D([], [], color=PALETTE[0], linewidth=2.5, label="median"),
    ]
    if with_median_only:
        key.append(
            Line2D(
                [],
                [],
                color=PALETTE[0],
                marker="|",
                markersize=12,
                mew=2,
                linestyle="",
                label="median only",
            )
        )
    if with_own:
        key.append(
            Line2D(
                [],
                [],
                color=PALETTE[1],
                marker="D",
                markersize=7,
                linestyle="",
                label="your median",
            )
        )
    return key


def box_chart(boxes: list[Box], title: str) -> bytes:
    """Horizontal boxes of cost per placement: the box is the middle half, whiskers the middle
    80 %, a line the median; a diamond marks the viewer's own figure. The key is under the
    plot, outside it."""
    figure = _figure(1.6 + ROW * max(len(boxes), 1))
    axes = figure.subplots()
    stats = [
        {
            "label": b.label,
            "med": b.median,
            "q1": b.q1,
            "q3": b.q3,
            "whislo": b.p10,
            "whishi": b.p90,
        }
        for b in boxes
        if b.median is not None and None not in (b.q1, b.q3, b.p10, b.p90)
    ]
    positions = {b.label: n for n, b in enumerate(reversed(boxes))}
    if stats:
        axes.bxp(
            stats,
            positions=[positions[str(s["label"])] for s in stats],
            orientation="horizontal",
            showfliers=False,
            widths=0.6,
            patch_artist=True,
            boxprops={"facecolor": BOX_FILL, "edgecolor": PALETTE[0]},
            medianprops={"color": PALETTE[0], "linewidth": 2.5},
            whiskerprops={"color": PALETTE[0]},
            capprops={"color": PALETTE[0]},
        )
    median_only = False
    for b in boxes:
        y = positions[b.label]
        if b.median is not None and b.q1 is None:
            median_only = True
            axes.plot([b.median], [y], "|", color=PALETTE[0], markersize=12, mew=2)
        if b.own is not None:
            axes.plot([b.own], [y], "D", color=PALETTE[1], markersize=7, zorder=5)
    axes.set_yticks(range(len(boxes)), [_short(b.label) for b in reversed(boxes)], fontsize=SMALL)
    axes.set_ylim(-0.6, len(boxes) - 0.4)
    axes.xaxis.set_major_formatter(FuncFormatter(_thousands))
    axes.xaxis.set_major_locator(MaxNLocator(nbins=5))  # room for each "£125k" at card width
    axes.set_xlabel("Total cost per placement a year", fontsize=TEXT)
    _title(figure, title)
    axes.grid(axis="x", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(axis="x", labelsize=SMALL)
    with_own = any(b.own is not None for b in boxes)
    figure.legend(
        handles=box_key(with_own, median_only),
        loc="outside lower center",
        ncols=3,
        fontsize=SMALL,
        frameon=False,
        borderaxespad=0,
    )
    return _png(figure)


def bar_chart(labels: list[str], values: list[float], title: str) -> bytes:
    """Horizontal bars in pounds, largest first (a borough's spend by provider)."""
    figure = _figure(1.2 + ROW * max(len(labels), 1))
    axes = figure.subplots()
    axes.barh(range(len(values)), values[::-1], color=PALETTE[0])
    axes.set_yticks(range(len(labels)), [_short(label) for label in labels[::-1]], fontsize=SMALL)
    axes.xaxis.set_major_formatter(FuncFormatter(_thousands))
    axes.xaxis.set_major_locator(MaxNLocator(nbins=5))  # room for each "£125k" at card width
    axes.set_xlabel("Spend a year", fontsize=TEXT)
    _title(figure, title)
    axes.grid(axis="x", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(axis="x", labelsize=SMALL)
    return _png(figure)


def grouped_bar_chart(
    categories: list[str],
    series: dict[str, list[float]],
    title: str,
    x_label: str,
    y_label: str,
) -> bytes:
    """Vertical bars, one group per category and one bar per series, with a key: the quarterly
    report's activity by month and coverage by sub-region. Whole-number axis."""
    figure = Figure(figsize=(6.4, 3.4), dpi=100)
    # fixed margins, not tight_layout: laying out twice doubles the drawing time
    figure.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.15)
    axes = figure.subplots()
    names = list(series) or ["(nothing recorded)"]
    width = 0.8 / len(names)
    for n, name in enumerate(names):
        values = series.get(name, [0.0] * len(categories))
        offsets = [i - 0.4 + width * (n + 0.5) for i in range(len(categories))]
        axes.bar(offsets, values, width=width, color=PALETTE[n % len(PALETTE)], label=name)
    axes.set_xticks(range(len(categories)), categories, fontsize=8)
    axes.set_title(title, fontsize=11, loc="left")
    axes.set_xlabel(x_label, fontsize=9)
    axes.set_ylabel(y_label, fontsize=9)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    highest = max((max(v, default=0) for v in series.values()), default=0)
    axes.set_ylim(0, max(highest, 1) * 1.4)  # headroom for the key above the bars
    if not highest:
        axes.text(0.5, 0.4, "Nothing recorded", transform=axes.transAxes, ha="center",
                  color=PALETTE[3], fontsize=10)  # fmt: skip
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(axis="y", labelsize=8)
    axes.legend(fontsize=8, frameon=False, loc="upper left", title="Key", title_fontsize=8)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
