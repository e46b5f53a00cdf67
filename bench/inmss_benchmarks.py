"""INMSS benchmarks at 5k, 50k, 500k and 1M placements, and a 5,000-row XLSX import.

    python bench/inmss_benchmarks.py [--sizes 5000,50000,500000,1000000] [--repeat 5]

Placements are the seeded synthetic London returns resampled to each size (so the providers,
boroughs and cells stay London's, only deeper). Each benchmark is timed as a borough's member
would ask it, disclosure control included; the figure is the median of --repeat runs.
Targets (issue 5): under 20 ms at 5k, under 1 s at 1M, growth no worse than linear; the
import under 2 s. Also prints the rate-variation benchmark's precision and recall against
the premium pairs the generator planted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.benchmark_filters import Filters
from analytics.benchmarks import cost_table, top_providers
from analytics.disclosure import Rules, with_record_keys
from analytics.rates import borough_rates, premium_pairs, rate_lines
from analytics.returns_synthetic import synthetic_returns
from forum_ops.benchmarks.placements import GEOGRAPHY
from forum_ops.db import create_database
from forum_ops.install import upgrade
from forum_ops.members.reference import LOCAL_AUTHORITIES
from forum_ops.returns.service import Submission, submit_return

PERIOD, VIEWER, RULES = "2025-26", "209", Rules()


def timed(fn: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def scaled(base: pd.DataFrame, size: int) -> pd.DataFrame:
    frame = base.sample(size, replace=size > len(base), random_state=size).reset_index(drop=True)
    return frame.assign(placement_id=[f"P{n:07d}" for n in range(size)])


def benchmarks(frame: pd.DataFrame) -> dict[str, Callable[[], object]]:
    semh = Filters(PERIOD, frozenset({"SEMH"}), frozenset({"secondary"}))
    return {
        "cost by need (with total)": lambda: cost_table(
            frame, Filters(PERIOD), "primary_need", VIEWER, GEOGRAPHY, RULES, with_total=True
        ),
        "cost by provider, SEMH secondary": lambda: cost_table(
            frame, semh, "provider_urn", VIEWER, GEOGRAPHY, RULES
        ),
        "rate variation (rates + lines)": lambda: rate_lines(
            borough_rates(frame, PERIOD), frame, VIEWER, RULES, 1.2
        ),
        "top 10 providers": lambda: top_providers(frame, VIEWER, PERIOD),
    }


def xlsx_import(base: pd.DataFrame) -> tuple[float, int]:
    from analytics.returns_format import FIELDS
    from tests.support.returnfiles import as_xlsx  # the test helper fills in the real template

    rows = scaled(base, 5_000)
    records = [
        {f.label: row[f.name] for f in FIELDS if f.name in row and pd.notna(row[f.name])}
        for _, row in rows.iterrows()
    ]
    raw = as_xlsx(records)
    with tempfile.TemporaryDirectory() as folder:
        db = create_database(f"sqlite:///{folder}/bench.db")
        upgrade(db)
        submission = Submission("209", PERIOD, "bench", "bench.xlsx")
        start = time.perf_counter()
        report = submit_return(db, raw, submission, pd.Timestamp.now(tz="UTC").to_pydatetime())
        elapsed = time.perf_counter() - start
        db.dispose()
    return elapsed, report.placements


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="5000,50000,500000,1000000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    synthetic = synthetic_returns([la.code for la in LOCAL_AUTHORITIES])
    base = synthetic.placements

    rates = borough_rates(base, PERIOD)
    print(f"Rate variation on {len(base):,} synthetic placements, premium pairs planted: "
          f"{len(synthetic.planted)}")  # fmt: skip
    for threshold in (1.15, 1.2, 1.25, 1.3):
        found = premium_pairs(rates, threshold)
        hits = len(found & synthetic.planted)
        print(
            f"  threshold {threshold:.2f}: flagged {len(found):4d}  precision "
            f"{hits / max(len(found), 1):.2f}  recall {hits / len(synthetic.planted):.2f}"
        )

    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[str, list[float]] = {}
    print(f"\n{'benchmark':<36}" + "".join(f"{s:>12,}" for s in sizes) + "   growth x/size x")
    for size in sizes:
        frame = with_record_keys(scaled(base, size), RULES)  # once, as the bot's cache does
        for name, run in benchmarks(frame).items():
            run()  # warm
            results.setdefault(name, []).append(timed(run, args.repeat))
    for name, seconds in results.items():
        growth = (seconds[-1] / seconds[0]) / (sizes[-1] / sizes[0])
        cells = "".join(f"{s * 1000:>10.1f}ms" for s in seconds)
        print(f"{name:<36}{cells}   {growth:.3f}")

    elapsed, rows = xlsx_import(base)
    print(
        f"\nImport of a {rows:,}-row XLSX return (read, check, replace in SQLite): {elapsed:.2f} s"
    )


if __name__ == "__main__":
    main()
