"""Cells the product writes into CSV or XLSX files, made safe to open in a spreadsheet.

A text cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which some
spreadsheets skip before reading one) is run as a formula when a CSV is opened in Excel or
LibreOffice: `=HYPERLINK(...)` or a DDE call typed into a return would run on the secretariat's
machine. Returns store text as typed; every export neutralises it here, as OWASP's CSV injection
advice says: prefix a single quote, and quote every CSV field. Numbers are left as numbers.
Every writer of a CSV or XLSX (the return template today; returns, votes and reports exports
later) goes through `safe_cell`, `csv_bytes` or `put_cell`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """The value as it may be written: text that a spreadsheet would run gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A CSV (UTF-8 with BOM, so Excel reads it as UTF-8) with every field quoted and every
    text cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def put_cell(sheet: Any, row: int, column: int, value: object) -> Any:
    """Write one openpyxl cell: neutralised text is stored as text, never as a formula."""
    cell = sheet.cell(row, column, safe_cell(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # openpyxl would read a leading = as a formula
    return cell
