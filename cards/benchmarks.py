"""What the INMSS benchmark answers look like: report views from forum_ops.benchmarks' results.

A withheld figure says which rule withheld it. In a shared conversation (`include_own` false)
the cards hold no "Yours" column and no own averages: those go to the asker privately.
"""

from __future__ import annotations

from typing import TypeVar

from analytics.benchmarks import CostCell
from analytics.rates import RateLine
from cards.format import pence
from cards.views import Choice, ChoicesView, ReportTable, ReportView
from forum_ops.benchmark_answers import (
    NeedBenchmark,
    ProviderBenchmark,
    ProviderChoices,
    TopProviders,
)

Column = TypeVar("Column", str, int)  # a table's heading or width

NOTE = (
    "Other boroughs' figures leave yours out; their placement counts are rounded to a multiple "
    "of 5 (under 5 reads <5), a figure resting on too few boroughs or placements is not shown, "
    "and nobody else sees your borough's own figures."
)
# A benchmark asked for in a channel or group chat: only what everyone there may see
SHARED_NOTE = (
    "Figures for all boroughs; a figure resting on too few boroughs or placements is not shown. "
    "Your borough's own figures were sent to you in your 1:1 chat with me."
)


YOUR_MEDIAN = "Your median (n)"


def money(value: float | None) -> str:
    return "" if value is None else pence(value)


def benchmark_view(answer: NeedBenchmark) -> ReportView:
    own = answer.include_own
    need_rows = [_cost_row(c.key, c, own) for c in answer.needs.cells]
    if answer.needs.total is not None:
        need_rows.append(_cost_row("All needs", answer.needs.total, own))
    names = answer.names
    return ReportView(
        title=f"INMSS benchmark: {answer.filters.words()}",
        subtitle=f"Total annual cost per placement. {NOTE if own else SHARED_NOTE}",
        tables=(
            ReportTable(
                "By primary need",
                _own_column(("", "Placements", "Median", "Middle half", YOUR_MEDIAN), own),
                tuple(need_rows),
                widths=_own_column((2, 2, 3, 4, 3), own),
            ),
            ReportTable(
                "Your providers"
                if answer.own_providers
                else "Providers most used by other boroughs",
                _own_column(("Provider", "Placements", "Median", "Middle half", YOUR_MEDIAN), own),
                tuple(_cost_row(names.get(c.key, c.key), c, own) for c in answer.providers),
                widths=_own_column((4, 2, 3, 4, 3), own),
            ),
        ),
        lines=tuple(_variation_lines(answer)),
        chart_url=answer.chart_url,
        chart_alt="Cost per placement by primary need: boxes are the middle half, whiskers the "
        "middle 80 %, diamonds your own median.",
        source=answer.source,
    )


def provider_view(answer: ProviderBenchmark) -> ReportView:
    """One measure on the whole card, named: the provider's fee (core education plus
    residential care), in the table, the chart and the rate lines alike."""
    own = answer.include_own
    sentences = []
    for line in answer.rates:
        if line.refused:
            sentences.append(f"{line.placement_type}: spread {_withheld(line.refused)}.")
        else:
            sentence = _rate_sentence(line, line.placement_type.capitalize(), answer.threshold)
            sentences.append(sentence.split(", ", 1)[-1] + ".")
    return ReportView(
        title=f"{answer.name} (URN {answer.urn})",
        subtitle=f"The fee London boroughs pay this provider in {answer.period} (core education "
        f"plus residential care, a year), by placement type. {NOTE if own else SHARED_NOTE}",
        tables=(
            ReportTable(
                "Fee per placement a year",
                _own_column(
                    ("Placement type", "Placements", "Median fee", "Middle half", YOUR_MEDIAN),
                    own,
                ),
                tuple(_cost_row(c.key, c, own) for c in answer.table.cells),
                widths=_own_column((3, 2, 3, 4, 3), own),
            ),
        ),
        lines=(
            "Rate variation: each other borough's average fee here, highest over lowest "
            f"(flagged above {answer.threshold:.2f}×):",
            *sentences,
        ),
        chart_url=answer.chart_url,
        chart_alt=f"Fee per placement at {answer.name[:80]} by placement type; diamonds are "
        "your own median fee.",
        source=answer.source,
    )


def provider_choices_view(answer: ProviderChoices) -> ChoicesView:
    """Several providers fit the name: each with its URN and borough, and a button for it."""
    return ChoicesView(
        title=f"Which provider do you mean by “{answer.typed[:80]}”?",
        message=f"{len(answer.choices)} providers in the returns fit that name equally well:",
        choices=tuple(
            Choice(
                f"URN {c.urn}",
                f"{c.name}, URN {c.urn}, "
                + (c.where if c.where else "not in the London schools directory"),
                "benchmark",
                f"provider {c.urn}",
            )
            for c in answer.choices
        ),
    )


def top10_view(answer: TopProviders) -> ReportView:
    spend, count = answer.by_spend, answer.by_count
    spend_rows = tuple(
        (name, f"{n:,}", money(amount), f"{share * 100:.1f} %")
        for name, n, amount, share in zip(
            spend["name"], spend["placements"], spend["spend"], spend["share"], strict=True
        )
    )
    count_rows = tuple(
        (name, f"{n:,}", money(amount))
        for name, n, amount in zip(count["name"], count["placements"], count["spend"], strict=True)
    )
    share, who = spend["share"].sum(), answer.name
    return ReportView(
        title=f"{who}: top 10 INMSS providers, {answer.period}",
        subtitle=f"From {who}'s own return: the top 10 take {share * 100:.0f} % of its INMSS "
        f"spend. Only {who} and the secretariat see this.",
        tables=(
            ReportTable(
                "By spend",
                ("Provider", "Placements", "Spend a year", "Share"),
                spend_rows,
                widths=(5, 2, 3, 2),
            ),
            ReportTable(
                "By placements",
                ("Provider", "Placements", "Spend a year"),
                count_rows,
                widths=(5, 2, 3),
            ),
        ),
        chart_url=answer.chart_url,
        chart_alt=f"Spend by provider for {who}'s top 10 INMSS providers.",
        source=answer.source,
    )


def _variation_lines(answer: NeedBenchmark) -> list[str]:
    """The rate lines cover the same placements as the tables (every filter applied), and
    say so."""
    which, threshold = answer.filters.words(), answer.threshold
    if not answer.rates:
        return [
            f"No provider's fees for {which} vary across boroughs by more than {threshold:.2f}×."
        ]
    return [
        f"Providers charging boroughs differently for {which} (the provider's fee, core "
        "education plus residential care: each other borough's average, highest over lowest, "
        f"flagged above {threshold:.2f}×):",
        *(
            f"• {_rate_sentence(x, answer.names.get(x.provider_urn, x.provider_urn), threshold)}"
            for x in answer.rates
        ),
    ]


def _rate_sentence(line: RateLine, name: str, threshold: float) -> str:
    """Rule 6: the others as a count and a spread; the viewer's own average only against the
    quartiles of the others' fees, which the line shows too. What is above the threshold is
    the spread, never the viewer."""
    over = " (above" if line.flagged else " (within"
    text = (
        f"{name}, {line.placement_type}: the {line.boroughs} other boroughs' average fees "
        f"differ by up to {line.spread:.2f}×{over} the {threshold:.2f}× threshold)"
    )
    if line.q1 is not None and line.q3 is not None:
        text += f"; their fees' middle half {money(line.q1)} – {money(line.q3)}"
    if line.own_average is not None:
        text += f"; your average fee {money(line.own_average)}"
        if line.band:
            text += f" is {line.band} of theirs"
    return text


def _withheld(reason: str) -> str:
    return f"not shown: {reason}"


def _cost_row(label: str, cell: CostCell, include_own: bool) -> tuple[str, ...]:
    yours = f"{money(cell.own.median)} ({cell.own.count})" if cell.own else "–"
    own = (yours,) if include_own else ()
    if cell.refused:
        return (label, cell.count, _withheld(cell.refused), "", *own)
    spread = (
        f"{money(cell.q1)} – {money(cell.q3)}"
        if cell.q1 is not None
        else _withheld(cell.quartiles_refused)
    )
    return (label, cell.count, money(cell.median), spread, *own)


def _own_column(columns: tuple[Column, ...], include_own: bool) -> tuple[Column, ...]:
    """A table's header (or widths) without its last column, "Yours (n)", when own figures
    are left out."""
    return columns if include_own else columns[:-1]
