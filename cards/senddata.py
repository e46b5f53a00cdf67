"""SEND Data cards' view models, written from the service's figures (forum_ops/senddata/service.py)."""

from __future__ import annotations

from analytics.sen2 import Headline, year_label
from cards.format import british_date, count, ordinal, percent
from cards.views.common import Fact, SendDataView
from cards.views.senddata import GroupFigures, SendDataFigures


def rank_words(rank: int, of: int) -> str:
    """Where a count stands among the London authorities: "the highest of 33", "the 29th
    highest of 33", "the lowest of 33"."""
    if rank == 1:
        place = "the highest"
    elif rank == of:
        place = "the lowest"
    else:
        place = f"the {ordinal(rank)} highest"
    return f"{place} of {of} London authorities"


def headline_facts(h: Headline) -> list[Fact]:
    plans = count(h.plans) + (f", {rank_words(*h.rank)}" if h.rank else "")
    facts = [
        Fact(f"EHC plans, {year_label(h.latest)}", plans),
        Fact(
            "On a year before",
            f"{percent(h.growth, signed=True)} ({h.comparator} {percent(h.comparator_growth, signed=True)})",
        ),
        Fact(f"Since {year_label(h.first)}", percent(h.growth_since_first, signed=True)),
        Fact(
            "In independent special schools",
            f"{percent(h.independent_share)} of plans "
            f"({h.comparator} {percent(h.comparator_independent_share)})",
        ),
    ]
    if h.top_needs:
        facts.append(
            Fact(
                "Biggest primary needs",
                ", ".join(f"{code} {percent(share)}" for code, share in h.top_needs),
            )
        )
    return facts


def group_fact(group: GroupFigures) -> Fact:
    value = f"{count(group.plans)} plans, {percent(group.growth, signed=True)} on a year before"
    if group.independent_share is not None:
        value += f", {percent(group.independent_share)} in independent special schools"
    return Fact(group.area, value)


def senddata_view(figures: SendDataFigures) -> SendDataView:
    """`senddata`, or the standing agenda item when the figures are for a meeting."""
    h = figures.headline
    facts = headline_facts(h)
    if figures.placements is not None:
        facts.append(
            Fact(
                "Where children with plans are placed",
                ", ".join(f"{kind} {percent(share)}" for kind, share in figures.placements),
            )
        )
    facts.extend(group_fact(group) for group in figures.groups)
    if figures.meeting is None:
        title = f"SEND Data: {h.area}"
        subtitle = f"EHC plans on the {figures.census} census, against {h.comparator}"
    else:
        title = "SEND Data (standing item)"
        subtitle = (
            f"For the forum's meeting on {british_date(figures.meeting)}: "
            f"EHC plans on the {figures.census} census"
        )
    return SendDataView(
        title=title,
        subtitle=subtitle,
        facts=tuple(facts),
        chart_url=figures.chart_url,
        chart_alt="; ".join(
            f"{line.area}: {count(line.first)} to {count(line.latest)} EHC plans"
            for line in figures.lines
        ),
        source=f"Source: {figures.source}.",
    )
