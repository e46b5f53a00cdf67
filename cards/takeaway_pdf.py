"""The takeaway as a printable one-page A4 PDF (fpdf2): title, the meeting, the key insight, the
practical tool or link and the actions. Text is shrunk until it fits one page, and cut with an
ellipsis only if it still would not at the smallest size.

The text is set in DejaVu Sans, a Unicode TrueType font that matplotlib ships (embedded, only the
glyphs used), so Polish, Turkish, Irish, Greek or Cyrillic names and many emoji print as written.
A symbol it has no glyph for is printed as its Unicode name in brackets ("[party popper]"), and
an invisible one (a variation selector, a skin tone, a joiner) is left out: never a "?".
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import TTFFont

from cards.format import british_datetime
from cards.views.meetings import Takeaway

SIZES = (11.0, 10.0, 9.0, 8.0)  # body text, largest first
MARGIN_MM = 18


FONT = "dejavu"
_FACES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
_UNSEEN = frozenset({"Mn", "Me", "Cf", "Sk", "Cc", "Co", "Cs", "Cn"})  # marks, modifiers, controls


@functools.cache
def _font_dir() -> Path:
    import matplotlib  # only for where its fonts are: loaded with the first PDF

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _printable(text: str, covered: set[int]) -> str:
    """The text with what no face has a glyph for named or left out."""
    return "".join(
        c
        if ord(c) in covered or c in "\n\t"
        else ""
        if unicodedata.category(c) in _UNSEEN
        else f"[{unicodedata.name(c, 'symbol').lower()}]"
        for c in text
    )


def _ttf(pdf: FPDF) -> list[TTFFont]:
    return [font for font in pdf.fonts.values() if isinstance(font, TTFFont)]


def _content(pdf: FPDF, takeaway: Takeaway, size: float, limit: int | None) -> None:
    meeting = takeaway.meeting
    covered = set.intersection(*(set(font.cmap) for font in _ttf(pdf)))

    def printable(text: str) -> str:
        clipped = text if limit is None or len(text) <= limit else text[: limit - 1] + "..."
        return _printable(clipped, covered)

    pdf.set_font(FONT, "", 9)
    pdf.cell(
        0,
        5,
        "Pan-London SEND Commissioning Forum: Useful Commissioning Takeaway",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(FONT, "B", size + 7)
    pdf.multi_cell(0, (size + 7) * 0.5, printable(takeaway.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "I", size)
    chair = (
        f", chaired by {meeting.chair.name} ({meeting.chair.organisation})" if meeting.chair else ""
    )
    theme = f": {meeting.theme}" if meeting.theme else ""
    when = f"{british_datetime(meeting.starts_at)}{theme}{chair}"
    pdf.multi_cell(0, size * 0.5, printable(when), new_x="LMARGIN", new_y="NEXT")
    sections = [
        ("The key insight", takeaway.insight),
        ("A practical tool or link", takeaway.tool or "(none)"),
    ]
    if takeaway.actions:
        lines = [
            f"{n}. {a.what}" + (f" (who: {a.who})" if a.who else "")
            for n, a in enumerate(takeaway.actions, start=1)
        ]
        sections.append(("Actions", "\n".join(lines)))
    for heading, text in sections:
        pdf.ln(size * 0.4)
        pdf.set_font(FONT, "B", size + 1)
        pdf.cell(0, size * 0.55, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", size)
        pdf.multi_cell(0, size * 0.5, printable(text), new_x="LMARGIN", new_y="NEXT")


def takeaway_pdf(takeaway: Takeaway) -> bytes:
    """One A4 page, always: each size is tried on a scratch copy of the page (the fonts are read
    once), and the first that fits is drawn."""
    pdf = FPDF(format="A4")
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(auto=True, margin=MARGIN_MM)
    pdf.set_title(takeaway.title)
    pdf.set_author("Pan-London SEND Commissioning Forum")
    for style, name in _FACES.items():
        pdf.add_font(FONT, style, _font_dir() / name)
    pdf.add_page()
    try:
        for limit in (None, 1500, 600):
            for size in SIZES:
                with pdf.offset_rendering() as trial:
                    _content(trial, takeaway, size, limit)  # type: ignore[arg-type]
                if not trial.page_break_triggered:
                    _content(pdf, takeaway, size, limit)
                    return bytes(pdf.output())
        _content(pdf, takeaway, SIZES[-1], 300)
        return bytes(pdf.output())
    finally:
        for font in _ttf(pdf):  # fontTools keeps the files open to read them lazily
            font.ttfont.close()
