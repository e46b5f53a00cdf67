"""INMSS benchmarks as a service: `benchmark <filters>`, `benchmark provider <name>`, `top10`.

Each answer is one call that reads London's figures from a release (forum_ops/returns/releases.py: the
same for every viewer in every conversation, DOMAIN rules 4 and 10) and the viewer's own live
rows, computes the disclosure-controlled tables (analytics), draws the chart through the
ChartStore port and returns plain results for a card to present. Authority comes from the member
(the registry), never from the words typed.

An answer depends only on the release, the returns' version, the question and the viewer's
borough, so it is computed once for them (forum_ops/versioned.py Answers) after authority has
been checked.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz, process
from sqlalchemy.orm import Session

from analytics.benchmark_filters import Filters, parse_filters
from analytics.benchmarks import CostCell, cost_table, top_providers
from analytics.charts import Box, bar_chart, box_chart
from analytics.disclosure import Rules, one_line_per_answer
from analytics.rates import ABOVE, BELOW, MIDDLE, fees, listed_rate_lines, rate_lines
from analytics.returns_format import NEEDS, PLACEMENT_TYPES
from cards.views.benchmarks import (
    NeedBenchmark,
    ProviderBenchmark,
    ProviderChoice,
    ProviderChoices,
    Release,
    TopProviders,
)
from forum_ops.benchmarks.placements import GEOGRAPHY, Released, ReleasesRead, own_rows
from forum_ops.db import Database
from forum_ops.errors import ForumError, NotAllowed
from forum_ops.members.authorities import resolve_authority
from forum_ops.members.model import Member
from forum_ops.ports import ChartStore
from forum_ops.returns.releases import (
    Published,
    published,
    release_names,
    releases,
)
from forum_ops.returns.service import BOROUGHS, returns_version
from forum_ops.suppliers.snapshot import boroughs_of
from forum_ops.versioned import ANSWERS_FRESH_FOR, ANSWERS_KEPT, Answers

PROVIDERS_SHOWN = 8
RATE_LINES_SHOWN = 5
MAX_CHOICES = 6  # providers offered when a name fits several (a card's buttons)
PROVIDER_MATCH = 80  # how close a name must be (rapidfuzz WRatio, 0-100) to count as a match


@dataclass(frozen=True)
class BenchmarkConfig:
    rules: Rules
    threshold: float  # rate variation is flagged above this ratio


class Benchmarks:
    def __init__(self, db: Database, charts: ChartStore, config: BenchmarkConfig) -> None:
        self._db, self._charts, self._config = db, charts, config
        self._releases = ReleasesRead()
        kept, fresh, refusals = ANSWERS_KEPT, ANSWERS_FRESH_FOR, (ForumError,)
        self._needs: Answers[NeedBenchmark] = Answers(kept, fresh, refusals)
        self._providers: Answers[ProviderBenchmark | ProviderChoices] = Answers(
            kept, fresh, refusals
        )
        self._tops: Answers[TopProviders] = Answers(kept, fresh, refusals)

    def warm(self) -> None:
        """Read the latest releases before any request needs them."""
        with self._db.transaction() as session:
            for release in published(session).latest_of_each_period():
                self._releases.get(session, release)

    def benchmark(self, member: Member, words: str, include_own: bool = True) -> NeedBenchmark:
        with one_line_per_answer(_viewer(member, include_own), "benchmark"):
            with self._db.transaction() as session:
                version, released, filters = self._question(session, words)
            viewer = member.borough if include_own else None
            return self._needs.get(
                version,
                (filters, released.release.id, viewer),
                lambda: self._benchmark(released, self._own(viewer, filters.period), filters),
            )

    def _benchmark(
        self, released: Released, own: pd.DataFrame | None, filters: Filters
    ) -> NeedBenchmark:
        rules, frame = self._config.rules, released.frame
        needs = cost_table(frame, filters, "primary_need", GEOGRAPHY, rules, True, own)
        if not needs.cells:
            raise ForumError(
                f"Fewer than 5 placements in London's figures match {filters.words()}, none of "
                "them yours: try fewer filters."
            )
        # providers' counts add up to the need table's total: protected as a table with a total
        providers = cost_table(frame, filters, "provider_urn", GEOGRAPHY, rules, True, own)
        mine = [c for c in providers.cells if c.own]
        shown = sorted(
            mine or [c for c in providers.cells if c.median is not None],
            key=lambda c: (-(c.own.count if c.own else 0), -_count(c.count), c.key),
        )[:PROVIDERS_SHOWN]
        kinds = filters.placement_types or frozenset(PLACEMENT_TYPES)
        # the lines of the providers the table lists, each the same in every benchmark: a line
        # narrowed by need, phase or area could be subtracted from a wider one's
        listed = frozenset(c.key for c in providers.cells)
        lines = listed_rate_lines(frame, own, filters, listed, rules, self._threshold)
        order = {ABOVE: 0, MIDDLE: 1, BELOW: 2}
        flagged = sorted(
            (
                x
                for x in lines
                if (x.flagged or x.own_average is not None) and x.placement_type in kinds
            ),
            key=lambda x: (x.own_average is None, order.get(x.band, 3), -(x.spread or 0)),
        )[:RATE_LINES_SHOWN]
        boxes = [_box(c.key, c) for c in needs.cells if c.median is not None or c.own]
        title = f"Cost per placement a year: {filters.words()}"
        key = f"benchmark:{released.release.id}:{filters.words()}:{_own_key(own)}"
        url = self._chart(key, box_chart(boxes, title)) if boxes else ""
        return NeedBenchmark(
            filters, needs, tuple(shown), bool(mine), tuple(flagged), frozenset(kinds),
            self._threshold, _names(released, own), own is not None, url, released.release,
        )  # fmt: skip

    def provider(
        self, member: Member, words: str, include_own: bool = True
    ) -> ProviderBenchmark | ProviderChoices:
        if not words.strip():
            raise ForumError(
                "Which provider? For example: benchmark provider Brindlewick, or its URN."
            )
        with one_line_per_answer(_viewer(member, include_own), "benchmark provider"):
            words, chosen = _release_asked(words[:200])
            with self._db.transaction() as session:
                state = published(session)
                released = self._release(session, state, _periods(state)[-1], chosen)
                version = (released.release.id, returns_version(session))
            viewer = member.borough if include_own else None
            return self._providers.get(
                version,
                (words, released.release.id, viewer),
                lambda: self._provider(released, self._own(viewer, released.release.period), words),
            )

    def _provider(
        self, released: Released, own: pd.DataFrame | None, words: str
    ) -> ProviderBenchmark | ProviderChoices:
        period = released.release.period
        names = _names(released, own)
        found = find_providers(names, words)
        if len(found) > 1:
            return self._choices(words, found)
        urn, name = found[0]
        rules = self._config.rules
        rows = released.frame[released.frame["provider_urn"] == urn]
        mine = None if own is None else own[own["provider_urn"] == urn]
        # one measure on the card: the provider's fee, as the rate lines compare
        table = cost_table(
            rows.assign(total_cost=fees(rows)), Filters(period), "placement_type", GEOGRAPHY,
            rules, False, None if mine is None else mine.assign(total_cost=fees(mine)),
        )  # fmt: skip
        if not table.cells:
            raise ForumError(
                f"Fewer than 5 placements at {name} in London's figures for {period}, none of "
                "them yours: nothing to compare."
            )
        lines = rate_lines(rows, mine, rules, self._threshold, frozenset({urn}))
        boxes = [_box(c.key, c) for c in table.cells if c.median is not None or c.own]
        title = f"{name[:50]}: fee per placement a year"
        key = f"provider:{released.release.id}:{urn}:{_own_key(mine)}"
        url = self._chart(key, box_chart(boxes, title)) if boxes else ""
        return ProviderBenchmark(
            urn, name, period, table, tuple(lines), self._threshold, own is not None, url,
            released.release,
        )  # fmt: skip

    def _choices(self, typed: str, found: list[tuple[str, str]]) -> ProviderChoices:
        with self._db.transaction() as session:
            where = boroughs_of(session, [urn for urn, _ in found])
        return ProviderChoices(
            typed.strip(),
            tuple(ProviderChoice(urn, name, where.get(urn, "")) for urn, name in found),
        )

    def top10(self, member: Member, words: str) -> TopProviders:
        borough = _borough(words, member)  # authority first: the answer is kept by borough
        with self._db.transaction() as session:  # what the answer depends on: cheap to read
            newest = published(session).releases[:1]
            version = (returns_version(session), tuple(r.id for r in newest))
        return self._tops.get(version, borough, lambda: self._top10(borough))

    def _top10(self, borough: str) -> TopProviders:
        with self._db.transaction() as session:
            own, names = own_rows(session, borough), _release_names(session)
        if own.empty:
            raise ForumError(f"{BOROUGHS[borough]} has no INMSS return yet.")
        period = str(own["period"].max())
        own = own.assign(provider_name=own["provider_urn"].map(names).fillna(own["provider_name"]))
        by_spend, by_count = top_providers(own, borough, period)
        name = BOROUGHS[borough]
        png = bar_chart(
            list(by_spend["name"]), list(by_spend["spend"]), f"{name}: spend by provider, {period}"
        )
        url = self._chart(f"top10:{borough}:{period}:{_own_key(own)}", png)
        return TopProviders(borough, name, period, by_spend, by_count, url, len(own))

    def _own(self, borough: str | None, period: str) -> pd.DataFrame | None:
        """The viewer's own rows for the period, live (read only when an answer is computed)."""
        if borough is None:
            return None
        with self._db.transaction() as session:
            return own_rows(session, borough, period)

    def releases(self) -> list[Release]:
        """Every release, newest first (`benchmark releases`)."""
        with self._db.transaction() as session:
            return releases(session)

    @property
    def _threshold(self) -> float:
        return self._config.threshold

    def _question(self, session: Session, words: str) -> tuple[Hashable, Released, Filters]:
        words, chosen = _release_asked(words)
        state = published(session)
        periods = _periods(state)
        if chosen is not None:
            release = state.by_id(chosen)
            periods = [release.period] if release is not None else periods
        filters = _filters(words, periods)
        released = self._release(session, state, filters.period, chosen)
        return (released.release.id, returns_version(session)), released, filters

    def _release(
        self, session: Session, state: Published, period: str, chosen: int | None
    ) -> Released:
        release = state.latest(period) if chosen is None else state.by_id(chosen)
        if release is None:
            raise ForumError(
                f"There is no release {chosen}: say benchmark releases to see which there are."
                if chosen is not None
                else f"London's figures for {period} have not been released yet: they are "
                "released on the first working day of each month (or when LIIA releases them)."
            )
        return self._releases.get(session, release)

    def _chart(self, key: str, png: bytes) -> str:
        return self._charts.store(key, png)


def _periods(state: Published) -> list[str]:
    periods = state.periods
    if not periods:
        raise ForumError(
            "No INMSS figures have been released yet: boroughs' data submitters send their "
            "returns (type returns to get the template), and London's figures are released on "
            "the first working day of each month."
        )
    return periods


RELEASE_WORDS = re.compile(r"\brelease\s+(\d{1,9})\b", re.IGNORECASE)


def _release_asked(words: str) -> tuple[str, int | None]:
    """`... release 3`: an earlier release, by its number; the words without it."""
    found = RELEASE_WORDS.search(words)
    if found is None:
        return words, None
    return (words[: found.start()] + words[found.end() :]).strip(), int(found.group(1))


def _own_key(own: pd.DataFrame | None) -> str:
    """What a chart drawn with the viewer's own rows depends on (not who they are)."""
    if own is None or own.empty:
        return "-"
    return hashlib.sha256(
        pd.util.hash_pandas_object(own, index=False).to_numpy().tobytes()
    ).hexdigest()[:16]


def _names(released: Released, own: pd.DataFrame | None) -> dict[str, str]:
    """Provider names: the release's; the viewer's own only for providers not released."""
    if own is None or own.empty:
        return released.names
    return dict(zip(own["provider_urn"], own["provider_name"], strict=True)) | released.names


def _release_names(session: Session) -> dict[str, str]:
    names: dict[str, str] = {}
    for release in published(session).latest_of_each_period():
        names |= release_names(session, release.id)
    return names


def _filters(words: str, periods: list[str]) -> Filters:
    try:
        filters = parse_filters(words, NEEDS, GEOGRAPHY, periods[-1])
    except ValueError as unknown:
        raise ForumError(
            f"I didn't understand {unknown} in that benchmark. Try words such as SEMH, "
            "secondary, day, residential, Inner, South East or 2025-26."
        ) from None
    if filters.period not in periods:
        raise ForumError(
            f"No release for {filters.period}: London's figures are released for "
            f"{', '.join(periods)}."
        )
    return filters


# words most providers' names share: a match on them alone is no match
GENERIC_WORDS = frozenset(
    {"school", "college", "academy", "the", "of", "and", "for", "special", "independent",
     "centre", "center", "st", "saint", "house", "trust", "ltd", "limited", "demo"}
)  # fmt: skip


def find_providers(names: Mapping[str, str], words: str) -> list[tuple[str, str]]:
    """The providers `words` names, by URN or by name with typos forgiven: [(URN, name)], one
    unless several fit equally well (the same name at several URNs, or a tie), never a silent
    pick among them. The words that make a name its own are compared ("Brindlewick" of
    "Brindlewick College"): a name that shares only "School" with a provider names none."""
    wanted = words.strip()
    if wanted in names:
        return [(wanted, names[wanted])]
    exact = sorted((n, u) for u, n in names.items() if n.casefold() == wanted.casefold())
    if exact:
        return [(urn, name) for name, urn in exact[:MAX_CHOICES]]
    typed = _distinctive(wanted)
    if not typed:
        raise ForumError(
            f"“{wanted[:80]}” could be almost any provider: give more of its name, or its URN."
        )
    distinctive = {urn: _distinctive(name) for urn, name in names.items()}
    found = process.extract(
        typed, distinctive, scorer=fuzz.WRatio, score_cutoff=PROVIDER_MATCH, limit=None
    )
    if not found:
        raise ForumError(
            f"No provider in London's figures is called “{wanted[:80]}”. Check the name, or "
            "give its URN (6 digits)."
        )
    best = found[0][1]
    fits = sorted((names[str(urn)], str(urn)) for _, score, urn in found if score >= best)
    return [(urn, name) for name, urn in fits[:MAX_CHOICES]]


def _distinctive(name: str) -> str:
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", name.casefold())
    return " ".join(w for w in words if w not in GENERIC_WORDS)


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
