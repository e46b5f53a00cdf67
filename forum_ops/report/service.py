"""The quarterly report to the ALDCS SEND Steering Group (via LIIA), for the secretariat.

`produce_report` gathers a quarter's figures from the database (`quarter_figures`), writes them
as sections (one small function each, taking only the figures it needs), and returns an editable
Word document, the same figures as an Excel workbook, and the summary the card shows.

Meetings, asks and ToR ratifications are other features': `meeting_figures`, `ask_figures` and
`ratification_figures` below call each feature's own function
(forum_ops.meetings.service.meeting_figures, forum_ops.asks.service.ask_figures, forum_ops.tor.service.
ratification_figures) and map it onto the dataclass its section takes.

INMSS figures follow the benchmarks' disclosure control: counts about boroughs are whole-London
or per sub-region (published as multiples of 5 with the cell key, "<5" below 5), and a price is
shown only where the benchmarks would show it; a withheld one says why, never the figure.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics.benchmark_filters import Filters
from analytics.benchmarks import cost_table
from analytics.charts import grouped_bar_chart
from analytics.disclosure import Rules, published_count
from analytics.quarters import Quarter
from analytics.report_document import Chart, Section, Table, word_document, workbook
from cards.views.common import LONDON, FileOffer
from cards.views.directory import Kind, Status, Tracker
from forum_ops.benchmarks.placements import GEOGRAPHY
from forum_ops.db import Database
from forum_ops.db.schema import (
    AskRow,
    DirectoryEntryRow,
    MemberRow,
    OrganisationRow,
    ReturnSubmissionRow,
)
from forum_ops.directory.recommendations import period_with_returns, tracker_in
from forum_ops.directory.service import unchecked_count
from forum_ops.errors import ForumError, NotAllowed, NotReachable
from forum_ops.members.model import Member, Role
from forum_ops.members.reference import LOCAL_AUTHORITIES
from forum_ops.ports import Clock, Delivery, RenderedCard
from forum_ops.report_files import offer_file_in
from forum_ops.returns.releases import COLUMNS, release_rows, releases
from forum_ops.scheduler import JobRun
from forum_ops.usage import SUPPLIER_LOOKUP, uses_by_month

log = logging.getLogger(__name__)
TITLE = "Pan-London SEND Commissioning Forum: quarterly report to the ALDCS SEND Steering Group"
SUBREGIONS = ("North Central", "North East", "North West", "South East", "South West")


# --- the other features' figures --------------------------------------------------------------


@dataclass(frozen=True)
class MeetingFigures:
    held: int  # meetings of the quarter that have started by the report's date, not cancelled
    themes: tuple[str, ...]
    chairs: tuple[str, ...]
    attendance: tuple[tuple[str, int], ...]  # organisation, attendees over the quarter
    attendance_source: str  # "Microsoft Graph attendance reports" or "as recorded by the chair"
    takeaways_published: int
    by_month: Mapping[str, int] = field(default_factory=dict)  # "2026-01" -> meetings held
    to_come: tuple[date, ...] = ()  # the quarter's meetings still to come at the report's date


@dataclass(frozen=True)
class AskFigures:
    opened: int
    answered_within_2_working_days: int
    median_hours_to_first_reply: float | None
    organisations_helping: tuple[str, ...]
    organisations_helped: tuple[str, ...]
    by_month: Mapping[str, int] = field(default_factory=dict)  # "2026-01" -> asks opened


@dataclass(frozen=True)
class RatificationFigures:
    results: tuple[tuple[str, str], ...]  # (ToR version, result as a sentence)


def meeting_figures(session: Session, start: date, end: date, now: datetime) -> MeetingFigures:
    """The forward plan's meetings in the quarter (forum_ops.meetings.service) held by `now` (started,
    not cancelled), their themes, the organisations that chaired them and the takeaways
    published; and those of the quarter still to come (a report on the current quarter)."""
    from forum_ops.meetings.service import meeting_figures as planned

    found = planned(session, start, end - timedelta(days=1))  # its end day is inclusive
    kept = [m for m in found.meetings if m.status != "cancelled"]
    held = [m for m in kept if m.starts_at is None or m.starts_at <= now]
    return MeetingFigures(
        held=len(held),
        themes=tuple(m.theme for m in held if m.theme),
        chairs=tuple(dict.fromkeys(m.chair_organisation for m in held if m.chair_organisation)),
        attendance=(),
        attendance_source="not recorded: the assistant does not read Teams attendance reports",
        takeaways_published=found.takeaways,
        by_month=dict(Counter(f"{m.day:%Y-%m}" for m in held)),
        to_come=tuple(m.day for m in kept if m not in held),
    )


def ask_figures(session: Session, start: date, end: date) -> AskFigures:
    """The round robin's figures for asks made in the quarter (forum_ops.asks.service), with how many
    had a first reply within 2 working days of being asked, and who helped whom."""
    from forum_ops.asks.service import ask_figures as round_robin_figures
    from forum_ops.working_days import after_working_days

    since, until = _instant(start), _instant(end)
    figures = round_robin_figures(session, since, until)
    asked = session.execute(
        select(AskRow.created_at, AskRow.first_reply_at, AskRow.organisation_code).where(
            AskRow.created_at >= since, AskRow.created_at < until
        )
    ).all()
    names = dict(session.execute(select(OrganisationRow.code, OrganisationRow.name)).all())
    in_time = sum(
        1
        for created, first, _org in asked
        if first is not None and first <= after_working_days(created.astimezone(LONDON), 2)
    )
    wait = figures.median_first_reply
    return AskFigures(
        figures.asks,
        in_time,
        None if wait is None else wait.total_seconds() / 3600,
        tuple(sorted(load.name for load in figures.by_organisation if load.replied)),
        tuple(sorted({names.get(org, org) for _c, _f, org in asked})),
        dict(Counter(f"{created.astimezone(LONDON):%Y-%m}" for created, _f, _o in asked)),
    )


def ratification_figures(session: Session, start: date, end: date) -> RatificationFigures:
    """The ToR's ratification in the quarter (forum_ops.tor.service): the latest one's state and tally."""
    from forum_ops.tor.service import ratification_figures as tor_figures

    tor = tor_figures(session, _instant(start), _instant(end))
    if tor.latest_version is None or not (tor.ratifications_opened or tor.ratifications_closed):
        return RatificationFigures(())
    tally = (
        f"{tor.voted} of 33 boroughs voted: {tor.approve} approve, {tor.amend} approve with "
        f"amendments, {tor.abstain} abstain"
    )
    if tor.latest_status == "open" and tor.deadline is not None:
        deadline = tor.deadline.astimezone(LONDON)
        state = f"open until {deadline:%A} {deadline.day} {deadline:%B %Y, %H:%M}; {tally}"
    else:
        state = f"{tor.latest_status}; {tally}"
    return RatificationFigures(((f"Version {tor.latest_version}", state),))


# --- this feature's own figures ---------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryFigures:
    added: int  # approved entries created in the quarter
    total: int
    networks: int
    best_practice: int
    unchecked: int  # approved entries not checked for 12 months (at the report's date)


@dataclass(frozen=True)
class SubregionCoverage:
    subregion: str
    boroughs: int
    with_return: int
    placements: str  # published: a multiple of 5, or "<5"


@dataclass(frozen=True)
class Coverage:
    period: str  # the period the figures are for: the quarter's, or the latest with returns
    boroughs_with_return: int
    placements: str  # published, London-wide
    by_subregion: tuple[SubregionCoverage, ...]
    # (need or "All placements", count, median in pounds or why it is withheld)
    headline: tuple[tuple[str, str, str | float], ...]
    asked: str = ""  # the quarter's own period, when it has no returns yet and `period` is earlier
    released: date | None = None  # the release the figures come from (None: none by the end)

    @property
    def summary(self) -> str:
        said = f"{self.boroughs_with_return} of 33 boroughs for {self.period}"
        return f"{said} (none yet for {self.asked})" if self.asked else said


@dataclass(frozen=True)
class QuarterFigures:
    quarter: Quarter
    meetings: MeetingFigures
    asks: AskFigures
    ratifications: RatificationFigures
    directory: DirectoryFigures
    coverage: Coverage
    tracker: Tracker
    months: tuple[str, ...]  # "2026-01", "2026-02", "2026-03"
    activity: Mapping[str, tuple[int, ...]]  # series name -> one count a month

    @property
    def quiet(self) -> bool:
        """Nothing happened that the assistant records."""
        held, asked, voted = self.meetings.held, self.asks.opened, self.ratifications.results
        return not (held or asked or voted or any(sum(v) for v in self.activity.values()))


def _instant(day: date) -> datetime:
    """Midnight in London at the start of `day`, in UTC: a quarter is London's (an ask made at
    00:30 BST on 1 July is July's, though it is 30 June in UTC)."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def _by_month(values: list[datetime], months: tuple[str, ...]) -> tuple[int, ...]:
    keys = [f"{v.astimezone(LONDON):%Y-%m}" for v in values]
    return tuple(keys.count(m) for m in months)


def directory_figures(session: Session, quarter: Quarter, unchecked: int) -> DirectoryFigures:
    approved = DirectoryEntryRow.status == Status.APPROVED.value
    kinds = dict(
        session.execute(
            select(DirectoryEntryRow.kind, func.count())
            .where(approved)
            .group_by(DirectoryEntryRow.kind)
        ).all()
    )
    added = session.scalar(
        select(func.count()).where(
            approved,
            DirectoryEntryRow.created_at >= _instant(quarter.start),
            DirectoryEntryRow.created_at < _instant(quarter.end),
        )
    )
    return DirectoryFigures(
        int(added or 0),
        int(sum(kinds.values())),
        int(kinds.get(Kind.FORMAL_NETWORK.value, 0) + kinds.get(Kind.INFORMAL_NETWORK.value, 0)),
        int(kinds.get(Kind.BEST_PRACTICE.value, 0)),
        unchecked,
    )


def coverage(
    session: Session, period: str, rules: Rules, before: datetime, asked: str = ""
) -> Coverage:
    """Boroughs in the period's last release cut before `before` (the quarter's end: the report
    reads the release of its quarter, DOMAIN rule 10), placements (published), by sub-region,
    and the cost per placement headline as the benchmarks show it."""
    cut = releases(session, period, before)
    frame = release_rows(session, cut[0].id) if cut else pd.DataFrame(columns=[*COLUMNS, "period"])
    subregion = {la.code: str(la.subregion) for la in LOCAL_AUTHORITIES}
    keyed = frame.assign(subregion=frame["borough"].map(subregion))
    boroughs = set(keyed["borough"])

    def publish(rows: pd.DataFrame) -> str:
        return published_count(len(rows), int(rows["record_key"].sum()), rules)

    by_subregion = tuple(
        SubregionCoverage(
            name,
            sum(1 for la in LOCAL_AUTHORITIES if la.subregion == name),
            sum(1 for code in boroughs if subregion.get(code) == name),
            publish(keyed[keyed["subregion"] == name]),
        )
        for name in SUBREGIONS
    )
    headline: list[tuple[str, str, str | float]] = []
    if len(frame):
        table = cost_table(frame, Filters(period), "primary_need", GEOGRAPHY, rules, True)
        for cell in [*([table.total] if table.total else []), *table.cells]:
            label = "All placements" if cell is table.total else cell.key
            shown = cell.median if not cell.refused and cell.median is not None else None
            headline.append(
                (label, cell.count, f"withheld ({cell.refused})" if shown is None else shown)
            )
    return Coverage(
        period, len(boroughs), publish(keyed), by_subregion, tuple(headline),
        asked if asked != period else "", cut[0].released_at.date() if cut else None,
    )  # fmt: skip


def quarter_figures(
    session: Session, quarter: Quarter, rules: Rules, now: datetime, unchecked: int
) -> QuarterFigures:
    start, end = quarter.start, quarter.end
    months = tuple(f"{m:%Y-%m}" for m in quarter.months)
    meetings, asks = meeting_figures(session, start, end, now), ask_figures(session, start, end)
    entries = list(
        session.scalars(
            select(DirectoryEntryRow.created_at).where(
                DirectoryEntryRow.status == Status.APPROVED.value,
                DirectoryEntryRow.created_at >= _instant(start),
                DirectoryEntryRow.created_at < _instant(end),
            )
        )
    )
    returns = list(
        session.scalars(
            select(ReturnSubmissionRow.submitted_at).where(
                ReturnSubmissionRow.outcome == "imported",
                ReturnSubmissionRow.submitted_at >= _instant(start),
                ReturnSubmissionRow.submitted_at < _instant(end),
            )
        )
    )
    lookups = uses_by_month(session, SUPPLIER_LOOKUP, start, end)
    activity: dict[str, tuple[int, ...]] = {
        "Meetings held": tuple(meetings.by_month.get(m, 0) for m in months),
        "Asks opened": tuple(asks.by_month.get(m, 0) for m in months),
    }
    activity["Supplier look-ups"] = tuple(lookups.get(m, 0) for m in months)
    activity["INMSS returns received"] = _by_month(returns, months)
    activity["Directory entries added"] = _by_month(entries, months)
    return QuarterFigures(
        quarter, meetings, asks, ratification_figures(session, start, end),
        directory_figures(session, quarter, unchecked),
        coverage(
            session, period_with_returns(session, quarter.period), rules, _instant(end),
            quarter.period,
        ),
        tracker_in(session, now, quarter.period), months, activity,
    )  # fmt: skip


# --- sections: each takes only the figures it shows --------------------------------------------


def _count(n: int, one: str, many: str = "") -> str:
    """A count with its noun, as a person writes it: "1 meeting", "2 meetings"."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _number(published: str) -> int | str:
    """A published count as a number for the workbook ("1,200" -> 1200); "<5" stays text."""
    digits = published.replace(",", "")
    return int(digits) if digits.isdigit() else published


def summary_section(figures: QuarterFigures) -> Section:
    q = figures.quarter
    lines = [
        f"This report covers {q.title}. LIIA may edit it before sending it to the "
        "ALDCS SEND Steering Group; its figures are also in the Excel workbook beside it.",
    ]
    if figures.quiet:
        lines.append("No activity was recorded by the assistant in this quarter.")
    done = sum(1 for r in figures.tracker.recommendations if r.status.value == "done")
    going = sum(1 for r in figures.tracker.recommendations if r.status.value == "in progress")
    lines.append(f"Of the report's 17 recommendations, {done} are done and {going} in progress.")
    return Section("Summary", tuple(lines))


def meetings_section(figures: MeetingFigures) -> Section:
    title = "Meetings"
    later = ""
    if figures.to_come:
        days = ", ".join(_day(d) for d in figures.to_come)
        more = _count(len(figures.to_come), "more meeting", "more meetings")
        later = f"{more} to come in the quarter: {days}."
    if not figures.held:
        if later:
            return Section(title, (f"No meeting has been held in this quarter yet; {later}",))
        return Section(title, ("No meetings were held in this quarter.",))
    lines = (
        f"{_count(figures.held, 'meeting')} held; "
        f"{_count(figures.takeaways_published, 'takeaway')} published."
        + (f" {later[0].upper()}{later[1:]}" if later else ""),
        ("Themes: " + "; ".join(figures.themes) + ".") if figures.themes else "No themes were set.",
        "Chaired by: " + (", ".join(figures.chairs) or "not recorded") + ".",
    )
    if not figures.attendance:
        return Section(title, (*lines, f"Attendance: {figures.attendance_source}."))
    attendance = Table(
        "Attendance by organisation", ("Organisation", "Attendees"),
        tuple((org, n) for org, n in figures.attendance), f"Source: {figures.attendance_source}.",
        sheet="Attendance",
    )  # fmt: skip
    return Section(title, lines, (attendance,))


def asks_section(figures: AskFigures) -> Section:
    title = "Asks between meetings"
    if not figures.opened:
        return Section(title, ("No asks were opened in this quarter.",))
    median = (
        "no replies yet" if figures.median_hours_to_first_reply is None
        else f"{figures.median_hours_to_first_reply:.1f} hours"
    )  # fmt: skip
    return Section(
        title,
        (
            f"{_count(figures.opened, 'ask')} opened; {figures.answered_within_2_working_days} "
            f"answered within 2 working days; median time to first reply {median}.",
            f"Organisations helping: {len(figures.organisations_helping)}; organisations "
            f"helped: {len(figures.organisations_helped)}.",
        ),
        (
            Table("Organisations helping", ("Organisation",), tuple((o,) for o in figures.organisations_helping)),
            Table("Organisations helped", ("Organisation",), tuple((o,) for o in figures.organisations_helped)),
        ),
    )  # fmt: skip


def ratification_section(figures: RatificationFigures) -> Section:
    title = "Terms of Reference"
    if not figures.results:
        return Section(title, ("No ToR version was put to the forum in this quarter.",))
    return Section(
        title, (),
        (Table("ToR versions and ratification", ("Version", "Result"), figures.results, sheet="ToR ratification"),),
    )  # fmt: skip


def directory_section(figures: DirectoryFigures) -> Section:
    return Section(
        "Directory of networks and best practice",
        (
            f"Entries in the directory: {figures.total} (networks: {figures.networks}, "
            f"best-practice examples: {figures.best_practice}); added this quarter: "
            f"{figures.added}.",
            f"Entries not checked for 12 months: {figures.unchecked}.",
        ),
    )


def coverage_section(figures: Coverage) -> Section:
    said = (
        f"{figures.boroughs_with_return} of 33 boroughs have an INMSS return for {figures.period}, "
        f"with {figures.placements} placements."
    )
    if figures.asked:
        said = (
            f"No borough has sent an INMSS return for {figures.asked} yet, so the figures below "
            f"are for {figures.period}, the latest year with returns: {said}"
        )
    source = (
        f"The figures are London's as released on {figures.released.day} "
        f"{figures.released:%B %Y}, the last release "
        "before the quarter ended."
        if figures.released
        else "No release of London's figures had been made by the end of the quarter."
    )
    lines = [
        said,
        source,
        'Counts are rounded to a multiple of 5 ("<5" below 5); a price is withheld where the '
        "benchmarks' disclosure control would withhold it.",
    ]
    tables = [
        Table(
            f"INMSS returns by sub-region, {figures.period}",
            ("Sub-region", "Boroughs", "Boroughs with a return", "Placements"),
            tuple(
                (s.subregion, s.boroughs, s.with_return, _number(s.placements))
                for s in figures.by_subregion
            ),
            sheet=f"Returns {figures.period}",
        )
    ]
    if figures.headline:
        tables.append(
            Table(
                f"Cost per placement by primary need, London, {figures.period}",
                ("Primary need", "Placements", "Median annual cost"),
                tuple((need, _number(n), cost) for need, n, cost in figures.headline),
                sheet=f"Cost per placement {figures.period}",
                formats=("", "#,##0", "£#,##0"),
            )
        )
    chart = Chart(
        f"INMSS return coverage by sub-region, {figures.period}",
        grouped_bar_chart(
            [s.subregion for s in figures.by_subregion],
            {"Boroughs": [s.boroughs for s in figures.by_subregion],
             "Boroughs with a return": [s.with_return for s in figures.by_subregion]},
            f"INMSS return coverage by sub-region, {figures.period}", "Sub-region", "Boroughs",
        ),
        "Bars compare each sub-region's boroughs with those that have sent a return.",
    )  # fmt: skip
    return Section("INMSS returns and benchmarks", tuple(lines), tuple(tables), (chart,))


def activity_section(months: tuple[str, ...], activity: Mapping[str, tuple[int, ...]]) -> Section:
    labels = [f"{date(int(m[:4]), int(m[5:]), 1):%B %Y}" for m in months]
    table = Table(
        "Activity by month", ("Activity", *labels),
        tuple((name, *values) for name, values in activity.items()),
        sheet="Activity by month", chart="Activity by month",
    )  # fmt: skip
    chart = Chart(
        "Activity by month",
        grouped_bar_chart(
            [label.split()[0] for label in labels],
            {name: [float(v) for v in values] for name, values in activity.items()},
            "Activity by month",
            "Month",
            "Count",
        ),
        "Bars show each month's count of each activity the assistant records.",
    )
    return Section("Activity by month", (), (table,), (chart,))


def tracker_section(tracker: Tracker) -> Section:
    rows = tuple(
        (r.number, r.title, r.lead, r.status.value, r.rag.value.upper(), r.next_step,
         r.held, " ".join(r.evidence))
        for r in tracker.recommendations
    )  # fmt: skip
    return Section(
        "Recommendations tracker",
        ("The 17 recommendations of \"SEND Commissioning in London\", which the forum embeds.",),
        (Table("Recommendations", ("No.", "Recommendation", "Lead", "Status", "RAG",
                                   "Next step", "Held by the assistant", "Evidence"), rows,
               sheet="Recommendations"),),
    )  # fmt: skip


def sections(figures: QuarterFigures) -> list[Section]:
    return [
        summary_section(figures),
        meetings_section(figures.meetings),
        asks_section(figures.asks),
        ratification_section(figures.ratifications),
        activity_section(figures.months, figures.activity),
        coverage_section(figures.coverage),
        directory_section(figures.directory),
        tracker_section(figures.tracker),
    ]


# --- the unit of work ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuarterlyReport:
    figures: QuarterFigures
    docx: bytes
    xlsx: bytes

    @property
    def stem(self) -> str:
        return f"forum-quarterly-report-{self.figures.quarter.slug}"


def offer_report_in(
    session: Session, report: QuarterlyReport, to: str, now: datetime
) -> tuple[FileOffer, FileOffer]:
    """The Word document and the workbook, kept for the member whose AAD object id is `to`
    alone, to be offered to them in their 1:1 chat (forum_ops/report_files.py)."""
    quarter = report.figures.quarter
    again = f"report quarterly {quarter.title}"
    return (
        offer_file_in(
            session, to, f"{report.stem}.docx", report.docx, now,
            description=f"The draft quarterly report on {quarter.title} (Word)", again=again,
        ),
        offer_file_in(
            session, to, f"{report.stem}.xlsx", report.xlsx, now,
            description=f"The quarterly report's figures for {quarter.title} (Excel)", again=again,
        ),
    )  # fmt: skip


def offer_report(
    db: Database, report: QuarterlyReport, to: str, now: datetime
) -> tuple[FileOffer, FileOffer]:
    """As offer_report_in, in a transaction of its own (not a turn's change: kept files)."""
    with db.transaction(effect=False) as session:
        return offer_report_in(session, report, to, now)


def parse_quarter(text: str, today: date) -> Quarter:
    """`2026Q1` or `January to March 2026`; empty: the last complete quarter."""
    if not text.strip():
        return Quarter.of(today).previous()
    quarter = Quarter.parse(text)
    if quarter is None:
        raise ForumError(
            "Say which quarter, for example: report quarterly January to March 2026 (or 2026Q1)"
        )
    if quarter.start > today:
        raise ForumError(f"{quarter.title} has not started yet.")
    return quarter


def produce_report(
    db: Database, clock: Clock, member: Member, quarter_text: str, rules: Rules
) -> QuarterlyReport:
    """The secretariat's report on a quarter: the Word document and the workbook."""
    if not member.is_secretariat:
        raise NotAllowed("Only the forum's secretariat can produce the quarterly report.")
    now = clock.now()
    quarter = parse_quarter(quarter_text, now.astimezone(LONDON).date())
    with db.transaction() as session:
        return build_report(session, quarter, rules, now)


def build_report(
    session: Session, quarter: Quarter, rules: Rules, now: datetime
) -> QuarterlyReport:
    """The report on `quarter` in the caller's transaction (the command's, or the prompt job's)."""
    figures = quarter_figures(session, quarter, rules, now, unchecked_count(session, now))
    parts = sections(figures)
    produced = now.astimezone(LONDON)
    subtitle = (
        f"{quarter.title}. Draft produced {produced.day} {produced:%B %Y} by the forum's assistant."
    )
    return QuarterlyReport(figures, word_document(TITLE, subtitle, parts), workbook(parts))


@dataclass(frozen=True)
class Reports:
    """The quarterly report as one service object, built once by bot/services.py with its
    database, clock and the app's disclosure rules: `services.report.produce(...)`."""

    db: Database
    clock: Clock
    rules: Rules

    def produce(self, member: Member, quarter_text: str) -> QuarterlyReport:
        return produce_report(self.db, self.clock, member, quarter_text, self.rules)

    def offer(self, report: QuarterlyReport, to: str) -> tuple[FileOffer, FileOffer]:
        """The report's files kept for the member `to` alone, to offer beside a card."""
        return offer_report(self.db, report, to, self.clock.now())


def summary_facts(figures: QuarterFigures) -> list[tuple[str, str]]:
    """What the summary card says (and the scheduled prompt's draft), under a title that names
    the quarter."""
    recommendations = figures.tracker.recommendations
    return [
        ("Meetings held", str(figures.meetings.held)),
        ("Asks opened", str(figures.asks.opened)),
        ("INMSS returns", figures.coverage.summary),
        ("Directory", f"{figures.directory.total} {'entry' if figures.directory.total == 1 else 'entries'}, {figures.directory.added} added"),
        ("Recommendations", f"{sum(1 for r in recommendations if r.status.value == 'done')} of {len(recommendations)} done"),
        ("Activity", "none recorded this quarter" if figures.quiet else "see the report"),
    ]  # fmt: skip


# --- the scheduled prompt, two weeks before each quarter's report is due ----------------------


class ReportCards(Protocol):
    """The quarterly report's presenter (cards/directory.py's QuarterlyReportCards): the
    prompt's card, with the report's files offered beside it (Teams file consent cards)."""

    def prompt(
        self, quarter: Quarter, facts: Sequence[tuple[str, str]], files: tuple[FileOffer, ...]
    ) -> RenderedCard: ...


def prompt_quarterly_report(session: Session, run: JobRun, cards: ReportCards) -> None:
    """Tell every member of the secretariat that the report on the quarter just ended is due
    in two weeks, with the draft's figures, and its Word document and workbook offered to each
    of them alone (made with the app's disclosure rules: run.settings). Keyed by quarter and
    member: a rerun sends nothing new."""
    quarter = Quarter.of(run.due_at.astimezone(LONDON).date()).previous()
    report = build_report(session, quarter, run.settings.disclosure(), run.now)
    facts = summary_facts(report.figures)
    unreachable = 0
    for aad in secretariat_ids(session):
        card = cards.prompt(quarter, facts, offer_report_in(session, report, aad, run.now))
        try:
            run.messenger.to_member(
                aad, card, Delivery(f"quarterly-report:{quarter.label}:{aad}", "quarterly-report")
            )
        except NotReachable:  # no chat and no team to open one from: the others still hear
            unreachable += 1
    log.info(
        "quarterly_report.prompted", extra={"quarter": quarter.label, "unreachable": unreachable}
    )


def secretariat_ids(session: Session) -> list[str]:
    rows = session.scalars(select(MemberRow).order_by(MemberRow.aad_object_id))
    return [r.aad_object_id for r in rows if Role.SECRETARIAT.value in r.roles.split(";")]
