"""Providers that share a name (GIAS has many a "St Mary's School") never read the same on a
benchmark card: where two lines or rows would, each carries its URN."""

from __future__ import annotations

from analytics.benchmark_filters import Filters
from analytics.benchmarks import cost_table
from analytics.disclosure import Rules
from analytics.rates import rate_lines
from cards import plain_text, render_card
from cards.benchmarks import benchmark_view, provider_labels
from cards.format import NBSP
from cards.views.benchmarks import NeedBenchmark
from tests.support.cardcheck import assert_valid_card
from tests.support.disclosure import BOROUGHS, CAMDEN, GEOGRAPHY, PERIOD, RELEASE, placements

RULES = Rules(cell_key_secret="test secret")
NAMES = {"140007": "St Mary's School", "140014": "ST MARY'S SCHOOL", "140021": "Oakfield"}


def test_a_name_two_providers_share_carries_the_urn() -> None:
    labels = provider_labels(["140007", "140014", "140021"], NAMES)

    assert labels == {
        "140007": f"St Mary's School (URN{NBSP}140007)",
        "140014": f"ST MARY'S SCHOOL (URN{NBSP}140014)",  # the same name, told apart
        "140021": "Oakfield",
    }
    assert provider_labels(["140007", "140021"], NAMES)["140007"] == "St Mary's School"


def test_the_benchmark_card_tells_namesakes_apart_in_its_table_and_rate_lines() -> None:
    rows = [
        (borough, "SEMH", urn, base * (1 + 0.5 * (n % 2)) + 1_000 * i)
        for i, borough in enumerate(BOROUGHS)
        for urn, base in (("140007", 50_000.0), ("140014", 80_000.0))
        for n in range(2)
    ]
    frame = placements(rows)
    own = frame[frame["borough"] == CAMDEN]
    filters = Filters(PERIOD)
    needs = cost_table(frame, filters, "primary_need", GEOGRAPHY, RULES, True, own)
    providers = cost_table(frame, filters, "provider_urn", GEOGRAPHY, RULES, True, own)
    lines = rate_lines(frame, own, RULES, 1.01)
    assert len(lines) == 2  # one line per namesake, both shown
    answer = NeedBenchmark(
        filters, needs, tuple(providers.cells), True, tuple(lines), frozenset(["day"]), 1.01,
        NAMES, True, "", RELEASE,
    )  # fmt: skip

    card = render_card("report", benchmark_view(answer)).content
    assert_valid_card(card)
    text = plain_text(card)

    bullets = [line for line in text.splitlines() if line.startswith("• ")]
    assert len(bullets) == 2
    assert bullets[0][2:].startswith(f"St Mary's School (URN{NBSP}140007), day:")
    assert bullets[1][2:].startswith(f"ST MARY'S SCHOOL (URN{NBSP}140014), day:")
    assert f"St Mary's School (URN{NBSP}140007)" in text.split("•")[0]  # the table's row too
