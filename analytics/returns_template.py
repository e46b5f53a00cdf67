"""The INMSS return template: an Excel workbook a commissioner can fill in without a manual.

An instructions sheet, then one placement per row under the template's headings, with drop-down
lists for every coded field, pound and percentage formats, and range checks Excel applies as the
data is typed. The validator accepts exactly what the template asks for (and its CSV twin).
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from analytics.returns_format import FIELDS, NC_YEAR_PHASE, Kind
from analytics.spreadsheet_safety import put_cell

PLACEMENTS_SHEET = "Placements"
TEMPLATE_ROWS = 5000  # validation and formats reach this far down; more rows still import
POUNDS = '"£"#,##0.00'
PERCENT = '0.0"%"'  # the number typed is the percentage: 87.5 shows as 87.5%
HEADING = PatternFill("solid", fgColor="1D4F6E")

INSTRUCTIONS = (
    "Pan-London SEND Commissioning Forum: INMSS placement return",
    "",
    "One row per placement your borough funds in an independent or non-maintained special school.",
    "Never enter a child's name, date of birth, UPN, NHS number or address: use your own",
    "pseudonymous placement reference. A file with such columns is refused.",
    "Coded columns have drop-down lists; money is annual, in pounds; percentages are numbers 0-100.",
    "The total annual cost must equal the sum of the five costs before it (to the nearest pound).",
    "",
    "Send the file to the forum's assistant in a 1:1 chat, with the period in the message",
    "(for example: 2025-26). Every problem is listed with its row and column; nothing is imported",
    "until the whole file is clean, and a clean re-submission replaces your earlier return.",
    "",
    "Columns:",
)


def template_workbook() -> bytes:
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Instructions"
    for row, line in enumerate(INSTRUCTIONS, start=1):
        put_cell(notes, row, 1, line)
    notes["A1"].font = Font(bold=True, size=14)
    start = len(INSTRUCTIONS) + 1
    for offset, field in enumerate(FIELDS):
        put_cell(notes, start + offset, 1, field.label).font = Font(bold=True)
        put_cell(notes, start + offset, 2, "required" if field.required else "optional")
        put_cell(notes, start + offset, 3, field.help)
        put_cell(notes, start + offset, 4, ", ".join(field.choices))
    notes.column_dimensions["A"].width = 34
    notes.column_dimensions["C"].width = 70
    _placements_sheet(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _placements_sheet(book: Workbook) -> None:
    sheet = book.create_sheet(PLACEMENTS_SHEET)
    sheet.freeze_panes = "A2"
    last = TEMPLATE_ROWS + 1
    for column, field in enumerate(FIELDS, start=1):
        cell = put_cell(sheet, 1, column, field.label)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADING
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = max(14, len(field.label) + 2)
        area = f"{letter}2:{letter}{last}"
        validation = _validation(field.kind, field.choices, field.name)
        if validation is not None:
            validation.promptTitle = field.label[:32]
            validation.prompt = field.help[:255]
            validation.error = f"{field.label}: {field.help}"[:255]
            validation.showInputMessage = validation.showErrorMessage = True
            validation.add(area)
            sheet.add_data_validation(validation)
        number_format = {Kind.MONEY: POUNDS, Kind.PERCENT: PERCENT, Kind.DATE: "dd/mm/yyyy"}
        if field.kind in number_format:
            for row in range(2, last + 1):
                sheet.cell(row, column).number_format = number_format[field.kind]


def _validation(kind: Kind, choices: tuple[str, ...], name: str) -> DataValidation | None:
    if kind is Kind.CODE:
        options = list(choices) + (list(NC_YEAR_PHASE) if name == "phase" else [])
        return DataValidation(type="list", formula1=f'"{",".join(options)}"', allow_blank=True)
    if kind is Kind.MONEY:
        return DataValidation(type="decimal", operator="between", formula1="0", formula2="1000000")
    if kind is Kind.PERCENT:
        return DataValidation(type="decimal", operator="between", formula1="0", formula2="100")
    if kind is Kind.COUNT:
        return DataValidation(type="whole", operator="between", formula1="0", formula2="400")
    if kind is Kind.DATE:
        return DataValidation(type="date", operator="greaterThan", formula1="36526")  # 2000-01-01
    return None
