"""The takeaway's printable page: one A4 page whatever was written, read back with pypdf."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, date, datetime

from pypdf import PdfReader

from cards import render_card
from cards.takeaway import takeaway_view
from cards.takeaway_pdf import takeaway_pdf
from cards.views.meetings import ChairInfo, MeetingInfo, Takeaway, TakeawayAction
from tests.support.cardcheck import assert_valid_card

MEETING = MeetingInfo(
    id=7,
    number=2,
    day=date(2026, 1, 22),
    starts_at=datetime(2026, 1, 22, 10, 0, tzinfo=UTC),
    minutes=90,
    theme="INMSS Top-10 pilot and cost drivers",
    status="planned",
    chair=ChairInfo("Priya Shah", "Camden", "x"),
    join_url=None,
    booked=False,
    warnings=(),
)


def takeaway(insight: str, title: str = "Pool S75 budgets early") -> Takeaway:
    return Takeaway(
        MEETING,
        title,
        insight,
        "https://example.org/s75-template",
        (TakeawayAction("Share the template", "LIIA"), TakeawayAction("Report back", "Chairs")),
        "published",
        datetime(2026, 1, 22, 12, 0, tzinfo=UTC),
        "tok" * 8,
    )


def read(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf))


def test_a_meeting_without_a_theme_has_no_placeholder_in_the_subtitle() -> None:
    """The subtitle read "Thursday 29 October 2026, 10:00: To be decided, chaired by ..."."""
    shown = dataclasses.replace(
        takeaway("Insight."), meeting=dataclasses.replace(MEETING, theme="")
    )
    text = " ".join(read(takeaway_pdf(shown)).pages[0].extract_text().split())
    assert "Thursday 22 January 2026, 10:00, chaired by Priya Shah (Camden)" in text
    assert "10:00:" not in text


def test_the_takeaway_is_one_a4_page_with_its_text() -> None:
    reader = read(takeaway_pdf(takeaway("Agree the pooled budget before the placement panel.")))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = " ".join(reader.pages[0].extract_text().split())  # lines wrap where they must
    assert "Pool S75 budgets early" in text
    assert "Thursday 22 January 2026, 10:00" in text
    assert "chaired by Priya Shah (Camden)" in text
    assert "1. Share the template (who: LIIA)" in text


def test_a_long_takeaway_still_fits_one_page_and_odd_characters_are_safe() -> None:
    long = "Placement costs rose fastest where panels met monthly. " * 120  # about 6,600 characters
    reader = read(takeaway_pdf(takeaway(long, title="Costs “rise” — 😀 " + "x" * 190)))
    assert len(reader.pages) == 1
    assert "Placement costs rose fastest" in reader.pages[0].extract_text()


def test_names_in_any_european_language_and_emoji_are_printed_as_written() -> None:
    chair = ChairInfo("Çağrı Öztürk", "Haringey", "x")
    meeting = dataclasses.replace(MEETING, chair=chair)
    written = dataclasses.replace(
        takeaway("Zażółć gęślą jaźń: Seán Ó Briain and Ελένη agree 😀 “quoted” – done…"),
        meeting=meeting,
        title="Łódź and İzmir share a plan 🎉",
    )
    reader = read(takeaway_pdf(written))
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Zażółć gęślą jaźń: Seán Ó Briain and Ελένη agree 😀 “quoted” – done…" in text
    assert "chaired by Çağrı Öztürk (Haringey)" in text
    # DejaVu Sans has no party popper: its name is printed rather than a "?"
    assert "Łódź and İzmir share a plan [party popper]" in text
    assert "?" not in text
    assert reader.metadata is not None
    assert reader.metadata.title == written.title
    fonts = {
        str(font["/BaseFont"])
        for font in reader.pages[0]["/Resources"]["/Font"].values()  # type: ignore[index]
    }
    assert all("DejaVuSans" in font for font in fonts), fonts  # embedded, not a core font


def test_the_card_links_the_pdf_only_while_its_link_lives() -> None:
    live = render_card("takeaway", takeaway_view(takeaway("Insight"), "https://bot.example/"))
    assert_valid_card(live.content)
    assert live.content["actions"][0]["url"] == f"https://bot.example/takeaways/{'tok' * 8}.pdf"
    expired = takeaway("Insight")
    gone = render_card("takeaway", takeaway_view(dataclasses.replace(expired, link=None), "x"))
    assert "actions" not in gone.content
