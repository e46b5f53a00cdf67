"""Return files for tests: what a borough would send, clean or with known mistakes."""

from __future__ import annotations

import contextlib
import csv
import io
from datetime import datetime

import pandas as pd
from openpyxl import load_workbook

from analytics.returns_format import FIELDS
from analytics.returns_synthetic import synthetic_returns
from analytics.returns_template import PLACEMENTS_SHEET, template_workbook

LABELS = [f.label for f in FIELDS]


def clean_rows(count: int = 6) -> list[dict[str, object]]:
    """A borough's return as the template heads it, from the synthetic generator."""
    frame = synthetic_returns(["202", "203"], total=200).placements
    frame = frame[frame["borough"] == "202"].head(count)
    return [
        {f.label: row[f.name] for f in FIELDS if f.name in row and pd.notna(row[f.name])}
        for _, row in frame.iterrows()
    ]


def as_csv(rows: list[dict[str, object]], header: list[str] = LABELS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def as_xlsx(rows: list[dict[str, object]]) -> bytes:
    """Filled in the way a commissioner would: in the template itself."""
    book = load_workbook(io.BytesIO(template_workbook()))
    sheet = book[PLACEMENTS_SHEET]
    for r, row in enumerate(rows, start=2):
        for c, label in enumerate(LABELS, start=1):
            value = row.get(label)
            if label in ("Start date", "End date") and value:
                with contextlib.suppress(ValueError):  # a mistyped date stays text, as in Excel
                    value = datetime.fromisoformat(str(value))
            sheet.cell(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def twelve_mistakes() -> list[dict[str, object]]:
    rows = clean_rows(13)
    rows[0]["Primary need"] = "Autism spectrum"  # 1 not a code
    rows[1]["Provider URN"] = "14A07"  # 2 not a URN
    rows[2]["Core education fee"] = "fifty thousand"  # 3 not a number
    rows[3]["Therapies"] = -500  # 4 negative
    rows[4]["Total annual cost"] = float(rows[4]["Total annual cost"]) + 900  # type: ignore[arg-type]  # 5 sum
    rows[5]["Start date"] = "31/02/2025"  # 6 not a date
    rows[6]["Start date"] = "2027-01-04"  # 7 after the period
    rows[7]["Attendance %"] = 120  # 8 not a percentage
    rows[8]["Suspensions"] = 1.5  # 9 not whole
    rows[9]["Placement ID"] = rows[10]["Placement ID"]  # 10 repeated
    rows[11]["Placement ID"] = "14/03/2012"  # 11 a date of birth?
    del rows[12]["Provider name"]  # 12 empty
    return rows
