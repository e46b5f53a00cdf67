"""Return files for tests: what a borough would send, clean or with known mistakes."""

from __future__ import annotations

import contextlib
import csv
import io
import struct
import zlib
from collections.abc import Iterable
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


# -- hostile files (issue 11, items 5 and 11): small on the wire, enormous or unreadable inside --

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    b'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    b'"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    b'"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    b'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType='
    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    b'.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxml'
    b'formats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    b"</Relationships>"
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships"><sheets><sheet name="Placements" sheetId="1" r:id="rId1"/></sheets>'
    b"</workbook>"
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    b'.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxml'
    b'formats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
_SHEET_OPEN = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
    b'spreadsheetml/2006/main">'
)
_HEADER_ROW = (
    b'<row r="1">'
    + b"".join(b'<c t="inlineStr"><is><t>' + label.encode() + b"</t></is></c>" for label in LABELS)
    + b"</row>"
)


Repeated = tuple[bytes, int]  # a block of XML and how many times it repeats


def _deflate(parts: Iterable[Repeated]) -> tuple[bytes, int, int]:
    """Raw deflate of the blocks, each compressed once and repeated: a full flush makes every
    compressed block stand alone, so copies of it concatenate into a valid stream. Returns the
    stream, the CRC-32 and the size of what it unpacks to (the true ones, not claims)."""
    out, crc, size = bytearray(), 0, 0
    for block, count in parts:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        packed = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
        out += packed * count
        for _ in range(count):
            crc = zlib.crc32(block, crc)
        size += len(block) * count
    out += zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    return bytes(out), crc, size


def _zip(members: dict[str, list[Repeated]]) -> bytes:
    """A zip written field by field (zipfile would compress gigabytes to write the same)."""
    out, central = io.BytesIO(), []
    for name, parts in members.items():
        data, crc, size = _deflate(parts)
        encoded, offset = name.encode(), out.tell()
        fields = (8, 0, 0x21, crc, len(data), size, len(encoded))  # deflate, 1980-01-01
        out.write(struct.pack("<IHH" + "HHHIIIH" + "H", 0x04034B50, 20, 0, *fields, 0))
        out.write(encoded + data)
        central.append(
            struct.pack(
                "<IHHH" + "HHHIIIH" + "HHHHII",
                0x02014B50,
                20,
                20,
                0,
                *fields,
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    directory, start = b"".join(central), out.tell()
    out.write(directory)
    out.write(
        struct.pack(
            "<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), len(directory), start, 0
        )
    )
    return out.getvalue()


def xlsx_by_hand(
    rows: list[Repeated], dimension: str = "", shared: list[Repeated] | None = None
) -> bytes:
    """A minimal workbook written straight into a zip, so a bomb costs a second, not minutes."""
    head = _SHEET_OPEN + (f'<dimension ref="{dimension}"/>'.encode() if dimension else b"")
    sst = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    return _zip(
        {
            "[Content_Types].xml": [(_CONTENT_TYPES, 1)],
            "_rels/.rels": [(_RELS, 1)],
            "xl/workbook.xml": [(_WORKBOOK, 1)],
            "xl/_rels/workbook.xml.rels": [(_WORKBOOK_RELS, 1)],
            "xl/worksheets/sheet1.xml": [
                (head + b"<sheetData>" + _HEADER_ROW, 1),
                *rows,
                (b"</sheetData></worksheet>", 1),
            ],
            "xl/sharedStrings.xml": [(sst, 1), *(shared or [(b"x", 1)]), (b"</t></si></sst>", 1)],
        }
    )


def empty_rows_bomb(rows: int = 20_000_000) -> bytes:
    """20M empty rows: 1.2 MB that took 197 s and 1.95 GB to read."""
    return xlsx_by_hand([(b"<row/>" * 100_000, rows // 100_000)])


def huge_cell_bomb(size: int = 1_500 * 2**20) -> bytes:
    """One 1.5 GB shared string: 1.5 MB that took 3.2 GB to read."""
    cell = b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    return xlsx_by_hand([(cell, 1)], "A1:W2", [(b"A" * 2**24, size // 2**24)])


def wide_bomb(rows: int = 2_000, columns: int = 16_000) -> bytes:
    """2,000 x 16,000 numeric cells: took 229 s to read."""
    return xlsx_by_hand([(b"<row>" + b"<c><v>1</v></c>" * columns + b"</row>", rows)])


def lying_dimension_bomb() -> bytes:
    """Small in every way, but declares a sheet of a million rows by 16,384 columns."""
    return xlsx_by_hand([], "A1:XFD1048576")


def shift_jis_csv() -> bytes:
    """A return saved by a Japanese-locale Excel: Shift-JIS, neither UTF-8 nor Windows-1252."""
    rows = clean_rows(2)
    rows[0]["Provider name"] = "東京特別支援学校"
    return as_csv(rows).decode("utf-8-sig").encode("shift_jis")
