"""Disclosure control for the INMSS benchmarks: DOMAIN.md rules 1-9 as small pure functions.

A cell is what one line of a table says about other boroughs' placements. Its contributions are
each borough's placement count and spend in it; the viewer's own rows never count (rule 4: every
figure about others is a rest-of-London figure). Suppressions are logged, one line per answer
(`one_line_per_answer`) or, outside one, per table (rule 7).

Every figure here is computed from a release (rule 10): a frozen snapshot of every borough's
return, the same for every viewer, so nothing depends on who asks or where.

Counts are perturbed with a cell key (rule 8, the ONS cell-key method): every placement has a
record key the server drew at random when the row was first stored (forum_ops/returns/service.py keeps it
across re-submissions of the same row), a cell's key is the sum of its placements' keys mod 256, and a
count of 5 or more is published as a multiple of 5 that the cell key picks (rounded down or up
without bias). The same placements always give the same figure in
every table, and every sum or difference of published counts is a multiple of 5, so adding or
subtracting tables never yields a count of 1-4 or pins one borough's placements. Anything under
5, zero included, reads "<5", and a line about others appears only when its published count is 5
or more or the viewer has placements there, so neither a line's presence nor "<5" says "at
least one".

Prices (rule 2: no published figure is one placement's or one borough's value) are *blended*
quantiles: the mean of the `blend` values (or `blend_share` of the cell's, when more) nearest
the quantile's position, shown only when those
values come from at least `min_boroughs` boroughs and no borough holds more than half of them, so
even the borough holding most of them, subtracting its own, is left with a sum over two others.
Each published price then carries a small noise, at most `price_noise` either way, drawn from a
keyed hash of exactly the values it blends (the same values always publish the same figure;
changing any of them draws afresh, and nobody without the server's secret can predict it), and is
rounded to `price_rounding` pounds. Two releases' windows can only bracket one value between
them when a borough moves the window by its whole width, which in a large cell takes more
placements than the plausibility checks let through: analytics/attack.py measures it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
import struct
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

log = logging.getLogger("analytics.disclosure")
TOTAL = "all"  # the key of a table's total line
BLEND_REFUSAL = "too few boroughs around the middle"  # rule 2: a quantile would be too near one


@dataclass(frozen=True)
class Rules:
    """The thresholds, from configuration (rule 7)."""

    small_count: int = 5  # rule 1: counts 1..4 read "<5"
    min_boroughs: int = 3  # rule 2
    min_placements: int = 5  # rule 2
    min_placements_quartiles: int = 10  # rule 2
    p_percent: float = 10.0  # rule 3
    max_borough_share: float = 0.5  # SPEC 6.2: no borough holds more than half the placements
    blend: int = 5  # rule 2: a published quantile is the mean of this many values around it,
    blend_share: float = 0.2  # or of this share of the cell's values, when that is more
    min_boroughs_spread: int = 5  # rate variation: borough averages needed for a middle half
    price_noise: float = 0.03  # a published price moves by at most this share either way
    price_rounding: int = 100  # and is rounded to this many pounds
    # the server secret behind the price noise; production sets its own (bot/settings.py)
    cell_key_secret: str = field(default="", repr=False)


@dataclass(frozen=True)
class Contributions:
    """Per contributing borough (LA code): placements and spend in one cell."""

    counts: Mapping[str, int]
    spend: Mapping[str, float]

    @property
    def boroughs(self) -> frozenset[str]:
        return frozenset(b for b, n in self.counts.items() if n > 0)

    @property
    def placements(self) -> int:
        return int(sum(self.counts.values()))


KEY_RANGE = 256  # record and cell keys are 0..255


def random_record_keys(count: int) -> np.ndarray:
    """Rule 8: record keys for placements stored for the first time, 0..255, drawn at random by
    the server (never derived from anything a submitter chooses, such as a placement id)."""
    return np.frombuffer(secrets.token_bytes(count), dtype=np.uint8).astype(np.int64)


def with_record_keys(placements: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """The placements with a `record_key` column: kept when they have one (stored rows do), else
    drawn from a seeded generator (synthetic data in tests and benchmarks)."""
    if "record_key" in placements:
        return placements
    keys = np.random.default_rng(seed).integers(0, KEY_RANGE, len(placements))
    return placements.assign(record_key=keys.astype(np.int64))


def perturbed_count(count: int, cell_key: int, rules: Rules) -> int:
    """Rule 8: from 5 up, the multiple of 5 a cell publishes, chosen by its cell key: a count
    5k + r (0 < r < 5) goes up with chance r/5, else down, so the expected figure is the true
    one; a multiple of 5 stays. A published p then means a true count in [p - 4, p + 4], and no
    sum of such intervals over a split can meet its total's exactly (the shipped attacker's
    lattice checks it). Counts under 5 are returned as they are (they read "<5")."""
    base = rules.small_count
    if count < base:
        return count
    low, rest = divmod(count, base)
    return (low + (cell_key * base < rest * KEY_RANGE)) * base


def published_count(count: int, cell_key: int, rules: Rules) -> str:
    """What a card says of other boroughs' placements in a cell (rules 1 and 8): "<5" for
    anything under 5, none included, else the perturbed multiple of 5. Zero reads "<5" too:
    where "0" is exact, "<5" means at least one, and four "<5" parts of a "<5" total are each
    exactly 1; with 0-4 as one band no sum of bands pins a small count."""
    shown = perturbed_count(count, cell_key % KEY_RANGE, rules)
    return f"<{rules.small_count}" if shown < rules.small_count else f"{shown:,}"


def shown_count(text: str, rules: Rules) -> bool:
    """Whether a published count is a number (5 or more) rather than "<5"."""
    return not text.startswith("<")


def count_interval(text: str, rules: Rules) -> tuple[int, int | None]:
    """What a published count tells a reader who knows these rules: the true count lies in
    [low, high] (high None when unbounded). A cell no table lists reads "<5"."""
    base = rules.small_count
    if text.startswith("<"):
        return 0, base - 1
    if not text[:1].isdigit():
        return 0, None
    shown = int(text.replace(",", ""))
    if shown == 0:
        return 0, 0
    return max(base, shown - base + 1), shown + base - 1


def price_refusal(cell: Contributions, rules: Rules) -> str:
    """Why a price statistic (median, mean, range) about these contributions may not be shown,
    or "" when it may (rules 2 and 3, and SPEC 6.2's dominance rule)."""
    if len(cell.boroughs) < rules.min_boroughs:
        return f"fewer than {rules.min_boroughs} boroughs"
    if cell.placements < rules.min_placements:
        return f"fewer than {rules.min_placements} placements"
    spend = sorted(cell.spend.values(), reverse=True)
    largest, second = spend[0], spend[1] if len(spend) > 1 else 0.0
    if sum(spend) - largest - second < rules.p_percent / 100 * largest:
        return "one borough's spend dominates"
    if max(cell.counts.values()) > rules.max_borough_share * cell.placements:
        return "one borough has more than half the placements"
    return ""


def count_refusal(cell: Contributions, rules: Rules) -> str:
    """Why a count of 5 or more may not be published as a number (SPEC 6.2: a cell is shown
    only if at least 3 boroughs contribute and none holds more than half its placements), or "".
    A borough's own rows can then never make up a cell whose count it reads: with its own rows
    at most half, the others hold at least as many, so no count of others is pinned at 0-4."""
    if len(cell.boroughs) < rules.min_boroughs:
        return f"fewer than {rules.min_boroughs} boroughs"
    if cell.placements and max(cell.counts.values()) > rules.max_borough_share * cell.placements:
        return "one borough has more than half the placements"
    return ""


def quartile_refusal(cell: Contributions, rules: Rules) -> str:
    """Quartiles and the middle 80 % need more placements than a median (rule 2)."""
    if cell.placements < rules.min_placements_quartiles:
        return f"fewer than {rules.min_placements_quartiles} placements"
    return ""


@dataclass
class _Answer:
    tables: Counter[str] = field(default_factory=Counter)  # table -> figures withheld
    reasons: Counter[str] = field(default_factory=Counter)


_ANSWER: ContextVar[_Answer | None] = ContextVar("disclosure_answer", default=None)


@contextmanager
def one_line_per_answer(viewer: str, answer: str) -> Iterator[None]:
    """Rule 7 for a whole answer: the tables computed inside log nothing themselves, and one
    `disclosure.suppressed` line says how many figures the answer withheld, in how many tables
    and why (no figures, no cell names)."""
    collected = _Answer()
    token = _ANSWER.set(collected)
    try:
        yield
    finally:
        _ANSWER.reset(token)
        if collected.reasons:
            log.info(
                "disclosure.suppressed",
                extra={"viewer": viewer, "answer": answer,
                       "withheld": sum(collected.reasons.values()),
                       "tables": dict(sorted(collected.tables.items())),
                       "reasons": dict(sorted(collected.reasons.items()))},
            )  # fmt: skip


def logged(viewer: str, table: str, reasons: Iterable[str]) -> None:
    """Rule 7: one audit line per table (or, inside `one_line_per_answer`, per answer): how many
    figures were withheld and why (no figures, no cell names)."""
    why = Counter(r for r in reasons if r)
    answer = _ANSWER.get()
    if answer is not None:
        answer.reasons.update(why)
        if why:
            answer.tables[table] += sum(why.values())
        return
    if why:
        log.info(
            "disclosure.suppressed",
            extra={"viewer": viewer, "table": table, "withheld": sum(why.values()),
                   "reasons": dict(sorted(why.items()))},
        )  # fmt: skip


def window_size(count: int, rules: Rules) -> int:
    """How many values a published quantile of `count` values blends: `blend`, or a share of
    them in a large cell, so that moving the window past one value takes many placements."""
    return max(rules.blend, math.ceil(rules.blend_share * count))


def _window(values: np.ndarray, q: float, size: int) -> np.ndarray:
    """The positions of the `size` values nearest the q-th quantile's place in sorted order."""
    order = np.argsort(values, kind="stable")
    start = round(q * (len(values) - 1) - (size - 1) / 2)
    start = min(max(start, 0), len(values) - size)
    return order[start : start + size]


def blended(values: np.ndarray, boroughs: np.ndarray, q: float, rules: Rules) -> float | None:
    """Rule 2's quantile: the mean of the `rules.blend` values nearest the q-th position of the
    sorted values, or None when those values are not from at least `min_boroughs` boroughs with
    none holding more than `max_borough_share` of them (the figure would be too near one's).
    `boroughs[i]` is the borough of `values[i]`."""
    if len(values) < rules.blend:
        return None
    size = window_size(len(values), rules)
    window = _window(values, q, size)
    held = Counter(boroughs[window].tolist())
    if len(held) < rules.min_boroughs or max(held.values()) > rules.max_borough_share * size:
        return None
    return float(values[window].mean())


def published_price(value: float, blended_values: np.ndarray, rules: Rules) -> float:
    """A blended figure as published: moved by a noise of at most `price_noise` either way, keyed
    on the server secret and exactly the values it blends, then rounded (see the module's doc)."""
    content = np.sort(np.round(blended_values.astype(float), 2)).tobytes()
    digest = hmac.new(rules.cell_key_secret.encode(), content, hashlib.sha256).digest()
    unit = struct.unpack(">Q", digest[:8])[0] / 2**64  # 0 <= unit < 1
    moved = value * (1 + rules.price_noise * (2 * unit - 1))
    return float(round(moved / rules.price_rounding) * rules.price_rounding)


def quantile(values: np.ndarray, boroughs: np.ndarray, q: float, rules: Rules) -> float | None:
    """The q-th quantile as published (blended, noised, rounded), None when withheld."""
    value = blended(values, boroughs, q, rules)
    if value is None:
        return None
    return published_price(
        value, values[_window(values, q, window_size(len(values), rules))], rules
    )


def middle(
    values: np.ndarray, boroughs: np.ndarray, rules: Rules
) -> tuple[float | None, float | None, float | None, float | None, float | None]:
    """10th, 25th, 50th, 75th and 90th percentiles as published (never a raw value)."""
    p10, q1, median, q3, p90 = (quantile(values, boroughs, q, rules) for q in QUANTILES)
    return p10, q1, median, q3, p90


QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
