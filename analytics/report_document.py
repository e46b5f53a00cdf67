"""A report as an editable Word document (python-docx) and its figures as an Excel workbook.

A report is a title and sections; a section is sentences, tables and charts (PNG bytes with a
title and a description). Nothing here knows what the report is about: the quarterly report to
the ALDCS SEND Steering Group (forum_ops/quarterly_report.py) builds the sections. Every text
cell of the workbook goes through analytics/spreadsheet_safety.py.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from docx import Document
from docx.shared import Inches, Pt
from openpyxl import Workbook
from openpyxl.styles import Font

from analytics.spreadsheet_safety import put_cell


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str | int | float, ...], ...]
    note: str = ""


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


def _text(value: str | int | float) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def word_document(title: str, subtitle: str, sections: list[Section]) -> bytes:
    """The report as .docx: headings, paragraphs, tables with a header row, charts with captions."""
    document = Document()
    document.core_properties.title = title
    document.add_heading(title, level=0)
    document.add_paragraph().add_run(subtitle).italic = True
    for section in sections:
        document.add_heading(section.title, level=1)
        for line in section.lines:
            document.add_paragraph(line)
        for table in section.tables:
            document.add_heading(table.title, level=2)
            grid = document.add_table(rows=1, cols=len(table.header))
            grid.style = "Table Grid"
            for cell, name in zip(grid.rows[0].cells, table.header, strict=True):
                cell.text = name
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for row in table.rows:
                cells = grid.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = _text(value)
            if table.note:
                note = document.add_paragraph(table.note)
                for run in note.runs:
                    run.font.size = Pt(9)
        for chart in section.charts:
            document.add_picture(io.BytesIO(chart.png), width=Inches(6.2))
            caption = document.add_paragraph(f"{chart.title}. {chart.description}")
            for run in caption.runs:
                run.font.size = Pt(9)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title)[:28].strip() or "Sheet"
    name, n = base, 2
    while name.casefold() in used:
        name, n = f"{base[:25]} {n}", n + 1
    used.add(name.casefold())
    return name


def workbook(sections: list[Section]) -> bytes:
    """Every table of the report on its own sheet, numbers as numbers."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    used: set[str] = set()
    for section in sections:
        for table in section.tables:
            sheet = book.create_sheet(_sheet_name(table.title, used))
            put_cell(sheet, 1, 1, table.title).font = Font(bold=True)
            for column, name in enumerate(table.header, start=1):
                put_cell(sheet, 2, column, name).font = Font(bold=True)
            for r, row in enumerate(table.rows, start=3):
                for column, value in enumerate(row, start=1):
                    put_cell(sheet, r, column, value)
            if table.note:
                put_cell(sheet, len(table.rows) + 4, 1, table.note)
    if not book.worksheets:
        put_cell(book.create_sheet("Report"), 1, 1, "No tables in this report.")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
