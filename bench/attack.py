"""The shipped attacker against the demo data, both designs side by side: what a hostile data
submitter (default Camden, 202) recovers about the other boroughs with crafted uploads, every
view read in a 1:1 chat, a group chat and a channel, over consecutive releases
(analytics/attack.py). Usage: python bench/attack.py [--viewer 202] [--releases 6]
[--show 5] (-P: this folder's analytics.py would hide the analytics package)"""

from __future__ import annotations

import argparse
import time

from analytics.attack import DESIGNS, LATTICE, METHODS, TOLERANCE, Score, run
from analytics.benchmark_filters import Geography
from analytics.disclosure import Rules


def main() -> None:
    from analytics.returns_synthetic import synthetic_returns
    from forum_ops.members.reference import LOCAL_AUTHORITIES

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--viewer", default="202")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--period", default="2025-26")
    parser.add_argument("--releases", type=int, default=6, help="releases the attacker sees")
    parser.add_argument("--show", type=int, default=3, help="findings listed per method")
    args = parser.parse_args()
    geography = Geography.of(
        {la.code: (str(la.subregion), str(la.inner_outer)) for la in LOCAL_AUTHORITIES}
    )
    frame = synthetic_returns([la.code for la in LOCAL_AUTHORITIES], seed=args.seed).placements
    frame = frame[frame["period"] == args.period]
    started = time.perf_counter()
    release, live = (
        run(design, frame, args.viewer, geography, Rules(), releases=args.releases)
        for design in reversed(DESIGNS)
    )
    took = time.perf_counter() - started
    print(f"attacker: borough {args.viewer}, {len(frame):,} placements of "
          f"{frame['borough'].nunique()} boroughs, {args.releases} releases")  # fmt: skip
    print(f"methods: {', '.join(METHODS[:3])},")
    print(f"         {', '.join(METHODS[3:])}")
    pct = f"{TOLERANCE:.0%}".replace("%", " %")
    rows = (
        (f"others' single-borough averages within {pct}", Score.averages),
        (f"one placement's fee within {pct}", Score.fees),
        ("counts 1-4 pinned exactly, or zero told apart from 1-4", Score.counts),
    )
    for title, found in rows:
        print(f"{title}: {len(found(release))}     (live design: {len(found(live))})")
    print()
    print(f"{'per method':44} {'release design':>28}   {'live design':>28}")
    print(f"{'':44} {'avg':>5} {'fees':>5} {'counts':>6} {'median err':>10}   "
          f"{'avg':>5} {'fees':>5} {'counts':>6} {'median err':>10}")  # fmt: skip
    for method in (*METHODS, LATTICE):
        cells = []
        for score in (release, live):
            error = score.median_error(method)
            shown = "–" if error is None else f"{error:.2%}"
            cells.append(
                f"{len(score.averages(method)):>5} {len(score.fees(method)):>5} "
                f"{len(score.counts(method)):>6} {shown:>10}"
            )
        print(f"{method:44} {cells[0]}   {cells[1]}")
    for score in (release, live):
        print(f"\nwhat the attacker knows, {score.design} (up to {args.show} a method):")
        for method in METHODS:
            known = list({c.what: c for c in score.claims[method] if c.known}.values())
            for claim in known[: args.show]:
                print(
                    f"  {method}: {claim.what}: {claim.estimate:,.0f} in "
                    f"[{claim.low:,.0f}, {claim.high:,.0f}], truth {claim.truth:,.0f}"
                )
            if len(known) > args.show:
                print(f"  {method}: ... {len(known) - args.show} more")
        small, _, zeros = score.lattice
        for item in [*small, *zeros][: args.show]:
            print(f"  {LATTICE}: {item}")
    print(f"\nran in {took:.0f} s")


if __name__ == "__main__":
    main()
