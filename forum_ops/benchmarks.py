"""INMSS benchmarks as a service: `benchmark <filters>`, `benchmark provider <name>`, `top10`.

Each answer is one call that reads the returns (once per import: forum_ops/placements.py),
decides whose own figures the viewer may hold, computes the disclosure-controlled tables
(analytics), draws the chart through the ChartStore port and returns plain results for a card
to present. Authority comes from the member (the registry), never from the words typed.

An answer depends only on the returns' version, the question and the viewer's borough, so it is
computed once for them (forum_ops/versioned.py Answers) after authority has been checked.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from analytics.benchmark_filters import Filters, parse_filters
from analytics.benchmarks import CostCell, cost_table, top_providers
from analytics.charts import Box, bar_chart, box_chart
from analytics.disclosure import Rules, one_line_per_answer
from analytics.rates import ABOVE, BELOW, MIDDLE, fees, listed_rate_lines, rate_lines
from analytics.returns_format import NEEDS, PLACEMENT_TYPES
from forum_ops.authorities import resolve_authority
from forum_ops.benchmark_answers import (
    NeedBenchmark,
    ProviderBenchmark,
    ProviderChoice,
    ProviderChoices,
    TopProviders,
)
from forum_ops.db import Database
from forum_ops.errors import ForumError, NotAllowed
from forum_ops.model import Member
from forum_ops.placements import GEOGRAPHY, Placements, placements_cache
from forum_ops.ports import ChartStore
from forum_ops.returns import BOROUGHS
from forum_ops.suppliers import boroughs_of
from forum_ops.versioned import ANSWERS_FRESH_FOR, ANSWERS_KEPT, Answers

PROVIDERS_SHOWN = 8
RATE_LINES_SHOWN = 5
MAX_CHOICES = 6  # providers offered when a name fits several (a card's buttons)


@dataclass(frozen=True)
class BenchmarkConfig:
    rules: Rules
    threshold: float  # rate variation is flagged above this ratio


class Benchmarks:
    def __init__(self, db: Database, charts: ChartStore, config: BenchmarkConfig) -> None:
        self._db, self._charts, self._config = db, charts, config
        self._returns = placements_cache()
        kept, fresh, refusals = ANSWERS_KEPT, ANSWERS_FRESH_FOR, (ForumError,)
        self._needs: Answers[NeedBenchmark] = Answers(kept, fresh, refusals)
        self._providers: Answers[ProviderBenchmark | ProviderChoices] = Answers(
            kept, fresh, refusals
        )
        self._tops: Answers[TopProviders] = Answers(kept, fresh, refusals)

    def warm(self) -> None:
        """Read the returns (if changed) and key their records, before any request needs them."""
        self._placements()[1].with_keys(self._config.rules)

    def benchmark(self, member: Member, words: str, include_own: bool = True) -> NeedBenchmark:
        with one_line_per_answer(_viewer(member, include_own), "benchmark"):
            version, data = self._placements()
            filters = _filters(words, data)
            viewer = member.borough if include_own else None
            return self._needs.get(
                version,
                (filters, viewer, include_own),
                lambda: self._benchmark(data, filters, viewer, include_own),
            )

    def _benchmark(
        self, data: Placements, filters: Filters, viewer: str | None, include_own: bool
    ) -> NeedBenchmark:
        rules = self._config.rules
        frame = data.with_keys(rules)
        needs = cost_table(frame, filters, "primary_need", viewer, GEOGRAPHY, rules, True)
        if not needs.cells:
            raise ForumError(
                f"Fewer than 5 placements match {filters.words()}, none of them yours: try "
                "fewer filters."
            )
        # providers' counts add up to the need table's total: protected as a table with a total
        providers = cost_table(frame, filters, "provider_urn", viewer, GEOGRAPHY, rules, True)
        mine = [c for c in providers.cells if c.own]
        shown = sorted(
            mine or [c for c in providers.cells if c.median is not None],
            key=lambda c: (-(c.own.count if c.own else 0), -_count(c.count), c.key),
        )[:PROVIDERS_SHOWN]
        kinds = filters.placement_types or frozenset(PLACEMENT_TYPES)
        # the lines of the providers the table lists, each the same in every benchmark: a line
        # narrowed by need, phase or area could be subtracted from a wider one's
        period = data.frame[data.frame["period"] == filters.period]
        listed = frozenset(c.key for c in providers.cells)
        lines = listed_rate_lines(
            data.rates[filters.period], period, filters, listed, viewer, rules, self._threshold
        )
        order = {ABOVE: 0, MIDDLE: 1, BELOW: 2}
        flagged = sorted(
            (x for x in lines if x.flagged and x.placement_type in kinds),
            key=lambda x: (x.own_average is None, order.get(x.band, 3), -(x.spread or 0)),
        )[:RATE_LINES_SHOWN]
        boxes = [_box(c.key, c) for c in needs.cells if c.median is not None or c.own]
        title = f"Cost per placement a year: {filters.words()}"
        url = self._chart(f"benchmark:{filters.words()}", box_chart(boxes, title)) if boxes else ""
        return NeedBenchmark(
            filters, needs, tuple(shown), bool(mine), tuple(flagged), frozenset(kinds),
            self._threshold, data.names, include_own, url, data.sources[filters.period],
        )  # fmt: skip

    def provider(
        self, member: Member, words: str, include_own: bool = True
    ) -> ProviderBenchmark | ProviderChoices:
        if not words.strip():
            raise ForumError(
                "Which provider? For example: benchmark provider Brindlewick, or its URN."
            )
        with one_line_per_answer(_viewer(member, include_own), "benchmark provider"):
            version, data = self._placements()
            viewer = member.borough if include_own else None
            return self._providers.get(
                version,
                (words[:200], viewer, include_own),
                lambda: self._provider(data, words[:200], viewer, include_own),
            )

    def _provider(
        self, data: Placements, words: str, viewer: str | None, include_own: bool
    ) -> ProviderBenchmark | ProviderChoices:
        period = data.periods[-1]
        found = find_providers(data.names, words)
        if len(found) > 1:
            return self._choices(words, found)
        urn, name = found[0]
        rules = self._config.rules
        frame = data.with_keys(rules)
        rows = frame[frame["provider_urn"] == urn]
        # one measure on the card: the provider's fee, as the rate lines compare
        fee_rows = rows.assign(total_cost=fees(rows))
        table = cost_table(fee_rows, Filters(period), "placement_type", viewer, GEOGRAPHY, rules)
        if not table.cells:
            raise ForumError(
                f"Fewer than 5 placements at {name} in {period}, none of them yours: nothing "
                "to compare."
            )
        lines = rate_lines(
            data.rates[period], rows[rows["period"] == period], viewer, rules, self._threshold,
            frozenset({urn}),
        )  # fmt: skip
        boxes = [_box(c.key, c) for c in table.cells if c.median is not None or c.own]
        title = f"{name[:50]}: fee per placement a year"
        url = self._chart(f"provider:{urn}", box_chart(boxes, title)) if boxes else ""
        return ProviderBenchmark(
            urn, name, period, table, tuple(lines), self._threshold, include_own, url,
            data.sources[period],
        )  # fmt: skip

    def _choices(self, typed: str, found: list[tuple[str, str]]) -> ProviderChoices:
        with self._db.transaction() as session:
            where = boroughs_of(session, [urn for urn, _ in found])
        return ProviderChoices(
            typed.strip(),
            tuple(ProviderChoice(urn, name, where.get(urn, "")) for urn, name in found),
        )

    def top10(self, member: Member, words: str) -> TopProviders:
        version, data = self._placements()
        borough = _borough(words, member)  # authority first: the answer is kept by borough
        return self._tops.get(version, borough, lambda: self._top10(data, borough))

    def _top10(self, data: Placements, borough: str) -> TopProviders:
        period = data.periods[-1]
        by_spend, by_count = top_providers(data.frame, borough, period)
        if by_spend.empty:
            raise ForumError(f"{BOROUGHS[borough]} has no return for {period} yet.")
        name = BOROUGHS[borough]
        png = bar_chart(
            list(by_spend["name"]), list(by_spend["spend"]), f"{name}: spend by provider, {period}"
        )
        url = self._chart(f"top10:{borough}:{period}", png)
        return TopProviders(borough, name, period, by_spend, by_count, url, data.sources[period])

    @property
    def _threshold(self) -> float:
        return self._config.threshold

    def _placements(self) -> tuple[Hashable, Placements]:
        """The returns' version and read model."""
        with self._db.transaction() as session:
            held = self._returns.versioned(session)
        if held is None:
            raise ForumError(
                "No INMSS returns have been imported yet: boroughs' data submitters can send "
                "theirs (type returns to get the template)."
            )
        return held

    def _chart(self, key: str, png: bytes) -> str:
        return self._charts.store(key, png)


def _filters(words: str, data: Placements) -> Filters:
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
    return filters


def find_providers(names: Mapping[str, str], words: str) -> list[tuple[str, str]]:
    """The providers `words` names, by URN or by name with typos forgiven: [(URN, name)], one
    unless several fit equally well (the same name at several URNs, or a tie), never a silent
    pick among them."""
    wanted = words.strip()
    if wanted in names:
        return [(wanted, names[wanted])]
    found = process.extract(wanted, names, scorer=fuzz.WRatio, score_cutoff=70, limit=None)
    if not found:
        raise ForumError(f"No provider in the returns matches “{wanted[:80]}”. Try its URN.")
    best = found[0][1]
    tied = {str(name).casefold() for name, score, _ in found if score >= best}
    fits = sorted((str(name), str(urn)) for name, _, urn in found if str(name).casefold() in tied)
    return [(urn, name) for name, urn in fits[:MAX_CHOICES]]


def _borough(words: str, member: Member) -> str:
    """The member's own borough; another borough's only for the secretariat."""
    if not words.strip():
        if member.borough is None:
            raise ForumError("Which borough? For example: top10 Camden.")
        return member.borough
    borough = resolve_authority(words.strip()[:80]).code
    if not member.may_see_borough(borough):
        raise NotAllowed(
            "A borough's top 10 providers are its own figures: only that borough and the "
            "forum's secretariat see them."
        )
    return borough


def _viewer(member: Member, include_own: bool) -> str:
    return (member.borough or "") if include_own else ""


def _count(text: str) -> int:
    return int(text.replace(",", "")) if text[:1].isdigit() else 0


def _box(label: str, cell: CostCell) -> Box:
    own = cell.own.median if cell.own else None
    return Box(label, cell.median, cell.q1, cell.q3, cell.p10, cell.p90, own)
