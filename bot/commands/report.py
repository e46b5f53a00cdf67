"""`report quarterly [2026Q1]` (secretariat): the quarterly report to the ALDCS SEND Steering
Group as a Word document and a workbook, linked from a summary card."""

from __future__ import annotations

from bot.clock import CallableClock
from bot.commands.table import CommandRequest
from cards import Card, render_card
from cards.directory import report_view
from forum_ops.errors import ForumError
from forum_ops.quarterly_report import produce_report, summary_facts
from forum_ops.report_files import file_url, keep_file


async def quarterly_report(request: CommandRequest) -> Card:
    kind, _, quarter = request.args.strip().partition(" ")
    if kind.casefold() != "quarterly":
        raise ForumError("Say which report, for example: report quarterly 2026Q1")
    services = request.services
    clock = CallableClock(services.clock)
    rules = services.settings.disclosure_rules()
    report = await services.run(produce_report, services.db, clock, request.member, quarter, rules)
    links = []
    for suffix, body in (("docx", report.docx), ("xlsx", report.xlsx)):
        name = f"{report.stem}.{suffix}"
        token = await services.run(keep_file, services.db, name, body, clock.now())
        links.append(file_url(services.settings.forum_public_url, token, name))
    return render_card(
        "quarterly_report",
        report_view(report.figures.quarter.title, summary_facts(report.figures), *links),
    )
