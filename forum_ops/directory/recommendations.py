"""The tracker of the 17 recommendations of "SEND Commissioning in London", which the forum's
draft Terms of Reference embed: each has a status, a RAG rating, the next step and evidence
links, kept by the secretariat from a card or a CSV. Where the assistant itself holds evidence
it is shown beside the status (recommendation 5: directory entries; 13: boroughs with an INMSS
return for the period; 14: supplier look-ups; 2 and 4: asks and best-practice entries).

The short titles, themes and leads below are ours, written to recognise each recommendation by;
the secretariat corrects them from the CSV (`forumbot recommendations import`), which may set
every column.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from analytics.quarters import Quarter
from analytics.spreadsheet_safety import csv_bytes
from cards.views.common import LONDON
from cards.views.directory import Kind, Progress, Rag, Recommendation, Tracker
from forum_ops.csv_files import Checked, CsvFile
from forum_ops.db import Database
from forum_ops.db.schema import AskRow, PlacementRow, RecommendationRow
from forum_ops.directory.entries import is_web_link
from forum_ops.directory.service import directory_counts
from forum_ops.directory.tracker import (
    CSV_COLUMNS,
    LEADS,
    MAX_EVIDENCE_LINKS,
    MAX_NEXT_STEP,
    RECOMMENDATIONS,
    Evidence,
)
from forum_ops.errors import ForumError, NotAllowed, Problem
from forum_ops.members.model import Member
from forum_ops.ports import Clock
from forum_ops.usage import SUPPLIER_LOOKUP, uses


def boroughs_with_return(session: Session, period: str) -> int:
    found = session.scalar(
        select(func.count(distinct(PlacementRow.borough))).where(PlacementRow.period == period)
    )
    return int(found or 0)


def period_with_returns(session: Session, period: str) -> str:
    """The INMSS period figures about returns should speak of: `period` when a borough has a
    return for it, else the latest earlier period with returns (a year's returns come in
    during it, so early on the latest complete picture is the year before), else `period`."""
    latest = session.scalar(
        select(func.max(PlacementRow.period)).where(PlacementRow.period <= period)
    )
    return str(latest) if latest else period


def evidence(session: Session, today: date, period: str) -> Evidence:
    kinds = directory_counts(session)
    applies = period_with_returns(session, period)
    earlier = (applies, boroughs_with_return(session, applies)) if applies != period else None
    return Evidence(
        networks=kinds[Kind.FORMAL_NETWORK] + kinds[Kind.INFORMAL_NETWORK],
        entries=sum(kinds.values()),
        best_practice=kinds[Kind.BEST_PRACTICE],
        boroughs_with_return=boroughs_with_return(session, period),
        period=period,
        supplier_lookups=uses(
            session, SUPPLIER_LOOKUP, today - timedelta(days=90), today + timedelta(days=1)
        ),
        asks=_asks_held(session, today),
        earlier=earlier,
    )


def _asks_held(session: Session, today: date) -> str:
    """The round robin's last 90 days, as the tracker shows it beside recommendations 2 and 4
    (counted as `asks report` counts them: asked in the window; answered, a first reply)."""
    since = datetime.combine(today - timedelta(days=90), time(0), tzinfo=UTC)
    asked, answered = session.execute(
        select(func.count(), func.count(AskRow.first_reply_at)).where(
            AskRow.created_at >= since, AskRow.created_at < since + timedelta(days=91)
        )
    ).one()
    return f"{asked} in the last 90 days, {answered} of them answered"


def _ensure(session: Session, now: datetime) -> dict[int, RecommendationRow]:
    """The 17 rows, created (not started, red) the first time the tracker is read."""
    rows = {row.number: row for row in session.scalars(select(RecommendationRow))}
    missing = [n for n in RECOMMENDATIONS if n not in rows]
    if missing:
        try:
            with session.begin_nested():
                for n in missing:
                    title, theme, lead = RECOMMENDATIONS[n]
                    row = RecommendationRow(
                        number=n, title=title, theme=theme, lead=lead,
                        status=Progress.NOT_STARTED.value, rag=Rag.RED.value, next_step="",
                        evidence="", updated_by="", updated_at=now,
                    )  # fmt: skip
                    session.add(row)
                    rows[n] = row
        except IntegrityError:  # another replica created them first
            rows = {row.number: row for row in session.scalars(select(RecommendationRow))}
    return rows


def _recommendation(row: RecommendationRow, held: Evidence) -> Recommendation:
    return Recommendation(
        row.number, row.title, row.theme, row.lead, Progress(row.status), Rag(row.rag),
        row.next_step, tuple(link for link in row.evidence.splitlines() if link),
        held.held(row.number),
    )  # fmt: skip


def tracker_in(session: Session, now: datetime, period: str) -> Tracker:
    rows = _ensure(session, now)
    held = evidence(session, now.astimezone(LONDON).date(), period)
    return Tracker(tuple(_recommendation(rows[n], held) for n in sorted(rows)), period)


def current_period(now: datetime) -> str:
    return Quarter.of(now.astimezone(LONDON).date()).period


def show_tracker(db: Database, clock: Clock) -> Tracker:
    now = clock.now()
    with db.transaction() as session:
        return tracker_in(session, now, current_period(now))


@dataclass(frozen=True)
class Update:
    """The secretariat's change to one recommendation (None: leave as it is)."""

    number: int
    status: Progress | None = None
    rag: Rag | None = None
    next_step: str | None = None
    evidence: tuple[str, ...] | None = None
    title: str | None = None
    theme: str | None = None
    lead: str | None = None


def _choice(enum: Callable[[str], Progress | Rag], text: str) -> Progress | Rag | None:
    try:
        return enum(text.strip().casefold().replace("_", " "))
    except ValueError:
        return None


def check_update(
    number: object, values: Mapping[str, object]
) -> tuple[Update | None, list[Problem]]:
    problems: list[Problem] = []
    n = 0
    if isinstance(number, int) and not isinstance(number, bool):
        n = number
    elif isinstance(number, str) and number.strip().isdigit() and len(number.strip()) < 4:
        n = int(number)
    if n not in RECOMMENDATIONS:
        return None, [Problem(0, "number", "must be a recommendation number from 1 to 17")]

    def text(field: str, limit: int) -> str | None:
        value = values.get(field)
        if value is None:
            return None
        if not isinstance(value, str):
            problems.append(Problem(0, field, "must be text"))
            return None
        if len(value.strip()) > limit:
            problems.append(Problem(0, field, f"is longer than {limit} characters"))
        return value.strip()

    status_text, rag_text = text("status", 20), text("rag", 10)
    status = _choice(Progress, status_text) if status_text else None
    rag = _choice(Rag, rag_text) if rag_text else None
    if status_text and status is None:
        problems.append(Problem(0, "status", "must be one of: " + ", ".join(Progress)))
    if rag_text and rag is None:
        problems.append(Problem(0, "rag", "must be red, amber or green"))
    links_text = text("evidence", 5000)
    links: tuple[str, ...] | None = None
    if links_text is not None:
        links = tuple(dict.fromkeys(w for w in links_text.replace(";", " ").split() if w))
        bad = [link for link in links if not is_web_link(link)]
        if bad:
            problems.append(Problem(0, "evidence", "links must start http:// or https://"))
        if len(links) > MAX_EVIDENCE_LINKS:
            problems.append(Problem(0, "evidence", f"at most {MAX_EVIDENCE_LINKS} links"))
    lead = text("lead", 60)
    if lead and lead not in LEADS:
        problems.append(Problem(0, "lead", "must be one of: " + ", ".join(LEADS)))
    title, theme = text("title", 200), text("theme", 100)
    if title == "":
        problems.append(Problem(0, "title", "is empty"))
    update = Update(
        n, status if isinstance(status, Progress) else None, rag if isinstance(rag, Rag) else None,
        text("next_step", MAX_NEXT_STEP), links, title or None, theme or None, lead or None,
    )  # fmt: skip
    return (None, problems) if problems else (update, [])


def _apply(row: RecommendationRow, update: Update, who: str, now: datetime) -> None:
    for field in ("status", "rag", "next_step", "title", "theme", "lead"):
        value = getattr(update, field)
        if value is not None:
            setattr(row, field, str(value))
    if update.evidence is not None:
        row.evidence = "\n".join(update.evidence)
    row.updated_by, row.updated_at = who, now


def update_recommendation(
    db: Database, clock: Clock, member: Member, number: object, values: Mapping[str, object]
) -> Recommendation:
    """The secretariat's edit from the card."""
    if not member.is_secretariat:
        raise NotAllowed("Only the forum's secretariat can update the recommendations tracker.")
    update, problems = check_update(number, values)
    if update is None:
        raise ForumError(
            "Nothing was changed: " + "; ".join(f"{p.column} {p.reason}" for p in problems)
        )
    now = clock.now()
    with db.transaction() as session:
        rows = _ensure(session, now)
        _apply(rows[update.number], update, member.aad_object_id, now)
        session.flush()
        return tracker_in(session, now, current_period(now)).number(update.number)


def _check_tracker_line(values: Mapping[str, str]) -> Checked[Update]:
    return check_update(
        values.get("number", ""), {k: v for k, v in values.items() if k != "number"}
    )


TRACKER_FILE = CsvFile(
    "The tracker file",
    ("number",),
    _check_tracker_line,
    allowed=CSV_COLUMNS,
    key=lambda value: int(value["number"]) if value.get("number", "").isdigit() else None,
    key_column="number",
)


def import_tracker(db: Database, text: str, now: datetime, who: str = "cli") -> int:
    """Update recommendations from a CSV (`number` and any other columns); all or nothing."""
    updates = TRACKER_FILE.read(text)
    with db.transaction() as session:
        rows = _ensure(session, now)
        for update in updates:
            _apply(rows[update.number], update, who, now)
    return len(updates)


def export_tracker(db: Database, now: datetime) -> bytes:
    with db.transaction() as session:
        tracker = tracker_in(session, now, current_period(now))
    return csv_bytes(
        CSV_COLUMNS,
        [
            [r.number, r.title, r.theme, r.lead, r.status.value, r.rag.value, r.next_step,
             " ".join(r.evidence)]
            for r in tracker.recommendations
        ],
    )  # fmt: skip
