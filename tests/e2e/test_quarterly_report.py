"""The quarterly report to the ALDCS SEND Steering Group: with the demo directory and a simulated
quarter of activity, the Word document's figures equal those computed here from the database,
no withheld INMSS figure appears (the time it takes is printed); then in chat and as a job."""

from __future__ import annotations

import io
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook
from sqlalchemy import select

from analytics.benchmark_filters import Filters
from analytics.benchmarks import cost_table
from analytics.disclosure import Rules
from analytics.quarters import Quarter
from analytics.returns_synthetic import synthetic_returns
from bot.testing import BotClient, FakeConnector
from cards import plain_text
from cards.directory import QuarterlyReportCards
from cards.tor import TorCards
from cards.views.tor import Rules as TorRules
from forum_ops.asks.demo import demo_asks
from forum_ops.benchmarks.placements import GEOGRAPHY
from forum_ops.db import Database
from forum_ops.db.schema import (
    AskRow,
    DirectoryEntryRow,
    MeetingRow,
    PlacementRow,
    ReportFileRow,
    ReturnSubmissionRow,
    UsageCountRow,
)
from forum_ops.directory.demo import load_demo_directory
from forum_ops.directory.recommendations import tracker_in
from forum_ops.errors import NotAllowed
from forum_ops.meetings.demo import load_demo_meetings
from forum_ops.members.reference import LOCAL_AUTHORITIES
from forum_ops.outbox.activity import FILE_CONSENT, card_payload, offered_files
from forum_ops.outbox.messaging import OutboxMessenger
from forum_ops.report.service import (
    QuarterlyReport,
    produce_report,
    prompt_quarterly_report,
    summary_facts,
)
from forum_ops.returns.releases import release_now, release_rows, releases
from forum_ops.returns.service import Submission, all_placements, replace_return
from forum_ops.scheduler import JobRun, JobSettings
from forum_ops.tor.demo import load_demo_tor
from forum_ops.tor.service import open_ratification
from forum_ops.usage import SUPPLIER_LOOKUP, record_use
from tests.conftest import CAMDEN, LIIA, NOW, make_settings, serve
from tests.support import chat
from tests.support.cardcheck import assert_valid_card
from tests.support.chat import answer_consent, fetch, file_infos, offered
from tests.support.fakes import FakeClock, FakeMessenger
from tests.support.members import member
from tests.support.outboxing import FAST, place, remember, settled

Q1 = Quarter(2026, 1)
AFTER = datetime(2026, 4, 2, 9, tzinfo=UTC)  # the report is produced after the quarter
RULES = Rules()
MARCH_RELEASE = datetime(2026, 3, 2, 6, tzinfo=UTC)  # the first working day of March
LEFT_OUT = ("201", "204", "318")  # boroughs with no return for 2025-26


def simulate_quarter(db: Database) -> None:
    """Demo directory (added 22 January), returns from 30 boroughs received over January and
    February, and supplier look-ups on days across the quarter (and one outside it)."""
    with db.transaction() as session:
        load_demo_directory(session, NOW)
    boroughs = [la.code for la in LOCAL_AUTHORITIES if la.code not in LEFT_OUT]
    returns = synthetic_returns(boroughs, total=1200).placements
    with db.transaction() as session:
        for n, (borough, frame) in enumerate(returns.groupby("borough")):
            received = datetime(2026, 1 + n % 2, 5 + n % 20, 11, tzinfo=UTC)
            submission = Submission(str(borough), "2025-26", "demo", "x.xlsx")
            replace_return(session, submission, frame, received)
        release_now(session, MARCH_RELEASE, "schedule")  # the report reads its quarter's release
        demo_asks(session, datetime(2026, 3, 20, 12, tzinfo=UTC))  # some asked within Q1
        load_demo_meetings(session, NOW)  # the Year 1 forward plan
        for day, times in ((date(2026, 1, 6), 3), (date(2026, 3, 31), 2), (date(2026, 4, 1), 5)):
            for _ in range(times):
                record_use(session, SUPPLIER_LOOKUP, day)
    open_a_ratification(db)


def open_a_ratification(db: Database) -> None:
    """The draft ToR added and put to the vote in February, until 6 March 2026."""
    opened = datetime(2026, 2, 10, 10, tzinfo=UTC)
    load_demo_tor(db, opened)
    outbox = FakeMessenger()
    open_ratification(
        db, FakeClock(opened), member(db, LIIA), 1, datetime(2026, 3, 6, 17, tzinfo=UTC),
        TorRules.of(0.5, 0.5), TorCards(), lambda _session, _now: outbox,
    )  # fmt: skip


def session_count(db: Database, row: Any, *where: Any) -> int:
    with db.transaction() as session:
        return len(session.scalars(select(row).where(*where)).all())


def produce(db: Database) -> QuarterlyReport:
    return produce_report(db, FakeClock(AFTER), member(db, LIIA), "2026Q1", RULES)


def document_text(docx: bytes) -> tuple[list[str], list[list[list[str]]]]:
    document = Document(io.BytesIO(docx))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in document.tables]
    return paragraphs, tables


def table_titled(header: str, tables: list[list[list[str]]]) -> list[list[str]]:
    return next(t for t in tables if t[0][0] == header)


def test_the_report_s_figures_equal_the_database_s(
    database: Database,
) -> None:
    simulate_quarter(database)
    started = time.perf_counter()
    report = produce(database)
    seconds = time.perf_counter() - started
    print(f"quarterly report 2026Q1 produced in {seconds:.2f} s")  # not asserted: load varies
    paragraphs, tables = document_text(report.docx)
    text = "\n".join(paragraphs)
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
    with database.transaction() as session:
        boroughs = session.scalars(
            select(PlacementRow.borough).where(PlacementRow.period == "2025-26").distinct()
        ).all()
        received = Counter(
            f"{at:%Y-%m}"
            for at in session.scalars(
                select(ReturnSubmissionRow.submitted_at).where(
                    ReturnSubmissionRow.outcome == "imported",
                    ReturnSubmissionRow.submitted_at >= start,
                    ReturnSubmissionRow.submitted_at < end,
                )
            )
        )
        lookups = Counter[str]()
        for day, n in session.execute(select(UsageCountRow.day, UsageCountRow.count)):
            if date(2026, 1, 1) <= day < date(2026, 4, 1):
                lookups[f"{day:%Y-%m}"] += n
        entries = session.scalars(select(DirectoryEntryRow.created_at)).all()
    months = ("2026-01", "2026-02", "2026-03")
    assert f"{len(boroughs)} of 33 boroughs have an INMSS return for 2025-26" in text
    assert len(boroughs) == 30
    activity = {row[0]: row[1:] for row in table_titled("Activity", tables)[1:]}
    assert activity["INMSS returns received"] == [str(received[m]) for m in months]
    assert activity["Supplier look-ups"] == [str(lookups[m]) for m in months] == ["3", "0", "2"]
    assert activity["Directory entries added"] == [
        str(sum(f"{e:%Y-%m}" == m for e in entries)) for m in months
    ]
    assert f"Entries in the directory: {len(entries)} (networks: 4," in text
    asked = session_count(database, AskRow, AskRow.created_at >= start, AskRow.created_at < end)
    assert asked >= 1  # the demo asks that fall in the quarter
    opened = f"{asked} ask" if asked == 1 else f"{asked} asks"
    assert f"{opened} opened; " in text  # the round robin's own figures (issue 14)
    held = session_count(
        database,
        MeetingRow,
        MeetingRow.day >= "2026-01-01",
        MeetingRow.day < "2026-04-01",
        MeetingRow.status != "cancelled",
    )
    assert held >= 1
    assert f"{held} meetings held; 0 takeaways published." in text  # the plan (issue 15)
    [[ratified]] = [t[1:] for t in tables if t[0] == ["Version", "Result"]]
    assert ratified[0] == "Version 1"  # the draft put to the vote in February (issue 16)
    assert ratified[1].startswith("open until Friday 6 March 2026, 17:00; 0 of 33 boroughs voted")
    coverage = table_titled("Sub-region", tables)
    with_return = {row[0]: int(row[2]) for row in coverage[1:]}
    expected = Counter(la.subregion for la in LOCAL_AUTHORITIES if la.code not in LEFT_OUT)
    assert with_return == {str(k): v for k, v in expected.items()}
    assert len(Document(io.BytesIO(report.docx)).inline_shapes) == 2  # the two charts
    book = load_workbook(io.BytesIO(report.xlsx))
    sheet = book["Activity by month"]
    rows = {r[0]: list(r[1:]) for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["Supplier look-ups"] == [3, 0, 2]


def test_no_withheld_inmss_figure_appears_in_the_report(database: Database) -> None:
    simulate_quarter(database)
    # one need only two boroughs place in: its price must be withheld
    rare = synthetic_returns(["202", "203"], total=40).placements.assign(primary_need="RARE")
    with database.transaction() as session:
        for borough, frame in rare.groupby("borough"):
            frame = frame.assign(placement_id=[f"rare-{i}" for i in range(len(frame))])
            others = all_placements(session)
            mine = others[(others["borough"] == borough) & (others["period"] == "2025-26")]
            replace_return(
                session, Submission(str(borough), "2025-26", "demo", "x"),
                pd.concat([mine, frame], ignore_index=True), NOW,
            )  # fmt: skip
        release_now(session, MARCH_RELEASE + timedelta(days=7), "LIIA")
    report = produce(database)
    paragraphs, tables = document_text(report.docx)
    everything = "\n".join(paragraphs + [c for t in tables for row in t for c in row])
    with database.transaction() as session:
        placements = release_rows(session, releases(session)[0].id)
    table = cost_table(placements, Filters("2025-26"), "primary_need", GEOGRAPHY, RULES, True)
    withheld = [c for c in table.cells if c.refused]
    assert "RARE" not in {c.key for c in table.cells}  # two boroughs: not even a count
    assert "The figures are London's as released on 9 March 2026, the last release" in everything
    rare_costs = placements[placements["primary_need"] == "RARE"]["total_cost"]
    assert f"£{float(np.median(rare_costs)):,.0f}" not in everything
    for cell in withheld:
        costs = placements[
            (placements["period"] == "2025-26") & (placements["primary_need"] == cell.key)
        ]["total_cost"].to_numpy()
        assert f"£{float(np.median(costs)):,.0f}" not in everything
        assert f"{cell.key}" in everything
        assert f"withheld ({cell.refused})" in everything
    shown = [c for c in table.cells if not c.refused and c.median is not None]
    assert shown
    assert all(f"£{c.median:,.0f}" in everything for c in shown)
    for c in table.cells:  # counts are the published ones, never the raw count
        raw = int((placements["primary_need"] == c.key).sum())
        if raw % 5:
            assert [c.key, str(raw)] != next(
                (row[:2] for t in tables for row in t if row[0] == c.key), []
            )


def test_a_quarter_with_no_activity_still_produces_a_report_that_says_so(
    database: Database,
) -> None:
    report = produce(database)
    paragraphs, _ = document_text(report.docx)
    assert "No activity was recorded by the assistant in this quarter." in paragraphs
    assert "0 of 33 boroughs have an INMSS return for 2025-26, with <5 placements." in paragraphs


def test_only_the_secretariat_produces_the_report(database: Database) -> None:
    with pytest.raises(NotAllowed):
        produce_report(database, FakeClock(AFTER), member(database, CAMDEN), "2026Q1", RULES)


def test_the_prompt_goes_to_the_secretariat_two_weeks_before_the_report_is_due(
    database: Database,
) -> None:
    simulate_quarter(database)
    messenger = FakeMessenger(members={LIIA})
    due = datetime(2026, 4, 14, 8, tzinfo=UTC)  # 09:00 BST
    settings = JobSettings(public_url="https://send-forum.example.org", disclosure=lambda: RULES)
    run = JobRun("quarterly-report-prompt", "k", due, due, 1, messenger, settings)
    with database.transaction() as session:
        prompt_quarterly_report(session, run, QuarterlyReportCards())
        prompt_quarterly_report(session, run, QuarterlyReportCards())  # a rerun sends nothing new
    [sent] = messenger.sent
    assert sent.key == f"quarterly-report:2026Q1:{LIIA}"
    assert sent.content is not None
    assert_valid_card(sent.content)
    text = plain_text(sent.content)
    assert "due on Tuesday 28 April 2026" in text
    assert "30 of 33 boroughs for 2025-26" in text
    # the documents are offered beside the card to this member alone, never linked
    assert not [a for a in sent.content["actions"] if a["type"] == "Action.OpenUrl"]
    [again] = sent.content["actions"]  # drawn from cards/templates/, as every card is
    assert again["data"] == {"verb": "command.run", "command": "report", "args": "quarterly 2026Q1"}
    files = offered_files(sent.card)
    assert [f.filename for f in files] == [
        "forum-quarterly-report-January-to-March-2026.docx",
        "forum-quarterly-report-January-to-March-2026.xlsx",
    ]
    with database.transaction() as session:
        rows = [session.get(ReportFileRow, f.token) for f in files]
    assert [r.offered_to if r else None for r in rows] == [LIIA, LIIA]
    assert rows[0] is not None
    assert [f.size for f in files] == [len(r.content) for r in rows if r]
    assert "30 of 33 boroughs" in "\n".join(document_text(rows[0].content)[0])
    payload = card_payload(sent.card)  # as the outbox sends it: the card, then two consent cards
    assert [a["contentType"] for a in payload["attachments"]] == [
        "application/vnd.microsoft.card.adaptive",
        FILE_CONSENT,
        FILE_CONSENT,
    ]
    assert Q1.prompt_on == date(2026, 4, 14) == Q1.due - timedelta(days=14)


@pytest.fixture
async def bot(database: Database, connector: FakeConnector) -> AsyncIterator[BotClient]:
    simulate_quarter(database)
    async for client in serve(make_settings(database, connector), database):
        yield client


async def test_report_quarterly_in_chat_offers_the_word_document_and_the_workbook(
    bot: BotClient, connector: FakeConnector
) -> None:
    async def say(who: str, text: str) -> dict[str, Any]:
        return await chat.say(bot, connector, who, text)

    refused = await say(CAMDEN, "report quarterly 2026Q1")
    assert "Quarterly report" not in plain_text(refused)
    card = await say(LIIA, "report quarterly 2026Q1")
    assert_valid_card(card)
    assert "30 of 33 boroughs for 2025-26" in plain_text(card)
    # the quarter as people say it, on the card and in the files' names and text ("2026Q1" is
    # only what one types)
    assert plain_text(card).splitlines()[0] == "Quarterly report, January to March 2026"
    assert "2026Q1" not in plain_text(card)
    assert "actions" not in card  # no links: the files are offered to this member alone
    consents = offered(connector, LIIA)
    assert [c["name"] for c in consents] == [
        "forum-quarterly-report-January-to-March-2026.docx",
        "forum-quarterly-report-January-to-March-2026.xlsx",
    ]
    status, _ = await answer_consent(bot, connector, LIIA, consents[0])
    assert status == 200
    [upload] = connector.uploads
    assert [i["name"] for i in file_infos(connector, LIIA)] == [consents[0]["name"]]
    paragraphs = document_text(upload.body)[0]
    assert "30 of 33 boroughs" in "\n".join(paragraphs)
    assert paragraphs[1].startswith("January to March 2026. Draft produced ")
    assert "2026Q1" not in "\n".join(paragraphs)
    token = consents[0]["content"]["acceptContext"]["file"]
    link, _, _ = await fetch(bot, f"http://x/reports/{token}/{consents[0]['name']}")
    assert link == 404  # never served at a link
    said = await say(LIIA, "report quarterly January to March 2026")  # typed as the card says it
    assert plain_text(said).splitlines()[0] == "Quarterly report, January to March 2026"
    assert "Recommendations: 0 of 17 done" in plain_text(said)
    bad = await say(LIIA, "report quarterly 2031Q9")
    assert "Say which quarter" in plain_text(bad)


# --- issue 25: a report on the quarter under way, and files fit to send --------------------------

DEC_7 = datetime(2026, 12, 7, 10, tzinfo=UTC)  # a report on October to December 2026, mid-way


def a_quarter_under_way(db: Database) -> None:
    """The plan with its December meeting on Thursday 17 December (still to come on 7
    December); every borough's 2025-26 return and none for 2026-27; the demo directory added
    at 00:30 on 1 October in London (23:30 on 30 September in UTC)."""
    returns = synthetic_returns([la.code for la in LOCAL_AUTHORITIES], total=400).placements
    with db.transaction() as session:
        load_demo_meetings(session, NOW)
        december = session.scalars(
            select(MeetingRow).where(MeetingRow.day.in_(("2026-12-17", "2026-12-24")))
        ).one()
        december.day, december.starts_at = "2026-12-17", datetime(2026, 12, 17, 10, tzinfo=UTC)
        for borough, frame in returns.groupby("borough"):
            submission = Submission(str(borough), "2025-26", "demo", "x.xlsx")
            replace_return(session, submission, frame, datetime(2026, 3, 2, 11, tzinfo=UTC))
        release_now(session, datetime(2026, 4, 1, 6, tzinfo=UTC), "schedule")
        load_demo_directory(session, datetime(2026, 9, 30, 23, 30, tzinfo=UTC))


def test_a_meeting_still_to_come_is_not_counted_as_held(database: Database) -> None:
    """On 7 December the report on the quarter counted the meeting of 17 December as held
    ("2 meeting(s) held", one in December) and printed its placeholder theme."""
    a_quarter_under_way(database)
    report = produce_report(database, FakeClock(DEC_7), member(database, LIIA), "2026Q4", RULES)
    paragraphs, tables = document_text(report.docx)
    text = "\n".join(paragraphs)
    assert (
        "1 meeting held; 0 takeaways published. 1 more meeting to come in the quarter: "
        "Thursday 17 December 2026." in text
    )
    activity = {row[0]: row[1:] for row in table_titled("Activity", tables)[1:]}
    assert activity["Meetings held"] == ["1", "0", "0"]  # 29 October; 17 December is to come
    assert "To be decided" not in text
    assert "Themes:" not in text
    assert "No themes were set." in text
    # a quarter is London's: the directory added at 00:30 BST on 1 October is October's
    assert activity["Directory entries added"] == ["8", "0", "0"]
    assert report.figures.meetings.held == 1


def test_the_returns_figures_speak_of_the_year_that_has_returns(database: Database) -> None:
    """Recommendation 13 said "0 of 33 boroughs have a return for 2026-27" while all 33 had
    sent their 2025-26 ones."""
    a_quarter_under_way(database)
    report = produce_report(database, FakeClock(DEC_7), member(database, LIIA), "2026Q4", RULES)
    paragraphs, tables = document_text(report.docx)
    everything = "\n".join(paragraphs + [c for t in tables for row in t for c in row])
    assert "0 of 33 boroughs" not in everything
    assert (
        "No borough has sent an INMSS return for 2026-27 yet, so the figures below are for "
        "2025-26, the latest year with returns: 33 of 33 boroughs have an INMSS return for "
        "2025-26" in everything
    )
    tracker = table_titled("No.", tables)
    assert tracker[13][6] == (
        "33 of 33 boroughs have an INMSS return for 2025-26; none has one for 2026-27 yet"
    )
    coverage = table_titled("Sub-region", tables)
    assert sum(int(row[2]) for row in coverage[1:]) == 33
    facts = dict(summary_facts(report.figures))
    assert facts["INMSS returns"] == "33 of 33 boroughs for 2025-26 (none yet for 2026-27)"


def test_the_word_document_is_a4_with_sized_columns_and_a_repeated_header(
    database: Database,
) -> None:
    """It was US Letter, with the tracker's 8 columns of equal widths breaking words
    ("Recom/mendat/ion") over 3½ pages, no header on the pages after the first, and
    "meeting(s)"."""
    simulate_quarter(database)
    document = Document(io.BytesIO(produce(database).docx))
    a4 = {(210, 297), (297, 210)}
    for section in document.sections:
        assert (round(section.page_width.mm), round(section.page_height.mm)) in a4
    assert round(document.sections[0].page_width.mm) == 210  # portrait, then
    tracker = next(t for t in document.tables if t.rows[0].cells[0].text == "No.")
    # the tracker's pages are landscape: 8 columns need the width
    assert round(document.sections[-1].page_width.mm) == 297
    header = tracker.rows[0]._tr
    assert header.trPr is not None
    assert header.trPr.find(qn("w:tblHeader")) is not None
    widths = [column.width.mm for column in tracker.columns]
    assert len({round(w) for w in widths}) > 3  # sized to their text, not equal
    assert sum(widths) <= 297 - 40 + 0.5  # within the margins
    for n, name in enumerate(("No.", "Recommendation", "Lead", "Status", "RAG")):
        longest = max([len(w) for row in tracker.rows for w in row.cells[n].text.split()] or [1])
        assert widths[n] >= longest * 1.75, name  # its longest word fits on one line
    assert widths[1] > 3 * widths[0]  # "Recommendation" is wider than "No."
    text = "\n".join(p.text for p in document.paragraphs)
    assert "(s)" not in text


def test_the_workbook_keeps_numbers_with_formats_widths_frozen_headers_and_a_chart(
    database: Database,
) -> None:
    """Numbers and pounds were text ("£58,917", "1,045"), a blank read "'-", no widths, no
    frozen header, sheet names were cut at 31 characters ("INMSS returns by sub-region,")
    and there was no chart."""
    simulate_quarter(database)
    with database.transaction() as session:  # a secretariat's next step that looks like a formula
        from forum_ops.db.schema import RecommendationRow

        tracker_in(session, AFTER, "2025-26")
        row = session.scalars(select(RecommendationRow).where(RecommendationRow.number == 3)).one()
        row.next_step = '=HYPERLINK("http://evil.example","x")'
    book = load_workbook(io.BytesIO(produce(database).xlsx))
    assert all(len(name) <= 31 and not name.endswith(",") for name in book.sheetnames)
    assert {"Activity by month", "Returns 2025-26", "Cost per placement 2025-26"} <= set(
        book.sheetnames
    )
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A3", sheet.title
        assert sheet.column_dimensions["A"].width >= 10, sheet.title
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.value != "'-", (sheet.title, cell.coordinate)
    cost = book["Cost per placement 2025-26"]
    medians = [r[2] for r in cost.iter_rows(min_row=3)]
    shown = [c for c in medians if not str(c.value).startswith("withheld")]
    assert shown
    # numbers, not text (published prices are whole hundreds of pounds: read back as int)
    assert all(isinstance(c.value, int | float) for c in shown)
    assert {c.number_format for c in shown} == {"£#,##0"}
    counts = [r[1].value for r in cost.iter_rows(min_row=3)]
    assert all(isinstance(v, int) or v == "<5" for v in counts)
    returns = book["Returns 2025-26"]
    assert all(
        isinstance(r[3].value, int) or r[3].value == "<5" for r in returns.iter_rows(min_row=3)
    )
    activity = book["Activity by month"]
    [chart] = activity._charts
    assert len(chart.series) == 5  # one series per activity, the months as categories
    recommendations = book["Recommendations"]
    step = recommendations.cell(5, 6)  # recommendation 3's next step
    assert step.value == '\'=HYPERLINK("http://evil.example","x")'
    assert step.data_type == "s"


async def test_the_prompt_s_files_reach_the_secretariat_through_the_outbox_and_allow_sends_them(
    database: Database, connector: FakeConnector
) -> None:
    """The job queues its card with the files offered beside it; the outbox sends them as
    Teams file consent cards, and Allow puts the Word document in the member's OneDrive. (The
    app keeps real time: the prompt is due now, on the quarter just ended.)"""
    simulate_quarter(database)
    remember(database, place(connector, f"a:chat-{LIIA}", aad_object_id=LIIA))
    due = datetime.now(UTC)
    stem = f"forum-quarterly-report-{Quarter.of(due.date()).previous().slug}"
    settings = JobSettings(disclosure=lambda: RULES)
    with database.transaction() as session:
        run = JobRun("quarterly-report-prompt", "k", due, due, 1, OutboxMessenger(session, due),
                     settings)  # fmt: skip
        prompt_quarterly_report(session, run, QuarterlyReportCards())
    async for bot in serve(make_settings(database, connector, **FAST), database, jobs=()):
        await settled(database)
        [docx, xlsx] = offered(connector, LIIA)
        assert "/reports/" not in str([c.body for c in connector.sent()])
        status, _ = await answer_consent(bot, connector, LIIA, docx)
    assert status == 200
    assert [docx["name"], xlsx["name"]] == [f"{stem}.docx", f"{stem}.xlsx"]
    [upload] = connector.uploads
    with database.transaction() as session:
        kept = session.get(ReportFileRow, docx["content"]["acceptContext"]["file"])
        assert kept is not None
        assert (kept.offered_to, kept.content) == (LIIA, upload.body)
    assert document_text(upload.body)[0][0]  # a Word document that opens
    assert [i["name"] for i in file_infos(connector, LIIA)] == [docx["name"]]
