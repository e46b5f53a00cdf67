"""Reading an INMSS return (XLSX or CSV) and checking every cell at the boundary.

`read_return(raw, filename, period)` gives one row per placement in the stored form (COLUMNS,
codes canonical, money in pounds, dates as ISO text) or raises InvalidReturn listing every
problem with its line, column and reason, so the borough can fix the whole file at once.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime

import pandas as pd
from openpyxl import load_workbook

from analytics.errors import CellProblem, InvalidReturn
from analytics.returns_format import (
    COLUMNS,
    COSTS,
    FIELDS,
    IDENTIFYING_HEADER,
    MAX_MONEY,
    NC_YEAR_PHASE,
    PERIOD,
    Field,
    Kind,
    field_for_header,
    header_key,
)
from analytics.returns_template import PLACEMENTS_SHEET

MAX_ROWS = 20_000  # a borough funds a few hundred; more is the wrong file
MAX_TEXT = 200
Cell = str | int | float | datetime | date | None
SYNONYMS = {
    "termly residential": "38-week residential",
    "38 week residential": "38-week residential",
    "38-week": "38-week residential",
    "52 week residential": "52-week residential",
    "52-week": "52-week residential",
    "39-51-week residential": "weekly boarding",
    "weekly": "weekly boarding",
    "independent": "independent special",
    "nmss": "non-maintained special",
    "non-maintained": "non-maintained special",
    "post16": "post-16",
    "partly met": "partly",
    "y": "yes",
    "n": "no",
}
_DATE_TEXT = re.compile(r"^\s*(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})\s*$")
_NUMBER_TEXT = re.compile(r"^-?\d+(\.\d+)?$")
_CONTROL = re.compile(r"[\x00-\x1f]")


class _Bad(ValueError):
    """A cell's value cannot be used; the message is the reason shown to the borough."""


def read_return(raw: bytes, filename: str, period: str) -> pd.DataFrame:
    match = PERIOD.match(period)
    if not match or int(match.group(2)) != (int(match.group(1)) + 1) % 100:
        raise InvalidReturn([CellProblem(0, "", f"'{period[:20]}' is not a period like 2025-26")])
    period_end = date(int(match.group(1)) + 1, 8, 31)
    header, rows = _table(raw, filename)
    fields = _check_header(header)
    problems: list[CellProblem] = []
    records: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for count, (line, cells) in enumerate(rows, start=1):
        if count > MAX_ROWS:
            problems.append(CellProblem(line, "", f"the return has more than {MAX_ROWS:,} rows"))
            break
        record, found = _check_row(line, cells, fields, len(header), period_end, seen)
        problems.extend(found)
        if not found:
            records.append(record)
    if not records and not problems:
        problems.append(CellProblem(2, "", "the return has no placements"))
    if problems:
        raise InvalidReturn(problems)
    return pd.DataFrame(records, columns=list(COLUMNS))


def _table(raw: bytes, filename: str) -> tuple[list[str], Iterator[tuple[int, list[Cell]]]]:
    if raw[:4] == b"PK\x03\x04":
        return _xlsx_table(raw)
    if filename.lower().endswith((".xlsx", ".xls", ".xlsm")):
        raise InvalidReturn([CellProblem(0, "", "the file is not an Excel workbook (.xlsx)")])
    return _csv_table(raw)


def _xlsx_table(raw: bytes) -> tuple[list[str], Iterator[tuple[int, list[Cell]]]]:
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise InvalidReturn([CellProblem(0, "", "the workbook cannot be read")]) from error
    sheet = book[PLACEMENTS_SHEET] if PLACEMENTS_SHEET in book.sheetnames else book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    first = next(lines, ())
    header = [str(h).strip() if h is not None else "" for h in first]

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        for line, values in enumerate(lines, start=2):
            cells: list[Cell] = list(values)  # type: ignore[arg-type]
            if any(c is not None and str(c).strip() for c in cells):
                yield line, cells

    return _trim(header), rows()


def _csv_table(raw: bytes) -> tuple[list[str], Iterator[tuple[int, list[Cell]]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    if "\x00" in text:
        raise InvalidReturn([CellProblem(0, "", "the file is neither CSV text nor an .xlsx")])
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        for values in reader:
            if any(v.strip() for v in values):
                yield reader.line_num, list(values)

    return _trim(header), rows()


def _trim(header: list[str]) -> list[str]:
    while header and not header[-1]:
        header.pop()
    return header


def _check_header(header: list[str]) -> list[tuple[int, Field]]:
    known = field_for_header()
    problems: list[CellProblem] = []
    found: dict[str, int] = {}
    fields: list[tuple[int, Field]] = []
    for index, heading in enumerate(header):
        field = known.get(header_key(heading))
        if field is None:
            spaced = re.sub(r"[^a-z0-9]+", " ", heading.casefold())
            if IDENTIFYING_HEADER.search(spaced):
                reason = "could identify a child (a name, date of birth or similar): delete the column; returns are pseudonymous"
            elif not heading:
                reason = "a column has no heading"
            else:
                reason = "is not a column of the return (see the template's Instructions sheet)"
            problems.append(CellProblem(1, heading or f"column {index + 1}", reason))
        elif field.name in found:
            problems.append(CellProblem(1, heading, "appears twice"))
        else:
            found[field.name] = index
            fields.append((index, field))
    problems += [
        CellProblem(1, f.label, "column is missing")
        for f in FIELDS
        if f.required and f.name not in found
    ]
    if problems:
        raise InvalidReturn(problems)
    return fields


def _check_row(
    line: int,
    cells: list[Cell],
    fields: list[tuple[int, Field]],
    width: int,
    period_end: date,
    seen: dict[str, int],
) -> tuple[dict[str, object], list[CellProblem]]:
    # An absent optional column reads as empty cells: money 0, anything else None
    record: dict[str, object] = {f.name: 0.0 if f.kind is Kind.MONEY else None for f in FIELDS}
    problems: list[CellProblem] = []
    if any(c is not None and str(c).strip() for c in cells[width:]):
        problems.append(CellProblem(line, "", "has values beyond the last headed column"))
    for index, field in fields:
        value = cells[index] if index < len(cells) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            if field.required:
                problems.append(CellProblem(line, field.label, "is empty"))
            record[field.name] = 0.0 if field.kind is Kind.MONEY else None
            continue
        try:
            record[field.name] = PARSERS[field.kind](value, field)
        except _Bad as bad:
            problems.append(CellProblem(line, field.label, str(bad)))
    if problems:
        return record, problems
    problems += _check_placement_id(line, str(record["placement_id"]), seen)
    money: dict[str, float] = {c: record[c] for c in (*COSTS, "total_cost")}  # type: ignore[misc]
    costs, total = sum(money[c] for c in COSTS), money["total_cost"]
    if abs(costs - total) > 1.0:
        problems.append(
            CellProblem(
                line,
                "Total annual cost",
                f"is £{total:,.2f} but the costs add up to £{costs:,.2f}",
            )
        )
    start, end = str(record["start_date"]), record["end_date"]
    if date.fromisoformat(start) > period_end:
        problems.append(
            CellProblem(line, "Start date", f"is after the period ends ({period_end:%d/%m/%Y})")
        )
    if end is not None and str(end) < start:
        problems.append(CellProblem(line, "End date", "is before the start date"))
    return record, problems


def _check_placement_id(line: int, placement_id: str, seen: dict[str, int]) -> list[CellProblem]:
    label = "Placement ID"
    if _DATE_TEXT.match(placement_id) or re.search(r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}", placement_id):
        return [
            CellProblem(
                line,
                label,
                "looks like a date: use your pseudonymous reference, never a date of birth",
            )
        ]
    if not re.search(r"\d", placement_id):
        return [
            CellProblem(
                line,
                label,
                "has no digits, so it may be a name: use your pseudonymous reference (e.g. CAM-0042)",
            )
        ]
    if placement_id.casefold() in seen:
        return [CellProblem(line, label, f"repeats line {seen[placement_id.casefold()]}")]
    seen[placement_id.casefold()] = line
    return []


def _text(value: Cell, field: Field) -> str:
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if len(text) > MAX_TEXT:
        raise _Bad(f"is longer than {MAX_TEXT} characters")
    if _CONTROL.search(text):
        raise _Bad("contains control characters")
    return text


def _urn(value: Cell, field: Field) -> str:
    text = _text(value, field)
    if not re.fullmatch(r"[1-9]\d{5}", text):
        raise _Bad(f"'{text[:20]}' is not a 6-digit URN")
    return text


def _code(value: Cell, field: Field) -> str:
    text = _text(value, field)
    wanted = " ".join(text.casefold().replace("_", " ").split())
    for choice in field.choices:
        if wanted == choice.casefold():
            return choice
    if field.name == "phase":
        year = re.sub(r"^(year|yr|y)\s*", "", wanted).upper()
        if year in NC_YEAR_PHASE:
            return NC_YEAR_PHASE[year]
    if SYNONYMS.get(wanted) in field.choices:
        return SYNONYMS[wanted]
    raise _Bad(f"'{text[:30]}' is not one of: {', '.join(field.choices)}")


def _number(value: Cell) -> float:
    if isinstance(value, (bool, datetime | date)):
        raise _Bad("is not a number")
    if isinstance(value, int | float):
        if value != value:
            raise _Bad("is not a number")
        return float(value)
    text = str(value).strip().replace(",", "").replace("£", "").replace("%", "").strip()
    if not _NUMBER_TEXT.match(text):
        raise _Bad(f"'{str(value)[:20]}' is not a number")
    return float(text)


def _money(value: Cell, field: Field) -> float:
    amount = _number(value)
    if amount < 0:
        raise _Bad("is negative")
    if amount > MAX_MONEY:
        raise _Bad(f"is over £{MAX_MONEY:,.0f}: annual pounds, not pence?")
    return round(amount, 2)


def _percent(value: Cell, field: Field) -> float:
    amount = _number(value)
    if not 0 <= amount <= 100:
        raise _Bad("is not a percentage from 0 to 100")
    return round(amount, 1)


def _count(value: Cell, field: Field) -> int:
    amount = _number(value)
    if amount < 0 or not amount.is_integer():
        raise _Bad("is not a whole number of 0 or more")
    return int(amount)


def _date(value: Cell, field: Field) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    match = _DATE_TEXT.match(text)
    try:
        if not match:
            raise ValueError
        a, b, c = (int(g) for g in match.groups())
        day = date(a, b, c) if a > 31 else date(c, b, a)  # ISO, else the British day/month/year
    except ValueError:
        raise _Bad(f"'{text[:20]}' is not a date (day/month/year)") from None
    if day.year < 2000:
        raise _Bad("is before 2000")
    return day.isoformat()


PARSERS: dict[Kind, Callable[[Cell, Field], object]] = {
    Kind.TEXT: _text,
    Kind.URN: _urn,
    Kind.CODE: _code,
    Kind.MONEY: _money,
    Kind.PERCENT: _percent,
    Kind.COUNT: _count,
    Kind.DATE: _date,
}
