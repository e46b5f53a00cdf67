"""INMSS benchmark cards: `benchmark <filters>`, `benchmark provider <name>`, `top10 [borough]`.

Every figure about other boroughs comes through analytics.benchmarks with the configured
disclosure rules; a withheld figure says which rule withheld it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TypeVar

import pandas as pd
from rapidfuzz import fuzz, process

from analytics.benchmark_filters import Filters, Geography, parse_filters
from analytics.benchmarks import CostCell, cost_table, top_providers
from analytics.charts import Box, bar_chart, box_chart
from analytics.disclosure import Rules, with_record_keys
from analytics.rates import ABOVE, BELOW, MIDDLE, RateLine, borough_rates, rate_lines
from analytics.returns_format import NEEDS, PLACEMENT_TYPES
from bot.senddata import ChartPublisher
from bot.settings import Settings
from cards import Card, render_card
from cards.views import ReportTable, ReportView
from forum_ops.db import Database
from forum_ops.errors import ForumError, NotAllowed
from forum_ops.model import Member, OrganisationKind, Role
from forum_ops.reference import LOCAL_AUTHORITIES
from forum_ops.returns import BOROUGHS, all_placements, returns_version

Column = TypeVar("Column", str, int)  # a table's heading or width
GEOGRAPHY = Geography.of(
    {la.code: (str(la.subregion), str(la.inner_outer)) for la in LOCAL_AUTHORITIES}
)
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


@dataclass(frozen=True)
class Placements:
    """The stored returns and what every request would otherwise recompute."""

    frame: pd.DataFrame
    periods: tuple[str, ...]  # oldest first
    rates: dict[str, pd.DataFrame]  # by period: borough_rates()
    names: dict[str, str]  # provider URN -> name, as returns spell it
    sources: dict[str, str]  # by period: where the figures come from
    keyed: dict[str, pd.DataFrame] = field(default_factory=dict)  # by secret: with record keys

    def with_keys(self, rules: Rules) -> pd.DataFrame:
        """The frame with each placement's record key (rule 8), computed once per secret."""
        secret = rules.cell_key_secret
        if secret not in self.keyed:
            self.keyed.clear()
            self.keyed[secret] = with_record_keys(self.frame, rules)
        return self.keyed[secret]

    @staticmethod
    def of(frame: pd.DataFrame) -> Placements:
        periods = tuple(sorted(frame["period"].unique()))
        per_period = frame.groupby("period")["borough"].agg(["nunique", "size"])
        return Placements(
            frame,
            periods,
            {p: borough_rates(frame, p) for p in periods},
            dict(zip(frame["provider_urn"], frame["provider_name"], strict=True)),
            {
                str(p): f"Source: INMSS returns for {p} from {row['nunique']} boroughs, "
                f"{row['size']:,} placements."
                for p, row in per_period.iterrows()
            },
        )


class PlacementsCache:
    """Every stored return as one frame, re-read only after an import."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: int | None = None
        self._placements: Placements | None = None

    def load(self, db: Database) -> Placements | None:
        with db.transaction() as session:
            version = returns_version(session)
            if version is None:
                return None
            with self._lock:
                if version != self._version:
                    self._placements = Placements.of(all_placements(session))
                    self._version = version
                return self._placements


def rules_of(settings: Settings) -> Rules:
    return Rules(
        small_count=settings.forum_disclosure_small_count,
        min_boroughs=settings.forum_disclosure_min_boroughs,
        min_placements=settings.forum_disclosure_min_placements,
        min_placements_quartiles=settings.forum_disclosure_min_placements_quartiles,
        p_percent=settings.forum_disclosure_p_percent,
        max_borough_share=settings.forum_disclosure_max_borough_share,
        cell_key_secret=settings.forum_disclosure_cell_key_secret,
    )


def viewer_of(member: Member) -> str | None:
    org = member.organisation
    return org.code if org.kind is OrganisationKind.LOCAL_AUTHORITY else None


def pounds(value: float | None) -> str:
    return "" if value is None else f"£{value:,.2f}"


def _withheld(reason: str) -> str:
    return f"not shown: {reason}"


def _cost_row(label: str, cell: CostCell, include_own: bool = True) -> tuple[str, ...]:
    yours = f"{pounds(cell.own.median)} ({cell.own.count})" if cell.own else "–"
    own = (yours,) if include_own else ()
    if cell.refused:
        return (label, cell.count, _withheld(cell.refused), "", *own)
    spread = (
        f"{pounds(cell.q1)} – {pounds(cell.q3)}"
        if cell.q1 is not None
        else _withheld(cell.quartiles_refused)
    )
    return (label, cell.count, pounds(cell.median), spread, *own)


def _own_column(columns: tuple[Column, ...], include_own: bool) -> tuple[Column, ...]:
    """A table's header (or widths) without its last column, "Yours (n)", when own figures
    are left out."""
    return columns if include_own else columns[:-1]


def viewer_for(member: Member, include_own: bool) -> str | None:
    """Whose own figures the card may hold: none in a shared conversation, where the figures
    are those everyone may see (all boroughs', as the secretariat sees them)."""
    return viewer_of(member) if include_own else None


def _box(label: str, cell: CostCell) -> Box:
    return Box(
        label,
        cell.median,
        cell.q1,
        cell.q3,
        cell.p10,
        cell.p90,
        cell.own.median if cell.own else None,
    )


def benchmark_card(
    charts: ChartPublisher,
    data: Placements,
    words: str,
    member: Member,
    settings: Settings,
    include_own: bool = True,
) -> Card:
    try:
        filters = parse_filters(words, NEEDS, GEOGRAPHY, data.periods[-1])
    except ValueError as unknown:
        raise ForumError(
            f"I didn't understand {unknown} in that benchmark. Try words such as SEMH, "
            "secondary, day, residential, Inner, South East or 2025-26."
        ) from None
    if filters.period not in data.periods:
        raise ForumError(
            f"No returns for {filters.period}: there are returns for {', '.join(data.periods)}."
        )
    rules, viewer = rules_of(settings), viewer_for(member, include_own)
    frame = data.with_keys(rules)
    needs = cost_table(frame, filters, "primary_need", viewer, GEOGRAPHY, rules, with_total=True)
    # providers' counts add up to the need table's total, so they are protected as a table
    # with a total (rule 5) though the total line itself is not repeated
    providers = cost_table(
        frame, filters, "provider_urn", viewer, GEOGRAPHY, rules, with_total=True
    )
    names = data.names
    header = _own_column(("", "Placements", "Median", "Middle half", "Yours (n)"), include_own)
    need_rows = [_cost_row(c.key, c, include_own) for c in needs.cells]
    if needs.total is not None:
        need_rows.append(_cost_row("All needs", needs.total, include_own))
    if not needs.cells:
        raise ForumError(
            f"Fewer than 5 placements match {filters.words()}, none of them yours: try fewer "
            "filters."
        )
    # where the viewer sits: its own providers first; otherwise the most used elsewhere
    mine = [c for c in providers.cells if c.own]
    shown = sorted(
        mine or [c for c in providers.cells if c.median is not None],
        key=lambda c: (-(c.own.count if c.own else 0), -_count(c.count), c.key),
    )[:8]
    lines = _variation_lines(data, filters, viewer, rules, settings, names)
    boxes = [_box(c.key, c) for c in needs.cells if c.median is not None or c.own]
    url = (
        charts.publish(box_chart(boxes, f"Cost per placement a year: {filters.words()}"))
        if boxes
        else ""
    )
    view = ReportView(
        title=f"INMSS benchmark: {filters.words()}",
        subtitle=f"Total annual cost per placement. {NOTE if include_own else SHARED_NOTE}",
        tables=(
            ReportTable(
                "By primary need",
                header,
                tuple(need_rows),
                widths=_own_column((2, 2, 3, 4, 3), include_own),
            ),
            ReportTable(
                "Your providers" if mine else "Providers most used by other boroughs",
                _own_column(
                    ("Provider", "Placements", "Median", "Middle half", "Yours (n)"), include_own
                ),
                tuple(_cost_row(names.get(c.key, c.key), c, include_own) for c in shown),
                widths=_own_column((4, 2, 3, 4, 3), include_own),
            ),
        ),
        lines=tuple(lines),
        chart_url=url,
        chart_alt="Cost per placement by primary need: boxes are the middle half, whiskers the "
        "middle 80 %, diamonds your own median.",
        source=_source(data, filters.period),
    )
    return render_card("report", view)


def _count(text: str) -> int:
    return int(text.replace(",", "")) if text[:1].isdigit() else 0


def _variation_lines(
    data: Placements,
    filters: Filters,
    viewer: str | None,
    rules: Rules,
    settings: Settings,
    names: dict[str, str],
) -> list[str]:
    threshold = settings.forum_rate_variation_threshold
    period = data.frame[data.frame["period"] == filters.period]
    lines = rate_lines(data.rates[filters.period], period, viewer, rules, threshold)
    kinds = filters.placement_types or frozenset(PLACEMENT_TYPES)
    order = {ABOVE: 0, MIDDLE: 1, BELOW: 2}
    flagged = sorted(
        (x for x in lines if x.flagged and x.placement_type in kinds),
        key=lambda x: (x.own_average is None, order.get(x.band, 3), -(x.spread or 0)),
    )[:5]
    if not flagged:
        return [
            f"No provider's {', '.join(sorted(kinds))} fees vary across boroughs by more than {threshold:.2f}×."
        ]
    return [
        f"Providers charging boroughs differently (highest borough average over lowest, above {threshold:.2f}×):",
        *(f"• {_rate_sentence(x, names.get(x.provider_urn, x.provider_urn))}" for x in flagged),
    ]


def _rate_sentence(line: RateLine, name: str) -> str:
    """Rule 6: the others as a count and a spread; the viewer's own average only against the
    quartiles of the others' fees, which the line shows too."""
    text = (
        f"{name}, {line.placement_type}: {line.spread:.2f}× across {line.boroughs} other boroughs"
    )
    if line.q1 is not None and line.q3 is not None:
        text += f"; their fees' middle half {pounds(line.q1)} – {pounds(line.q3)}"
    if line.own_average is not None:
        text += f"; you pay {pounds(line.own_average)} on average"
        if line.band:
            text += f", {line.band}"
    return text


def find_provider(names: dict[str, str], words: str) -> tuple[str, str]:
    """A provider by URN or by name, typos forgiven: (URN, name)."""
    wanted = words.strip()
    if wanted in names:
        return wanted, names[wanted]
    match = process.extractOne(wanted, names, scorer=fuzz.WRatio, score_cutoff=70)
    if not match:
        raise ForumError(f"No provider in the returns matches “{wanted[:80]}”. Try its URN.")
    return str(match[2]), str(match[0])


def provider_card(
    charts: ChartPublisher,
    data: Placements,
    words: str,
    member: Member,
    settings: Settings,
    include_own: bool = True,
) -> Card:
    if not words.strip():
        raise ForumError("Which provider? For example: benchmark provider Brindlewick, or its URN.")
    period = data.periods[-1]
    urn, name = find_provider(data.names, words[:200])
    rules, viewer = rules_of(settings), viewer_for(member, include_own)
    frame = data.with_keys(rules)
    rows = frame[frame["provider_urn"] == urn]
    table = cost_table(rows, Filters(period), "placement_type", viewer, GEOGRAPHY, rules)
    if not table.cells:
        raise ForumError(
            f"Fewer than 5 placements at {name} in {period}, none of them yours: nothing to "
            "compare."
        )
    threshold = settings.forum_rate_variation_threshold
    lines = rate_lines(
        data.rates[period], rows[rows["period"] == period], viewer, rules, threshold,
        frozenset({urn}),
    )  # fmt: skip
    sentences = []
    for line in lines:
        if line.refused:
            sentences.append(f"{line.placement_type}: spread {_withheld(line.refused)}.")
        else:
            flag = " — above the threshold" if line.flagged else ""
            sentences.append(
                f"{_rate_sentence(line, line.placement_type.capitalize()).split(', ', 1)[-1]}{flag}."
            )
    boxes = [_box(c.key, c) for c in table.cells if c.median is not None or c.own]
    url = (
        charts.publish(box_chart(boxes, f"{name[:50]}: cost per placement a year")) if boxes else ""
    )
    view = ReportView(
        title=f"{name} (URN {urn})",
        subtitle=f"What London boroughs pay this provider in {period}, by placement type. "
        f"{NOTE if include_own else SHARED_NOTE}",
        tables=(
            ReportTable(
                "Cost per placement",
                _own_column(
                    ("Placement type", "Placements", "Median", "Middle half", "Yours (n)"),
                    include_own,
                ),
                tuple(_cost_row(c.key, c, include_own) for c in table.cells),
                widths=_own_column((3, 2, 3, 4, 3), include_own),
            ),
        ),
        lines=(
            "Rate variation (the provider's fee: core education plus residential care):",
            *sentences,
        ),
        chart_url=url,
        chart_alt=f"Cost per placement at {name[:80]} by placement type; diamonds are your own median.",
        source=_source(data, period),
    )
    return render_card("report", view)


def top10_card(charts: ChartPublisher, data: Placements, words: str, member: Member) -> Card:
    borough = _borough(words, member)
    period = data.periods[-1]
    by_spend, by_count = top_providers(data.frame, borough, period)
    if by_spend.empty:
        raise ForumError(f"{BOROUGHS[borough]} has no return for {period} yet.")
    spend_rows = tuple(
        (name, f"{count:,}", pounds(spend), f"{share * 100:.1f} %")
        for name, count, spend, share in zip(
            by_spend["name"],
            by_spend["placements"],
            by_spend["spend"],
            by_spend["share"],
            strict=True,
        )
    )
    count_rows = tuple(
        (name, f"{count:,}", pounds(spend))
        for name, count, spend in zip(
            by_count["name"], by_count["placements"], by_count["spend"], strict=True
        )
    )
    url = charts.publish(
        bar_chart(
            list(by_spend["name"]),
            list(by_spend["spend"]),
            f"{BOROUGHS[borough]}: spend by provider, {period}",
        )
    )
    share = by_spend["share"].sum()
    view = ReportView(
        title=f"{BOROUGHS[borough]}: top 10 INMSS providers, {period}",
        subtitle=f"From {BOROUGHS[borough]}'s own return: the top 10 take {share * 100:.0f} % of its INMSS spend. Only {BOROUGHS[borough]} and the secretariat see this.",
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
        chart_url=url,
        chart_alt=f"Spend by provider for {BOROUGHS[borough]}'s top 10 INMSS providers.",
        source=_source(data, period),
    )
    return render_card("report", view)


def _borough(words: str, member: Member) -> str:
    """The member's own borough; another borough's only for the secretariat."""
    wanted = words.strip().casefold()
    own = viewer_of(member)
    if not wanted:
        if own is None:
            raise ForumError("Which borough? For example: top10 Camden.")
        return own
    codes = {name.casefold(): code for code, name in BOROUGHS.items()} | {c: c for c in BOROUGHS}
    match = process.extractOne(wanted, list(codes), scorer=fuzz.WRatio, score_cutoff=80)
    if not match:
        raise ForumError(f"I don't know a London borough called “{words.strip()[:80]}”.")
    borough = codes[str(match[0])]
    if borough != own and not member.has(Role.SECRETARIAT):
        raise NotAllowed(
            "A borough's top 10 providers are its own figures: only that borough and the "
            "forum's secretariat see them."
        )
    return borough


def _source(data: Placements, period: str) -> str:
    return data.sources[period]
