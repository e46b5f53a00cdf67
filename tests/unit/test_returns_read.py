"""The INMSS return: the template a borough fills in, and the checks its file must pass."""

from __future__ import annotations

import io
import random
import time

import pytest
from openpyxl import load_workbook

from analytics.errors import InvalidReturn
from analytics.returns_format import COLUMNS, FIELDS, Kind
from analytics.returns_read import read_return
from analytics.returns_template import PLACEMENTS_SHEET, template_workbook
from tests.support import returnfiles
from tests.support.returnfiles import LABELS, as_csv, as_xlsx, clean_rows, twelve_mistakes


def test_the_template_has_instructions_drop_downs_and_formats() -> None:
    book = load_workbook(io.BytesIO(template_workbook()))
    assert book.sheetnames == ["Instructions", PLACEMENTS_SHEET]
    sheet = book[PLACEMENTS_SHEET]
    assert [c.value for c in sheet[1]] == LABELS
    lists = {
        str(v.sqref).split(":")[0]: v.formula1
        for v in sheet.data_validations.dataValidation
        if v.type == "list"
    }
    coded = [f for f in FIELDS if f.kind is Kind.CODE]
    assert len(lists) == len(coded)
    need_column = "ABCDEFGHIJKLMNOPQRSTUVW"[LABELS.index("Primary need")]
    assert lists[f"{need_column}2"] == '"ASD,SEMH,SLCN,MLD,SPLD,SLD,PD,PMLD,OTH,HI,VI,MSI"'
    fee = sheet.cell(2, LABELS.index("Core education fee") + 1)
    attendance = sheet.cell(2, LABELS.index("Attendance %") + 1)
    assert "£" in fee.number_format
    assert "%" in attendance.number_format
    instructions = " ".join(str(c.value) for c in book["Instructions"]["A"] if c.value)
    assert "date of birth" in instructions
    assert "Total annual cost" in instructions


@pytest.mark.parametrize("encode", [as_csv, as_xlsx], ids=["csv", "xlsx"])
def test_a_clean_return_reads_in_the_stored_form(encode: object) -> None:
    rows = clean_rows()
    frame = read_return(encode(rows), "return.csv" if encode is as_csv else "r.xlsx", "2025-26")  # type: ignore[operator]
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == len(rows)
    assert frame["total_cost"].tolist() == [r["Total annual cost"] for r in rows]
    assert frame["start_date"].tolist() == [r["Start date"] for r in rows]


def test_friendly_spellings_are_understood() -> None:
    rows = clean_rows(3)
    rows[0] |= {"Phase or NC year": "Year 9", "Primary need": "semh", "Placement type": "Day"}
    rows[1] |= {
        "Phase or NC year": "R",
        "Start date": "01/09/2024",
        "Core education fee": "£50,000",
    }
    rows[1]["Total annual cost"] = 50_000 + sum(
        float(rows[1].get(k, 0))  # type: ignore[arg-type]
        for k in ("Residential care", "Health", "Therapies", "Additional staffing (1:1)")
    )
    rows[2] |= {"Placement type": "termly residential", "Route": "dps", "Attendance %": "91.5%"}
    frame = read_return(as_csv(rows), "r.csv", "2025-26")
    assert frame.loc[0, ["phase", "primary_need", "placement_type"]].tolist() == [
        "secondary",
        "SEMH",
        "day",
    ]
    assert frame.loc[1, ["phase", "start_date", "core_fee"]].tolist() == [
        "primary",
        "2024-09-01",
        50_000.0,
    ]
    assert frame.loc[2, ["placement_type", "route", "attendance_pct"]].tolist() == [
        "38-week residential",
        "DPS",
        91.5,
    ]


def test_twelve_kinds_of_error_give_twelve_precise_messages() -> None:
    with pytest.raises(InvalidReturn) as caught:
        read_return(as_csv(twelve_mistakes()), "r.csv", "2025-26")
    problems = caught.value.problems
    total = problems[4]
    assert (total.line, total.column) == (6, "Total annual cost")
    assert total.reason.startswith("is £")
    assert "but the costs add up to £" in total.reason
    found = [(p.line, p.column, p.reason) for p in problems if p is not total]
    assert found == [
        (2, "Primary need", "'Autism spectrum' is not one of: " + ", ".join(FIELDS[5].choices)),
        (3, "Provider URN", "'14A07' is not a 6-digit URN"),
        (4, "Core education fee", "'fifty thousand' is not a number"),
        (5, "Therapies", "is negative"),
        (7, "Start date", "'31/02/2025' is not a date (day/month/year)"),
        (8, "Start date", "is after the period ends (31/08/2026)"),
        (9, "Attendance %", "is not a percentage from 0 to 100"),
        (10, "Suspensions", "is not a whole number of 0 or more"),
        (12, "Placement ID", "repeats line 11"),
        (
            13,
            "Placement ID",
            "looks like a date: use your pseudonymous reference, never a date of birth",
        ),
        (14, "Provider name", "is empty"),
    ]


def test_identifying_and_unknown_columns_are_refused_before_any_row() -> None:
    header = [*LABELS, "Child's name", "DOB", "Notes"]
    rows = [r | {"Child's name": "Ada", "DOB": "01/02/2013", "Notes": "x"} for r in clean_rows(2)]
    with pytest.raises(InvalidReturn) as caught:
        read_return(as_csv(rows, header), "r.csv", "2025-26")
    found = {(p.column, p.reason.split(":")[0]) for p in caught.value.problems}
    assert found == {  # named by position: a heading is never echoed (issue 11, item 4)
        ("column X", "could identify a child (a name, date of birth or similar)"),
        ("column Y", "could identify a child (a name, date of birth or similar)"),
        ("column Z", "is not a column of the return (see the template's Instructions sheet)"),
    }


def test_a_missing_column_and_a_name_for_an_id_are_named() -> None:
    rows = clean_rows(2)
    rows[1]["Placement ID"] = "Jane Smith"
    with pytest.raises(InvalidReturn) as caught:
        read_return(as_csv(rows, [h for h in LABELS if h != "Route"]), "r.csv", "2025-26")
    assert [(p.line, p.column, p.reason) for p in caught.value.problems] == [
        (1, "Route", "column is missing")
    ]
    with pytest.raises(InvalidReturn) as caught:
        read_return(as_csv(rows), "r.csv", "2025-26")
    assert caught.value.problems[0].reason.startswith("has no digits, so it may be a name")


@pytest.mark.parametrize(
    ("raw", "name", "reason"),
    [
        (b"PK\x03\x04not really a zip", "r.xlsx", "the workbook cannot be read"),
        (b"\x00\x01\x02", "r.xlsx", "the file is not an Excel workbook (.xlsx)"),
        (b"", "r.csv", "column is missing"),
    ],
)
def test_unreadable_files_are_refused_clearly(raw: bytes, name: str, reason: str) -> None:
    with pytest.raises(InvalidReturn) as caught:
        read_return(raw, name, "2025-26")
    assert caught.value.problems[0].reason == reason


def test_the_period_must_be_an_academic_year() -> None:
    with pytest.raises(InvalidReturn, match="problem"):
        read_return(as_csv(clean_rows(1)), "r.csv", "2025-27")


def test_a_return_with_only_the_required_columns_reads() -> None:
    """Issue 11 item 13: absent optional columns are empty, and the total is checked against
    the costs that are present (it used to end in a TypeError adding None)."""
    required = [f.label for f in FIELDS if f.required]
    rows = clean_rows(3)
    for row in rows:
        row["Total annual cost"] = row["Core education fee"]
    rows[2]["Total annual cost"] = float(rows[2]["Core education fee"]) + 5  # type: ignore[arg-type]

    with pytest.raises(InvalidReturn) as caught:
        read_return(as_csv(rows, required), "r.csv", "2025-26")
    assert [(p.line, p.column) for p in caught.value.problems] == [(4, "Total annual cost")]
    assert caught.value.problems[0].reason.endswith(
        f"but the costs add up to £{float(rows[2]['Core education fee']):,.2f}"  # type: ignore[arg-type]
    )

    frame = read_return(as_csv(rows[:2], required), "r.csv", "2025-26")
    assert frame["total_cost"].tolist() == [r["Core education fee"] for r in rows[:2]]
    assert frame[["residential_care", "health", "therapies"]].eq(0.0).all().all()
    assert frame[["attendance_pct", "end_date", "outcomes_met"]].isna().all().all()


BOMBS = {
    "20M empty rows": (returnfiles.empty_rows_bomb, "the workbook unpacks to 114 MB"),
    "a 1.5 GB cell": (returnfiles.huge_cell_bomb, "the workbook unpacks to 1,488 MB"),
    "2,000 x 16,000 cells": (returnfiles.wide_bomb, "the workbook unpacks to 458 MB"),
    "a declared 1M x 16K sheet": (returnfiles.lying_dimension_bomb, "a sheet has 1,048,576 rows"),
}


@pytest.mark.parametrize("bomb", BOMBS, ids=list(BOMBS))
def test_upload_bombs_are_refused_before_parsing(bomb: str) -> None:
    """Issue 11 item 5: each took minutes and gigabytes; now refused in well under a second."""
    make, reason = BOMBS[bomb]
    raw = make()
    assert len(raw) < 10 * 2**20  # under Teams' chat limit, as reported
    started = time.perf_counter()
    with pytest.raises(InvalidReturn) as caught:
        read_return(raw, "camden.xlsx", "2025-26")
    assert time.perf_counter() - started < 1.0
    assert caught.value.problems[0].reason.startswith(reason)


def test_a_lying_dimension_cannot_make_the_reader_go_on() -> None:
    """No dimension at all, but more lines than a return has: reading stops at the cap."""
    from analytics.returns_read import MAX_LINES

    raw = returnfiles.xlsx_by_hand([(b"<row/>", MAX_LINES + 10)])
    with pytest.raises(InvalidReturn) as caught:
        read_return(raw, "camden.xlsx", "2025-26")
    assert caught.value.problems[0].reason.startswith(
        f"the return has more than {MAX_LINES:,} lines"
    )


@pytest.mark.parametrize(
    "raw",
    [
        returnfiles.shift_jis_csv(),
        random.Random(11).randbytes(4000),  # noqa: S311 - test bytes
        "a,b\n".encode("utf-16"),
    ],
    ids=["shift-jis", "random bytes", "utf-16"],
)
def test_text_that_is_not_utf8_or_windows_1252_is_named(raw: bytes) -> None:
    """Issue 11 item 11: this used to end in a Python codec message."""
    with pytest.raises(InvalidReturn) as caught:
        read_return(raw, "camden.csv", "2025-26")
    assert [p.reason for p in caught.value.problems] == [
        "the file is not UTF-8 or Windows-1252 text: save it from Excel as .xlsx or CSV UTF-8"
    ]


def test_windows_1252_text_still_reads() -> None:
    rows = clean_rows(2)
    rows[0]["Provider name"] = "Ecole Sainte-Thérèse – £ “special”"
    frame = read_return(as_csv(rows).decode("utf-8-sig").encode("cp1252"), "r.csv", "2025-26")
    assert frame.loc[0, "provider_name"] == rows[0]["Provider name"]
