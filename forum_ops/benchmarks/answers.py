"""What the INMSS benchmark service answers (forum_ops.benchmarks.service), as plain values a card can
present without reaching storage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from analytics.benchmark_filters import Filters
from analytics.benchmarks import CostCell, CostTable
from analytics.rates import RateLine
from forum_ops.returns.model import Release as Release  # re-exported: cards name it


@dataclass(frozen=True)
class NeedBenchmark:
    """`benchmark <filters>`: cost by need, the providers where the viewer sits, rate lines."""

    filters: Filters
    needs: CostTable  # London's figures from the release, the viewer's own beside them
    providers: tuple[CostCell, ...]
    own_providers: bool  # the providers are the viewer's own (else the most used elsewhere)
    rates: tuple[RateLine, ...]  # flagged, most relevant first
    kinds: frozenset[str]  # the placement types the rate lines cover
    threshold: float
    names: Mapping[str, str]  # provider URN -> name
    include_own: bool
    chart_url: str
    release: Release  # where London's figures come from


@dataclass(frozen=True)
class ProviderBenchmark:
    """`benchmark provider <name>`: one measure throughout, the provider's fee (core education
    plus residential care), in the table, the chart and the rate lines."""

    urn: str
    name: str
    period: str
    table: CostTable  # fee by placement type
    rates: tuple[RateLine, ...]
    threshold: float
    include_own: bool
    chart_url: str
    release: Release


@dataclass(frozen=True)
class ProviderChoice:
    urn: str
    name: str
    where: str  # the school's borough from the supplier directory, "" when it is not there


@dataclass(frozen=True)
class ProviderChoices:
    """`benchmark provider <name>` when several providers fit the name equally: which one?"""

    typed: str
    choices: tuple[ProviderChoice, ...]


@dataclass(frozen=True)
class TopProviders:
    borough: str  # LA code
    name: str
    period: str
    by_spend: pd.DataFrame  # name, placements, spend, share
    by_count: pd.DataFrame
    chart_url: str
    placements: int  # the borough's own placements in all its returns, live
