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
from openpyxl.utils import column_index_from_string, get_column_letter

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
MAX_LINES = MAX_ROWS + 1_000  # lines read at most, blank ones included (a header, some gaps)
MAX_COLUMNS = 64  # the return has 23; cells further right are never read
MAX_TEXT = 200
# An .xlsx is a zip: what it would unpack to is checked before any parsing, so a small file that
# expands to gigabytes (millions of empty rows, one huge cell) is refused in milliseconds.
MAX_UNPACKED_BYTES = 64 * 2**20  # a full 20,000-row return unpacks to about 20 MB
MAX_ZIP_MEMBERS = 200
NOT_TEXT = "the file is not UTF-8 or Windows-1252 text: save it from Excel as .xlsx or CSV UTF-8"
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
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # no text file holds these
_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?\""
)


XLSX_MAGIC = b"PK\x03\x04"  # a zip: an Excel workbook


class _Bad(ValueError):
    """A cell's value cannot be used; the message is the reason shown to the borough."""


def read_return(raw: bytes, filename: str, period: str) -> pd.DataFrame:
    match = PERIOD.match(period)
    if not match or int(match.group(2)) != (int(match.group(1)) + 1) % 100:
        raise InvalidReturn([CellProblem(0, "", f"'{period[:20]}' is not a period like 2025-26")])
    period_end = date(int(match.group(1)) + 1, 8, 31)
    header, rows = _table(raw, filename)
    is_csv = raw[:4] != XLSX_MAGIC
    fields = _check_header(header)
    problems: list[CellProblem] = []
    records: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for count, (line, cells) in enumerate(rows, start=1):
        if count > MAX_ROWS:
            problems.append(CellProblem(line, "", f"the return has more than {MAX_ROWS:,} rows"))
            break
        record, found = _check_row(line, cells, fields, len(header), period_end, seen, is_csv)
        problems.extend(found)
        if not found:
            records.append(record)
    if not records and not problems:
        problems.append(CellProblem(2, "", "the return has no placements"))
    if problems:
        raise InvalidReturn(problems)
    return pd.DataFrame(records, columns=list(COLUMNS))


def _table(raw: bytes, filename: str) -> tuple[list[str], Iterator[tuple[int, list[Cell]]]]:
    if raw[:4] == XLSX_MAGIC:
        return _xlsx_table(raw)
    if filename.lower().endswith((".xlsx", ".xls", ".xlsm")):
        raise InvalidReturn([CellProblem(0, "", "the file is not an Excel workbook (.xlsx)")])
    return _csv_table(raw)


def check_workbook_size(raw: bytes) -> None:
    """Refuse, before parsing, a workbook that would unpack to more than MAX_UNPACKED_BYTES or
    whose sheets declare more than MAX_LINES rows or MAX_COLUMNS columns. Python's zipfile never
    unpacks a member beyond its declared size, so the declared sizes are a true bound."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
            unpacked = sum(m.file_size for m in members)
            if len(members) > MAX_ZIP_MEMBERS or unpacked > MAX_UNPACKED_BYTES:
                raise InvalidReturn(
                    [
                        CellProblem(
                            0,
                            "",
                            f"the workbook unpacks to {unpacked / 2**20:,.0f} MB, more than a "
                            f"return of {MAX_ROWS:,} rows ever needs: is it the right file?",
                        )
                    ]
                )
            for member in members:
                if member.filename.startswith("xl/worksheets/") and member.filename.endswith(
                    ".xml"
                ):
                    with archive.open(member) as sheet:
                        _check_dimension(sheet.read(4096))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError) as error:
        raise InvalidReturn([CellProblem(0, "", "the workbook cannot be read")]) from error


def _check_dimension(start: bytes) -> None:
    match = _DIMENSION.search(start)
    if not match:
        return  # rows and columns are capped while reading anyway
    groups = [g.decode("ascii") if g else "" for g in match.groups()]
    last_column, last_row = groups[2] or groups[0], groups[3] or groups[1]
    if last_row and int(last_row) > MAX_LINES:
        raise InvalidReturn(
            [
                CellProblem(
                    0, "", f"a sheet has {int(last_row):,} rows; a return has at most {MAX_ROWS:,}"
                )
            ]
        )
    if last_column and column_index_from_string(last_column) > MAX_COLUMNS:
        raise InvalidReturn(
            [
                CellProblem(
                    0,
                    "",
                    f"a sheet is {column_index_from_string(last_column):,} columns wide; "
                    f"a return has {len(FIELDS)}",
                )
            ]
        )


def _too_long(line: int) -> InvalidReturn:
    return InvalidReturn(
        [
            CellProblem(
                line, "", f"the return has more than {MAX_LINES:,} lines; at most {MAX_ROWS:,} rows"
            )
        ]
    )


def _xlsx_table(raw: bytes) -> tuple[list[str], Iterator[tuple[int, list[Cell]]]]:
    check_workbook_size(raw)
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise InvalidReturn([CellProblem(0, "", "the workbook cannot be read")]) from error
    sheet = book[PLACEMENTS_SHEET] if PLACEMENTS_SHEET in book.sheetnames else book.worksheets[0]
    # bounded whatever the sheet declares: a lying dimension cannot make us read further
    lines = sheet.iter_rows(max_row=MAX_LINES + 1, max_col=MAX_COLUMNS, values_only=True)
    first = next(lines, ())
    header = [str(h).strip() if h is not None else "" for h in first]

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        for line, values in enumerate(lines, start=2):
            if line > MAX_LINES:
                raise _too_long(line)
            cells: list[Cell] = list(values)  # type: ignore[arg-type]
            if any(c is not None and str(c).strip() for c in cells):
                yield line, cells

    return _trim(header), rows()


def decode_text(raw: bytes) -> str:
    """Text as Excel or an editor saves it: UTF-8 (with or without BOM), else Windows-1252.
    Anything else (Shift-JIS, UTF-16, random bytes) raises InvalidReturn saying so, never a
    codec's message, and never a guess that turns the text into something else."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise InvalidReturn([CellProblem(0, "", NOT_TEXT)]) from None
    if _BINARY.search(text):
        raise InvalidReturn([CellProblem(0, "", NOT_TEXT)])
    return text


def _csv_table(raw: bytes) -> tuple[list[str], Iterator[tuple[int, list[Cell]]]]:
    reader = csv.reader(io.StringIO(decode_text(raw)))
    try:
        header = [h.strip() for h in next(reader, [])][:MAX_COLUMNS]
    except csv.Error as error:
        raise InvalidReturn([CellProblem(1, "", "the heading line is not CSV")]) from error

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        try:
            for values in reader:
                if reader.line_num > MAX_LINES:
                    raise _too_long(reader.line_num)
                if any(v.strip() for v in values):
                    yield reader.line_num, list(values[:MAX_COLUMNS])
        except csv.Error:
            # the csv module's message may quote the file: say only where it went wrong
            raise InvalidReturn(
                [CellProblem(reader.line_num, "", "is not CSV (a cell too long or a stray quote)")]
            ) from None

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
            # Named by position, never by its text: the heading is the file's first line, and a
            # fetched file's first line must not be echoed back (issue 11, item 4).
            where = f"column {get_column_letter(index + 1)}"
            if IDENTIFYING_HEADER.search(spaced):
                reason = "could identify a child (a name, date of birth or similar): delete the column; returns are pseudonymous"
            elif not heading:
                reason = "a column has no heading"
            else:
                reason = "is not a column of the return (see the template's Instructions sheet)"
            problems.append(CellProblem(1, where, reason))
        elif field.name in found:
            problems.append(CellProblem(1, field.label, "appears twice"))
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
    comma_separated: bool = False,
) -> tuple[dict[str, object], list[CellProblem]]:
    # An absent optional column reads as empty cells: money 0, anything else None
    record: dict[str, object] = {f.name: 0.0 if f.kind is Kind.MONEY else None for f in FIELDS}
    problems: list[CellProblem] = []
    beyond = [c for c in cells[width:] if c is not None and str(c).strip()]
    if beyond and comma_separated:  # a comma split a value: the columns after it are shifted,
        extra = len(_trim([str(c or "").strip() for c in cells])) - width  # so name none of them
        too_many = f"{extra} field{'s' if extra > 1 else ''} too many"
        reason = (
            f"has {too_many}: a value with a comma in it, such as £45,000, must be in quotes "
            "or written without the comma (45000)"
        )
        return record, [CellProblem(line, "", reason)]
    if beyond:
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
