"""A report as an editable Word document (python-docx) and its figures as an Excel workbook.

A report is a title and sections; a section is sentences, tables and charts (PNG bytes with a
title and a description). Nothing here knows what the report is about: the quarterly report to
the ALDCS SEND Steering Group (forum_ops/report/service.py) builds the sections. Every text
cell of the workbook goes through analytics/spreadsheet_safety.py.

The Word document is A4 with 2 cm margins; a table's columns are as wide as their words need
(no word is broken over lines where the page allows), its header row repeats on every page it
runs over and no row is split; a table too wide for a portrait page (6 columns or more) is on
landscape pages. The workbook keeps numbers as numbers with their formats (pounds as
`£#,##0`), sizes its columns, freezes each sheet's title and header rows, names each sheet
readably under Excel's 31 characters, and draws a native bar chart where a table asks for one.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section as PageSection
from docx.shared import Mm, Pt
from docx.table import _Row
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analytics.spreadsheet_safety import put_cell

A4 = (Mm(210), Mm(297))
MARGIN = Mm(20)
WIDE_COLUMNS = 6  # a table with this many columns goes on landscape pages
TABLE_PT = 9  # tables' text size
CHAR_MM = 2.0  # an average character at 9 pt (Calibri, bold headers), for column widths, generously
CELL_PAD_MM = 4.6  # a cell's left and right margins together (Word 1.9 mm each), and a little
SHEET_NAME_MAX = 31  # Excel's limit
HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str | int | float, ...], ...]
    note: str = ""
    sheet: str = ""  # the workbook sheet's name, under 31 characters; "" = from the title
    formats: tuple[str, ...] = ()  # an Excel number format per column ("£#,##0"); "" = General
    chart: str = ""  # the title of a native bar chart of the rows on the sheet; "" = none


@dataclass(frozen=True)
class Chart:
    title: str
    png: bytes
    description: str  # what it shows, for readers who cannot see it


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()

    @property
    def wide(self) -> bool:
        return any(len(t.header) >= WIDE_COLUMNS for t in self.tables)


def _format(table: Table, column: int) -> str:
    return table.formats[column] if column < len(table.formats) else ""


def _text(value: str | int | float, number_format: str = "") -> str:
    """A cell as the document shows it: 1,200; £58,917 where the column is pounds."""
    if isinstance(value, str):
        return value
    if number_format.startswith("£"):
        return f"£{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


def column_widths(table: Table, usable_mm: float) -> list[float]:
    """Millimetres per column: at least its longest word (so no word breaks), then as much
    of its longest line as the page allows, the rest shared in proportion."""
    texts = [
        table.header,
        *(tuple(_text(v, _format(table, i)) for i, v in enumerate(row)) for row in table.rows),
    ]
    columns = list(zip(*texts, strict=True))
    least = [
        max(max((len(w) for cell in col for w in str(cell).split()), default=1), 4) * CHAR_MM
        + CELL_PAD_MM
        for col in columns
    ]
    wanted = [
        max(least[i], min(max(len(str(c)) for c in col), 70) * CHAR_MM + CELL_PAD_MM)
        for i, col in enumerate(columns)
    ]
    if sum(wanted) <= usable_mm:
        spare = usable_mm - sum(wanted)
        return [w + spare * w / sum(wanted) for w in wanted]
    if sum(least) >= usable_mm:  # even the words do not fit: shrink in proportion
        return [w * usable_mm / sum(least) for w in least]
    share = (usable_mm - sum(least)) / (sum(wanted) - sum(least))
    return [lo + (hi - lo) * share for lo, hi in zip(least, wanted, strict=True)]


def _row_property(row: _Row, name: str) -> None:
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement(name)
    element.set(qn("w:val"), "true")
    properties.append(element)


def _page(section: PageSection, landscape: bool) -> float:
    """Set an A4 page and its margins; returns the width left for text, in mm."""
    width, height = A4
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    return float((height if landscape else width) - 2 * MARGIN) / Mm(1)


def _table(document: WordDocument, table: Table, usable_mm: float) -> None:
    grid = document.add_table(rows=1, cols=len(table.header))
    grid.style = "Table Grid"
    grid.autofit = False
    widths = [Mm(w) for w in column_widths(table, usable_mm)]
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
    header = grid.rows[0]
    _row_property(header, "w:tblHeader")  # repeated at the top of every page
    _row_property(header, "w:cantSplit")
    for cell, name in zip(header.cells, table.header, strict=True):
        cell.text = name
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in table.rows:
        row = grid.add_row()
        _row_property(row, "w:cantSplit")
        for n, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            cell.text = _text(value, _format(table, n))
            if not isinstance(value, str):  # figures line up on the right, as in the workbook
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in grid.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.space_after = Pt(0)
                for run in paragraph.runs:
                    run.font.size = Pt(TABLE_PT)


def word_document(title: str, subtitle: str, sections: list[Section]) -> bytes:
    """The report as .docx: headings, paragraphs, tables with a header row, charts with captions."""
    document = Document()
    document.core_properties.title = title
    usable = _page(document.sections[0], landscape=False)
    landscape = False
    document.add_heading(title, level=0)
    document.add_paragraph().add_run(subtitle).italic = True
    for section in sections:
        if section.wide != landscape:
            landscape = section.wide
            usable = _page(document.add_section(WD_SECTION.NEW_PAGE), landscape)
        document.add_heading(section.title, level=1)
        for line in section.lines:
            document.add_paragraph(line)
        for table in section.tables:
            heading = document.add_heading(table.title, level=2)
            heading.paragraph_format.keep_with_next = True
            _table(document, table, usable)
            if table.note:
                note = document.add_paragraph(table.note)
                for run in note.runs:
                    run.font.size = Pt(9)
        for chart in section.charts:
            document.add_picture(io.BytesIO(chart.png), width=Mm(min(usable, 160)))
            caption = document.add_paragraph(f"{chart.title}. {chart.description}")
            for run in caption.runs:
                run.font.size = Pt(9)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def sheet_name(title: str, used: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\), cut at a word, unique."""
    base = " ".join(re.sub(r"[\[\]:*?/\\]", " ", title).split()).strip("' ") or "Sheet"
    if len(base) > SHEET_NAME_MAX:
        base = base[:SHEET_NAME_MAX].rsplit(" ", 1)[0].rstrip(",;- ")
    name, n = base, 2
    while name.casefold() in used:
        suffix = f" {n}"
        name, n = base[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix, n + 1
    used.add(name.casefold())
    return name


def _sheet_widths(sheet: Worksheet, table: Table) -> None:
    for column in range(1, len(table.header) + 1):
        values = [table.header[column - 1]] + [
            _text(row[column - 1], _format(table, column - 1)) for row in table.rows
        ]
        longest = max(len(str(v)) for v in values)
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = min(max(longest + 3, 10), 60)  # bold headers
        if longest > 60:
            for row in range(3, len(table.rows) + 3):
                sheet.cell(row, column).alignment = Alignment(wrap_text=True, vertical="top")


def _chart(sheet: Worksheet, table: Table) -> None:
    """A clustered bar chart: the header's columns (after the first) are the categories, each
    row a series named by its first cell."""
    chart = BarChart()
    chart.type = "col"
    chart.title = table.chart
    chart.y_axis.title = "Count"
    chart.width, chart.height = 16, 9  # cm: within a portrait page
    last_row, last_column = len(table.rows) + 2, len(table.header)
    data = Reference(sheet, min_col=1, max_col=last_column, min_row=3, max_row=last_row)
    chart.add_data(data, from_rows=True, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=2, max_col=last_column, min_row=2, max_row=2))
    sheet.add_chart(chart, f"A{last_row + (4 if table.note else 3)}")


def workbook(sections: list[Section]) -> bytes:
    """Every table of the report on its own sheet, numbers as numbers."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    used: set[str] = set()
    for section in sections:
        for table in section.tables:
            sheet = book.create_sheet(sheet_name(table.sheet or table.title, used))
            put_cell(sheet, 1, 1, table.title).font = Font(name="Calibri", bold=True, size=12)
            for column, name in enumerate(table.header, start=1):
                cell = put_cell(sheet, 2, column, name)
                cell.font, cell.fill = Font(name="Calibri", bold=True), HEADER_FILL
            for r, row in enumerate(table.rows, start=3):
                for column, value in enumerate(row, start=1):
                    cell = put_cell(sheet, r, column, value)
                    if not isinstance(value, str):
                        cell.number_format = _format(table, column - 1) or "#,##0"
            if table.note:
                put_cell(sheet, len(table.rows) + 4, 1, table.note)
            sheet.freeze_panes = "A3"  # the title and the header stay in view
            _sheet_widths(sheet, table)
            if table.chart and table.rows:
                _chart(sheet, table)
    if not book.worksheets:
        put_cell(book.create_sheet("Report"), 1, 1, "No tables in this report.")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
