"""The takeaway as a printable one-page A4 PDF (fpdf2): title, the meeting, the key insight, the
practical tool or link and the actions. Text is shrunk until it fits one page, and cut with an
ellipsis only if it still would not at the smallest size."""

from __future__ import annotations

from fpdf import FPDF

from cards.format import british_datetime
from forum_ops.meeting_plan import Takeaway

SIZES = (11.0, 10.0, 9.0, 8.0)  # body text, largest first
MARGIN_MM = 18


_PUNCTUATION = str.maketrans(
    {"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "..."}
)


def _latin(text: str) -> str:
    """The PDF's core fonts speak Latin-1: typographic punctuation becomes its plain form, and
    anything else outside Latin-1 (emoji) is shown as '?'."""
    return text.translate(_PUNCTUATION).encode("latin-1", "replace").decode("latin-1")


def _draw(takeaway: Takeaway, size: float, limit: int | None) -> FPDF:
    meeting = takeaway.meeting

    def clip(text: str) -> str:
        return text if limit is None or len(text) <= limit else text[: limit - 1] + "..."

    pdf = FPDF(format="A4")
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(auto=True, margin=MARGIN_MM)
    pdf.set_title(_latin(takeaway.title))
    pdf.set_author("Pan-London SEND Commissioning Forum")
    pdf.add_page()
    pdf.set_font("helvetica", "", 9)
    pdf.cell(
        0,
        5,
        "Pan-London SEND Commissioning Forum: Useful Commissioning Takeaway",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("helvetica", "B", size + 7)
    pdf.multi_cell(0, (size + 7) * 0.5, _latin(clip(takeaway.title)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "I", size)
    chair = (
        f", chaired by {meeting.chair.name} ({meeting.chair.organisation})" if meeting.chair else ""
    )
    theme = f": {meeting.theme}" if meeting.theme else ""
    when = f"{british_datetime(meeting.starts_at)}{theme}{chair}"
    pdf.multi_cell(0, size * 0.5, _latin(clip(when)), new_x="LMARGIN", new_y="NEXT")
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
        pdf.set_font("helvetica", "B", size + 1)
        pdf.cell(0, size * 0.55, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", "", size)
        pdf.multi_cell(0, size * 0.5, _latin(clip(text)), new_x="LMARGIN", new_y="NEXT")
    return pdf


def takeaway_pdf(takeaway: Takeaway) -> bytes:
    """One A4 page, always."""
    for limit in (None, 1500, 600):
        for size in SIZES:
            pdf = _draw(takeaway, size, limit)
            if pdf.page_no() == 1:
                return bytes(pdf.output())
    return bytes(_draw(takeaway, SIZES[-1], 300).output())
