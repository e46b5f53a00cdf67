"""INMSS returns in chat: the template, and a return file sent to the bot in a 1:1 chat."""

from __future__ import annotations

import asyncio
import functools
import logging
import weakref

from analytics.returns_format import period_in
from analytics.returns_template import template_workbook
from bot.downloads import fetch_file
from bot.services import Services
from bot.teams import FileUpload
from cards import Card, render_card
from cards.format import british_datetime, count, pence
from cards.views import ReportTable, ReportView
from forum_ops.errors import ForumError, ImportRejected, NotAllowed
from forum_ops.model import Member
from forum_ops.returns import BOROUGHS, Submission, latest_submissions, submit_return

log = logging.getLogger(__name__)
TEMPLATE_PATH = "/returns/inmss-return-template.xlsx"
MAX_PROBLEMS_SHOWN = 30  # the rest are counted; a card must stay under Teams' 28 KB


@functools.cache
def return_template() -> bytes:
    return template_workbook()


def _borough_of(member: Member) -> str:
    if not member.is_data_submitter or member.borough is None:
        raise NotAllowed(
            "Only a borough's data submitters can send its INMSS return. Ask LIIA to add the "
            "data submitter role if you send your borough's return."
        )
    return member.borough


def returns_card(services: Services, member: Member) -> Card:
    """`returns`: the template to download, how to send it, and the borough's latest returns."""
    url = services.settings.forum_public_url.rstrip("/") + TEMPLATE_PATH
    tables: tuple[ReportTable, ...] = ()
    org = member.organisation
    if member.borough is not None:
        rows = tuple(
            (
                s.period,
                british_datetime(s.submitted_at),
                s.outcome,
                count(s.placements) if s.outcome == "imported" else f"{count(s.problems)} problems",
            )
            for s in latest_submissions(services.db, member.borough)
        )
        if rows:
            tables = (
                ReportTable(
                    f"{org.name}'s latest returns", ("Period", "Sent", "Outcome", "Rows"), rows
                ),
            )
    view = ReportView(
        title="INMSS placement returns",
        subtitle=(
            "Fill in the template (one row per placement, no names or dates of birth), then "
            "send the file to me here in our 1:1 chat with the period in the message, e.g. "
            "2025-26. I check every row; nothing is imported until the whole file is clean, "
            "and a clean re-submission replaces your borough's earlier return for that period."
        ),
        tables=tables,
        link_title="Download the template",
        link_url=url,
    )
    return render_card("report", view)


async def receive_return(
    services: Services,
    member: Member,
    upload: FileUpload,
    text: str,
    kind: str,
    conversation_id: str,
) -> Card:
    """A file sent in chat: check who sent it; with a period, import it, else ask for one."""
    if kind != "personal":
        raise ForumError("Please send returns to me in a 1:1 chat, not in a channel or group.")
    _borough_of(member)
    period = period_in(text) or period_in(upload.name)
    if period is None:
        from bot.dialogs.return_period import ask_for_period  # the dialog imports this module

        return await services.run(
            ask_for_period, services, member, conversation_id, upload, services.clock()
        )
    return await import_return(services, member, upload, period)


async def import_return(
    services: Services, member: Member, upload: FileUpload, period: str
) -> Card:
    """Fetch the file, submit it for the member's own borough, and say what happened."""
    borough = _borough_of(member)  # asked again: roles may have changed while a dialog waited
    now = services.clock()
    submission = Submission(borough, period, member.aad_object_id, upload.name[:300])
    async with _import_gate(services.settings.forum_max_concurrent_imports):
        raw = await fetch_file(services.settings, upload.download_url)
        try:
            report = await services.run(submit_return, services.db, raw, submission, now)
        except ImportRejected as rejected:
            return _rejected_card(rejected, submission)
    view = ReportView(
        title=f"Return imported: {BOROUGHS[borough]}, {period}",
        subtitle=(
            f"{count(report.placements)} placements, {pence(report.spend)} a year. "
            + (
                f"It replaces your earlier return for {period} ({report.replaced:,} placements)."
                if report.replaced
                else f"Your first return for {period}."
            )
        ),
        lines=("Try benchmark, or top10, to see where you sit.",),
    )
    return render_card("report", view)


_GATES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _import_gate(size: int) -> asyncio.Semaphore:
    """At most `size` return files fetched and read at once in this process (per event loop);
    the rest wait their turn without holding a worker thread, so other commands still run."""
    loop = asyncio.get_running_loop()
    gate = _GATES.get(loop)
    if gate is None:
        gate = _GATES[loop] = asyncio.Semaphore(max(1, size))
    return gate


def _rejected_card(rejected: ImportRejected, submission: Submission) -> Card:
    problems = rejected.problems
    rows = tuple(
        (str(p.line) if p.line else "", p.column, p.reason) for p in problems[:MAX_PROBLEMS_SHOWN]
    )
    more = len(problems) - len(rows)
    view = ReportView(
        title=f"Return not imported: {len(problems)} problem{'s' if len(problems) != 1 else ''}",
        subtitle=(
            f"{submission.filename} for {BOROUGHS[submission.borough]}, {submission.period}: nothing was "
            "imported and your earlier return (if any) stands. Fix these and send the file again."
        ),
        tables=(
            ReportTable(
                "Problems",
                ("Row", "Column", "Problem"),
                rows,
                note=f"…and {more} more." if more > 0 else "",
                widths=(1, 3, 6),
            ),
        ),
    )
    return render_card("report", view)
