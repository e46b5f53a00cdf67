"""`report quarterly [2026Q1]` (secretariat, in 1:1): the quarterly report to the ALDCS SEND
Steering Group as a Word document and a workbook, offered beside a summary card (Teams file
consent cards: on Allow they go to the member's OneDrive; bot/file_offers.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.command_table import CommandRequest
from cards import Card, render_card
from cards.directory import QuarterlyReportCards, report_view
from forum_ops.errors import ForumError
from forum_ops.report.service import prompt_quarterly_report, summary_facts
from forum_ops.scheduler import JobRun


async def quarterly_report(request: CommandRequest) -> Card:
    kind, _, quarter = request.args.strip().partition(" ")
    if kind.casefold() != "quarterly":
        raise ForumError("Say which report, for example: report quarterly 2026Q1")
    if request.conversation_kind != "personal":  # Teams offers a bot's files in 1:1 only
        raise ForumError("The quarterly report's files are for you alone: ask me in our 1:1 chat.")
    services, member = request.services, request.member
    report = await services.run(services.report.produce, member, quarter)
    files = await services.run(services.report.offer, report, member.aad_object_id)
    view = report_view(report.figures.quarter.title, summary_facts(report.figures))
    return render_card("quarterly_report", view).offering(*files)


def prompt(session: Session, run: JobRun) -> None:
    """The quarterly-report-prompt job (declared in bot/features.py), given its presenter."""
    prompt_quarterly_report(session, run, QuarterlyReportCards())
