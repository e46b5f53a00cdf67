"""The specialist supplier directory, from the DfE GIAS "all establishment data" extract.

`read_extract` reads the CSV exactly as GIAS publishes it (Windows-1252, or UTF-8 with a BOM)
and refuses a file without the columns the directory needs, with no establishments, or cut short
(its last line has fewer fields than the header, or ends inside a quoted field): a truncated
download must never replace the directory. `supplier_directory` keeps open
special schools (state-funded, non-maintained, independent special) and schools with an SEN unit
or resourced provision, with need codes, phases, places free and map coordinates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from analytics.errors import UnexpectedLayout
from analytics.gias_format import (
    DIRECTORY_COLUMNS,
    OPEN_STATUSES,
    SEN_COLUMNS,
    SEN_NEEDS,
    SPECIAL_TYPES,
)

USED = (
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentName",
    "TypeOfEstablishment (code)",
    "TypeOfEstablishment (name)",
    "EstablishmentStatus (name)",
    "StatutoryLowAge",
    "StatutoryHighAge",
    "SchoolCapacity",
    "NumberOfPupils",
    *SEN_COLUMNS,
    "TypeOfResourcedProvision (name)",
    "ResourcedProvisionOnRoll",
    "ResourcedProvisionCapacity",
    "SenUnitOnRoll",
    "SenUnitCapacity",
    "OfstedRating (name)",
    "Postcode",
    "SchoolWebsite",
    "Easting",
    "Northing",
)
PHASES = ("early years", "primary", "secondary", "post-16")
MAINSTREAM = "mainstream with SEN unit or resourced provision"


def read_extract(source: Path | bytes, name: str = "") -> pd.DataFrame:
    """The extract as text columns; UnexpectedLayout if unreadable or missing what is used."""
    raw = source.read_bytes() if isinstance(source, Path) else source
    name = name or (source.name if isinstance(source, Path) else "the file")
    if b"\x00" in raw[:4096]:
        raise UnexpectedLayout(f"{name} is not a CSV text file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="strict") if _cp1252_ok(raw) else ""
        if not text:
            raise UnexpectedLayout(f"{name} is neither UTF-8 nor Windows-1252 text") from None
    _refuse_cut_short(text, name)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise UnexpectedLayout(f"{name} is not a readable CSV file: {error}") from error
    missing = [c for c in USED if c not in frame.columns]
    if missing:
        raise UnexpectedLayout(
            f"{name} is not a GIAS establishment extract: missing {', '.join(missing)}"
        )
    if frame.empty:
        raise UnexpectedLayout(f"{name} has a header but no establishments: it looks cut short")
    return frame


CUT_SHORT = "it looks cut short (download it again from GIAS)"


def _refuse_cut_short(text: str, name: str) -> None:
    """Refuse a file whose end was lost: a quote left open at the end of the file, or a last
    line with fewer fields than the header. Looks at the header and the last line only, so a
    60 MB extract costs no second parse."""
    if text.count('"') % 2:
        raise UnexpectedLayout(f"{name} ends inside a quoted field: {CUT_SHORT}")
    body = text.rstrip("\r\n")
    header_end = body.find("\n")
    if header_end < 0:
        return  # the header alone: no rows (refused once read) or no columns (refused then)
    last = body[body.rfind("\n") + 1 :]
    if last.count('"') % 2:
        return  # the end of a quoted field that spans lines: its record began further up
    header = next(csv.reader([body[:header_end].rstrip("\r")]))
    fields = next(csv.reader([last]), [])
    if len(fields) < len(header):
        raise UnexpectedLayout(
            f"{name} ends in the middle of a line (its last line has {len(fields)} of "
            f"{len(header)} fields): {CUT_SHORT}"
        )


def _cp1252_ok(raw: bytes) -> bool:
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _number(column: pd.Series) -> pd.Series:
    return pd.to_numeric(column.str.strip().replace("", None), errors="coerce")


def phases_for(low: float, high: float) -> tuple[str, ...]:
    """Phases a statutory age range covers: early years (under 5), primary (5 to 11), secondary
    (11 to 16), post-16. The high age is the age pupils leave at: 4-11 is not secondary."""
    if pd.isna(low) or pd.isna(high):
        return ()
    found = []
    if low < 5:
        found.append("early years")
    if low < 11 and high > 5:
        found.append("primary")
    if low < 16 and high > 11:
        found.append("secondary")
    if high > 16:
        found.append("post-16")
    return tuple(found)


def needs_for(names: Iterable[str]) -> tuple[str, ...]:
    codes = [SEN_NEEDS[n.strip()] for n in names if n.strip() in SEN_NEEDS]
    return tuple(dict.fromkeys(codes))


def supplier_directory(extract: pd.DataFrame) -> pd.DataFrame:
    """Open special schools and schools with SEN units or resourced provision, one row each."""
    frame = extract[extract["EstablishmentStatus (name)"].isin(OPEN_STATUSES)]
    type_code = frame["TypeOfEstablishment (code)"].str.strip()
    unit_numbers = sum(
        _number(frame[c]).fillna(0)
        for c in (
            "ResourcedProvisionOnRoll",
            "ResourcedProvisionCapacity",
            "SenUnitOnRoll",
            "SenUnitCapacity",
        )
    )
    provision = frame["TypeOfResourcedProvision (name)"].str.strip()
    has_unit = (unit_numbers > 0) | (~provision.isin(["", "Not applicable", "Not Applicable"]))
    frame = frame[type_code.isin(list(SPECIAL_TYPES)) | has_unit]
    type_code = frame["TypeOfEstablishment (code)"].str.strip()
    low, high = _number(frame["StatutoryLowAge"]), _number(frame["StatutoryHighAge"])
    capacity, pupils = _number(frame["SchoolCapacity"]), _number(frame["NumberOfPupils"])
    directory = pd.DataFrame(
        {
            "urn": frame["URN"].str.strip(),
            "name": frame["EstablishmentName"].str.strip(),
            "type": frame["TypeOfEstablishment (name)"].str.strip(),
            "sector": type_code.map(SPECIAL_TYPES).fillna(MAINSTREAM),
            "la_code": frame["LA (code)"].str.strip(),
            "la_name": frame["LA (name)"].str.strip(),
            "low_age": low,
            "high_age": high,
            "phases": [phases_for(a, b) for a, b in zip(low, high, strict=True)],
            "needs": [needs_for(row) for row in frame[list(SEN_COLUMNS)].itertuples(index=False)],
            "capacity": capacity,
            "pupils": pupils,
            "places_free": capacity - pupils,
            "ofsted": frame["OfstedRating (name)"].str.strip(),
            "postcode": frame["Postcode"].str.strip(),
            "website": frame["SchoolWebsite"].str.strip(),
            "easting": _number(frame["Easting"]),
            "northing": _number(frame["Northing"]),
        }
    )
    return directory.drop_duplicates("urn").reset_index(drop=True)


def borough_centroids(directory: pd.DataFrame) -> pd.DataFrame:
    """Each authority's centre, from its schools' Easting/Northing (British National Grid, m)."""
    located = directory.dropna(subset=["easting", "northing"])
    return located.groupby("la_code")[["easting", "northing"]].mean()


def directory_records(directory: pd.DataFrame) -> list[dict[str, object]]:
    """The directory as plain records for storage (phases and needs `;`-joined, NaN as None)."""
    frame = directory.drop(columns=["places_free"]).astype(object)
    frame["phases"] = directory["phases"].map(";".join)
    frame["needs"] = directory["needs"].map(";".join)
    frame = frame.where(frame.notna(), None)
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def directory_from_records(records: list[dict[str, object]]) -> pd.DataFrame:
    """Back from storage: the frame `supplier_directory` makes."""
    frame = pd.DataFrame.from_records(records, columns=list(DIRECTORY_COLUMNS))
    for column in ("low_age", "high_age", "capacity", "pupils", "easting", "northing"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    frame["phases"] = frame["phases"].map(lambda text: tuple(p for p in str(text).split(";") if p))
    frame["needs"] = frame["needs"].map(lambda text: tuple(n for n in str(text).split(";") if n))
    frame["places_free"] = frame["capacity"] - frame["pupils"]
    return frame
