"""Supplier search over an England-sized directory (about 4,000 schools): p50/p95/p99 per query.

The directory is the synthetic GIAS extract scaled up (the real extract is not reachable here),
read through the same import path as a real one. Target: p95 under 10 ms.
Run on demand: `python bench/search.py [rounds]`.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.gias import borough_centroids, read_extract, supplier_directory
from analytics.gias_synthetic import synthetic_extract
from analytics.suppliers import Areas, parse_query, search
from forum_ops.members.reference import LOCAL_AUTHORITIES

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 200
QUERIES = (
    "SEMH secondary South East spaces",
    "ASD primary Camden",
    "autism post-16 independent",
    "PMLD early years",
    "SLCN spaces outer",
    "HI VI secondary state",
    "Brindlewik",
    "MLD inner nmss",
)


def main() -> None:
    boroughs = [(la.code, la.name, str(la.subregion)) for la in LOCAL_AUTHORITIES]
    text = synthetic_extract(
        boroughs, seed=1, scale=8.5
    )  # London x ~8.5 ≈ England's specialist count
    started = time.perf_counter()
    directory = supplier_directory(read_extract(text.encode("cp1252")))
    loaded = time.perf_counter() - started
    areas = Areas(
        {la.code: (la.name, str(la.subregion), str(la.inner_outer)) for la in LOCAL_AUTHORITIES}
    )
    centroids = borough_centroids(directory)
    print(f"directory: {len(directory)} schools (read and built in {loaded * 1000:.0f} ms)")
    times: list[float] = []
    for n in range(ROUNDS):
        for words in QUERIES:
            started = time.perf_counter()
            search(directory, parse_query(words, areas), areas, centroids, asker_la="202").head(10)
            if n:  # the first round warms caches
                times.append(time.perf_counter() - started)
    q = statistics.quantiles(times, n=100)
    print(
        f"{len(times)} searches: p50 {q[49] * 1000:.2f} ms, p95 {q[94] * 1000:.2f} ms, "
        f"p99 {q[98] * 1000:.2f} ms (target p95 < 10 ms)"
    )


if __name__ == "__main__":
    main()
