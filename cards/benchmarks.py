"""What the INMSS benchmark answers look like: report views from forum_ops.benchmarks.service' results.

Amounts are in whole pounds (the exports keep them exact). A withheld figure shows as a dash with
a numbered mark (an en dash and a superscript 1) and one footnote under the tables says which rule each mark stands for.
London's figures come from a release and every card names it; the viewer's own ("Yours") are
live. In a shared conversation (`include_own` false) the cards hold no "Yours" column and no own
averages: those go to the asker privately.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TypeVar

from analytics.benchmark_filters import LONDON
from analytics.benchmarks import WITHHELD_COUNT, CostCell
from analytics.rates import MIDDLE, RateLine
from cards.format import NBSP, british_date, percent, pounds
from cards.views.benchmarks import (
    NeedBenchmark,
    ProviderBenchmark,
    ProviderChoices,
    Release,
    TopProviders,
)
from cards.views.common import Choice, ChoicesView, ReportTable, ReportView

Column = TypeVar("Column", str, int)  # a table's heading or width
NEED_WIDTHS = (3, 4, 4, 6, 4)  # need (or placement type), placements, median, middle half, yours
PROVIDER_WIDTHS = (6, 4, 4, 6, 4)
SHARED_PROVIDER_WIDTHS = (9, 4, 4, 6)  # no "Yours" column: a provider's name gets its room

PROTECTION = (
    "Everyone, in every chat, sees the same London figures: counts rounded to a multiple of 5 "
    "(under 5 reads <5); medians and middle halves blend several boroughs' placements, rounded "
    "to £100 and moved by up to 3 %."
)
NOTE = f"{PROTECTION} Your own figures are live, from your return now: only you and LIIA see them."
# A benchmark asked for in a channel or group chat: only what everyone there may see
SHARED_NOTE = f"{PROTECTION} Your borough's own figures were sent to you in your 1:1 chat with me."


def released(release: Release) -> str:
    """Which release a card's London figures come from (DOMAIN rule 10)."""
    return (
        f"London figures as released on {british_date(release.released_at.date())} (release "
        f"{release.id}: {release.boroughs} boroughs)."  # not its exact count: DOMAIN rule 8
    )


YOUR_MEDIAN = "Your median (n)"
WITHHELD = "–"  # a figure not shown; its mark says why, in the card's footnote
_MARKS = "¹²³⁴⁵⁶⁷⁸⁹"


class Withheld:
    """The card's withheld figures: one mark per reason, in order of first use, and the one
    footnote that explains them."""

    def __init__(self) -> None:
        self._reasons: list[str] = []

    def mark(self, reason: str) -> str:
        if reason not in self._reasons:
            self._reasons.append(reason)
        n = self._reasons.index(reason)
        return WITHHELD + (_MARKS[n] if n < len(_MARKS) else f"({n + 1})")

    def footnote(self) -> str:
        if not self._reasons:
            return ""
        reasons = "; ".join(
            f"{self.mark(reason)[len(WITHHELD) :]} {reason}" for reason in self._reasons
        )
        return f"{WITHHELD} not shown: {reasons}."


def money(value: float | None) -> str:
    return "" if value is None else pounds(value)


def money_range(low: float, high: float) -> str:
    """Two amounts joined by an en dash without spaces: a narrow column keeps it on one line."""
    return f"{pounds(low)}–{pounds(high)}"


def benchmark_view(answer: NeedBenchmark, sent_privately: bool = True) -> ReportView:
    own, withheld = answer.include_own, Withheld()
    need_rows = [_cost_row(c.key, c, own, withheld) for c in answer.needs.cells]
    if answer.needs.total is not None and len(answer.filters.needs) != 1:  # else the same row
        need_rows.append(_cost_row("All needs", answer.needs.total, own, withheld))
    labels = provider_labels([c.key for c in answer.providers], answer.names)
    provider_rows = tuple(_cost_row(labels[c.key], c, own, withheld) for c in answer.providers)
    return ReportView(
        title=f"INMSS benchmark: {answer.filters.words()}",
        subtitle=_subtitle("Total annual cost per placement", own, sent_privately),
        tables=(
            ReportTable(
                "By primary need",
                _own_column(("Need", "Placements", "Median", "Middle half", YOUR_MEDIAN), own),
                tuple(need_rows),
                widths=_own_column(NEED_WIDTHS, own),
            ),
            ReportTable(
                "Your providers" if answer.own_providers else "Providers most used across London",
                _own_column(("Provider", "Placements", "Median", "Middle half", YOUR_MEDIAN), own),
                provider_rows,
                withheld.footnote(),
                widths=PROVIDER_WIDTHS if own else SHARED_PROVIDER_WIDTHS,
            ),
        ),
        lines=tuple(_variation_lines(answer)),
        chart_url=answer.chart_url,
        chart_alt="Cost per placement by primary need: boxes are the middle half, whiskers the "
        "middle 80 %, diamonds your own median.",
        source=f"{released(answer.release)} {NOTE if own else SHARED_NOTE}",
    )


def provider_view(answer: ProviderBenchmark, sent_privately: bool = True) -> ReportView:
    """One measure on the whole card, named: the provider's fee (core education plus
    residential care), in the table, the chart and the rate lines alike."""
    own, withheld = answer.include_own, Withheld()
    rows = tuple(_cost_row(c.key, c, own, withheld) for c in answer.table.cells)
    sentences = []
    for line in answer.rates:
        if line.refused:
            mine = f": yours {money(line.own_average)}" if line.own_average is not None else ""
            sentences.append(
                f"• {line.placement_type.capitalize()}{mine}; London's middle half "
                f"{withheld.mark(line.refused)}."
            )
        else:
            sentence = _rate_sentence(line, "", answer.threshold)
            sentences.append(f"• {line.placement_type.capitalize()}{sentence}.")
    return ReportView(
        title=f"{answer.name} (URN {answer.urn})",
        subtitle=_subtitle(
            f"The fee London boroughs pay this provider in {answer.period} (core education "
            "plus residential care, a year), by placement type",
            own,
            sent_privately,
        ),
        tables=(
            ReportTable(
                "Fee per placement a year",
                _own_column(("Type", "Placements", "Median fee", "Middle half", YOUR_MEDIAN), own),
                rows,
                withheld.footnote(),
                widths=_own_column(NEED_WIDTHS, own),
            ),
        ),
        lines=(
            "What boroughs pay on average, by placement type (the middle half of the boroughs' "
            f"average fees; a spread above {answer.threshold:.2f}× is flagged):",
            *sentences,
        )
        if sentences
        else (),
        chart_url=answer.chart_url,
        chart_alt=f"Fee per placement at {answer.name[:80]} by placement type; diamonds are "
        "your own median fee.",
        source=f"{released(answer.release)} {NOTE if own else SHARED_NOTE}",
    )


def _subtitle(what: str, own: bool, sent_privately: bool = True) -> str:
    """`sent_privately`: a shared answer's asker was sent their own figures 1:1 (False: the
    bot cannot reach them 1:1 yet, so it says where to ask)."""
    if own:
        return f"{what}, in whole pounds: London's from the release, yours live."
    if not sent_privately:
        return f"{what}, in whole pounds. Ask me in our 1:1 chat for your own figures."
    return f"{what}, in whole pounds. Your own figures were sent to you 1:1."


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
        (name, f"{n:,}", money(amount), percent(share))
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
        subtitle=f"From {who}'s own returns as they stand now (live): the top 10 take "
        f"{share * 100:.0f}{NBSP}% of its INMSS spend. Only {who} and the secretariat see this.",
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
        source=f"Source: {who}'s INMSS returns, {answer.placements:,} placements in all.",
    )


def _variation_lines(answer: NeedBenchmark) -> list[str]:
    """The answer first: for each flagged provider, what the viewer pays against the middle half
    of London boroughs' average fees. The lines are of the providers the table lists and the
    placement types asked for, each over all the provider's placements of the type (a line
    narrowed by need, phase or area could be subtracted from a wider one's)."""
    which, threshold, filters = answer.filters.words(), answer.threshold, answer.filters
    narrowed = filters.needs or filters.phases or filters.area != LONDON
    scope = (
        f" Each line is all the provider's placements of that type in {filters.period}, whatever "
        "the need, phase or area."
        if narrowed
        else ""
    )
    if not answer.rates:
        return [
            f"No listed provider's fees vary across boroughs by more than {threshold:.2f}× "
            f"for {which}.{scope}"
        ]
    labels = provider_labels([x.provider_urn for x in answer.rates], answer.names)
    return [
        f"Where boroughs pay a provider most differently: its fee (core education plus "
        f"residential care) against the middle half of the boroughs' averages.{scope}",
        *(f"• {labels[x.provider_urn]}, {x.placement_type}{_rate_sentence(x, '', threshold)}"
          for x in answer.rates),
    ]  # fmt: skip


def provider_labels(urns: Sequence[str], names: Mapping[str, str]) -> dict[str, str]:
    """Each provider's name as the returns spell it, with its URN where another provider on
    the same card has the same name (two lines must never read the same)."""
    named = {urn: names.get(urn, urn) for urn in urns}
    urns_of = Counter(name.casefold() for name in named.values())
    return {
        urn: f"{name} (URN{NBSP}{urn})" if urns_of[name.casefold()] > 1 and name != urn else name
        for urn, name in named.items()
    }


def _rate_sentence(line: RateLine, name: str, threshold: float) -> str:
    """Rule 6, the answer first: the viewer's own average (live) against the middle half of
    the boroughs' averages in the release; then how many boroughs and the spread (upper over
    lower quartile). Never a borough's rank or a ratio to one borough's figure."""
    assert line.q1 is not None
    assert line.q3 is not None
    assert line.spread is not None
    text = name
    if line.own_average is not None:
        text += f": you pay {money(line.own_average)}"
        if line.band:  # the range named: it is the middle half, not the quartile the band names
            middle = money_range(line.q1, line.q3)
            text += (
                f", {line.band} ({middle})"
                if line.band == MIDDLE
                else (f", {line.band} (middle half {middle})")
            )
    else:
        text += f": middle half {money_range(line.q1, line.q3)}"
    over = "above" if line.flagged else "within"
    return text + f"; {line.boroughs} boroughs, spread {line.spread:.2f}× ({over} {threshold:.2f}×)"


def _cost_row(label: str, cell: CostCell, include_own: bool, withheld: Withheld) -> tuple[str, ...]:
    yours = f"{money(cell.own.median)} ({cell.own.count})" if cell.own else "–"
    own = (yours,) if include_own else ()
    if cell.count == WITHHELD_COUNT:  # the count too: one mark for the line
        mark = withheld.mark(cell.refused)
        return (label, mark, WITHHELD, WITHHELD, *own)
    if cell.refused:
        return (label, cell.count, withheld.mark(cell.refused), WITHHELD, *own)
    spread = (
        money_range(cell.q1, cell.q3)
        if cell.q1 is not None and cell.q3 is not None
        else withheld.mark(cell.quartiles_refused)
    )
    return (label, cell.count, money(cell.median), spread, *own)


def _own_column(columns: tuple[Column, ...], include_own: bool) -> tuple[Column, ...]:
    """A table's header (or widths) without its last column (the viewer's own median) when own figures
    are left out."""
    return columns if include_own else columns[:-1]
