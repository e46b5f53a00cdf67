"""Cards as people see them: what tools/render_cards.py showed at 500 px, held by tests.

Buttons that fit one row, figures that do not break, withheld figures as a mark with one footnote,
charts sized and keyed for a card.
"""

from __future__ import annotations

import struct

from analytics.benchmark_filters import Filters
from analytics.benchmarks import CostCell, CostTable
from analytics.charts import Box, box_chart, box_key
from bot.features import build_commands
from cards import plain_text, render_card
from cards.benchmarks import benchmark_view
from cards.format import percent
from cards.notices import MOST_QUICK_ACTIONS, help_view
from cards.senddata import rank_words
from cards.suppliers import school_line
from cards.views.benchmarks import NeedBenchmark
from cards.views.suppliers import School
from forum_ops.members.model import Member, Organisation, OrganisationKind, Role
from tests.support.cardcheck import assert_valid_card
from tests.support.disclosure import RELEASE

LIIA = Organisation(
    "LIIA", "London Innovation and Improvement Alliance", OrganisationKind.SECRETARIAT
)
CAMDEN = Organisation("202", "Camden", OrganisationKind.LOCAL_AUTHORITY, "Inner", "North Central")


def test_the_secretariats_help_offers_buttons_that_fit_one_row_and_its_own_first() -> None:
    steward = Member("s", "Sam Okafor", "s@liia.example", LIIA, frozenset(Role))
    member = Member("m", "Priya Shah", "p@camden.example", CAMDEN, frozenset({Role.MEMBER}))
    table = build_commands()

    for_steward = render_card("help", help_view(steward, table.visible_to(steward), "personal"))
    for_member = render_card("help", help_view(member, table.visible_to(member), "personal"))

    def buttons(card: dict) -> list[str]:
        return [a["data"]["command"] if "data" in a else a["title"] for a in card["actions"]]

    steward_buttons, member_buttons = buttons(for_steward.content), buttons(for_member.content)
    assert len(steward_buttons) == MOST_QUICK_ACTIONS == 4  # five cut each label to "Who a…"
    assert "outbox" in steward_buttons  # the secretariat's own command keeps its place
    assert "outbox" not in member_buttons
    assert member_buttons == ["Ask the forum", "suppliers", "senddata", "benchmark"]
    assert all(len(a["title"]) <= 13 for a in for_steward.content["actions"])  # drawn: one row
    assert_valid_card(for_steward.content)


def test_a_boroughs_rank_reads_as_words() -> None:
    assert rank_words(1, 33) == "the highest of 33 London authorities"
    assert rank_words(29, 33) == "the 29th highest of 33 London authorities"
    assert rank_words(33, 33) == "the lowest of 33 London authorities"


def test_a_percentage_never_leaves_its_sign_alone_at_a_line_start() -> None:
    assert " " not in percent(0.208)
    assert "\u00a0%" in percent(0.208)


def _answer(cells: list[CostCell]) -> NeedBenchmark:
    table = CostTable("primary_need", cells)
    return NeedBenchmark(
        filters=Filters("2025-26"),
        needs=table,
        providers=(),
        names={},
        own_providers=False,
        rates=(),
        kinds=frozenset({"day"}),
        threshold=1.2,
        chart_url="",
        release=RELEASE,
        include_own=True,
    )


def test_withheld_figures_are_a_mark_and_the_card_has_one_footnote() -> None:
    cells = [
        CostCell("ASD", "1,995", 20, "", 62848.004, "", 49150.36, 82108.81),
        CostCell("HI", "<5", 2, "fewer than 5 placements"),
        CostCell("MSI", "5", 3, "", 97104.38, "fewer than 10 placements"),
        CostCell("VI", "<5", 1, "fewer than 5 placements"),
    ]
    card = render_card("report", benchmark_view(_answer(cells)))

    rows = {
        row["cells"][0]["items"][0]["text"]: [c["items"][0]["text"] for c in row["cells"]]
        for table in card.content["body"]
        if table["type"] == "Table"
        for row in table["rows"][1:]
    }
    assert rows["ASD"][2:4] == ["£62,848", "£49,150–£82,109"]  # whole pounds, one unbroken range
    assert rows["HI"][2] == rows["VI"][2] == "–¹"
    assert rows["MSI"][2:4] == ["£97,104", "–²"]
    text = plain_text(card.content)
    assert text.count("– not shown:") == 1  # one footnote for the card
    assert "– not shown: ¹ fewer than 5 placements; ² fewer than 10 placements." in text
    assert_valid_card(card.content)


def _png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_a_box_chart_is_drawn_for_card_width_with_a_key() -> None:
    boxes = [Box("SEMH", 60000, 50000, 80000, 40000, 90000, own=55000), Box("VI", 70000)]
    width, height = _png_size(box_chart(boxes, "Cost per placement a year: London"))

    assert width == 600  # 5 in at 120 dpi: 9 pt text reads at about 12 px on a 470 px card
    assert height < width
    labels = [handle.get_label() for handle in box_key(with_own=True, with_median_only=True)]
    assert labels == [
        "middle half",
        "whiskers: middle 80 %",
        "median",
        "median only",
        "your median",
    ]


def test_a_schools_distance_keeps_its_unit_and_one_place_is_singular() -> None:
    school = School(
        100001,
        "Rowanford School",
        "Academy special converter",
        "state",
        "Camden",
        11,
        16,
        ("ASD",),
        90,
        89,
        1,
        "Good",
        1.6,
    )
    details = school_line(school).details

    assert "1.6\u00a0km away" in details  # never "1.6" at a line's end and "km away" below
    assert "1 place free" in details
