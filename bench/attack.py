"""The shipped attacker against the demo data: what a borough could recover from every table and
line it can reach (analytics/attack.py), the rate lines of every need, phase and area filter
compared too. Usage: python -P bench/attack.py [--viewer 202] [--tables] [--oracle N] (-P: this
folder's analytics.py would hide the analytics package)"""

from __future__ import annotations

import argparse

from analytics import disclosure
from analytics.attack import attack
from analytics.benchmark_filters import Geography
from analytics.disclosure import Rules


def main() -> None:
    from analytics.returns_synthetic import synthetic_returns
    from forum_ops.reference import LOCAL_AUTHORITIES

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--viewer", default="202")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--period", default="2025-26")
    parser.add_argument("--tables", action="store_true", help="read cost_table table by table")
    parser.add_argument("--oracle", type=int, default=20)
    args = parser.parse_args()
    codes = [la.code for la in LOCAL_AUTHORITIES]
    geography = Geography.of(
        {la.code: (str(la.subregion), str(la.inner_outer)) for la in LOCAL_AUTHORITIES}
    )
    frame = synthetic_returns(codes, seed=args.seed).placements
    rules = Rules()
    if hasattr(disclosure, "with_record_keys"):
        frame = disclosure.with_record_keys(frame, rules)
    found = attack(
        frame, args.period, args.viewer, geography, rules, tables=args.tables, oracle=args.oracle
    )
    print(f"tables and lines read: {found.tables:,}")
    print(f"hidden counts of 1-4 recovered: {len(found.small_counts)}")
    print(f"single-borough figures recovered: {len(found.single_borough)}")
    print(f"other boroughs' averages within 2 %: {len(found.averages)}")
    print(f"rate lines told apart by too few placements: {len(found.differences)}")
    for title, items in (
        ("small", found.small_counts),
        ("single", found.single_borough),
        ("averages", found.averages),
        ("differences", found.differences),
    ):
        for item in items[:8]:
            print(f"  {title}: {item}")


if __name__ == "__main__":
    main()
