"""INMSS returns in chat: the template, a return file sent to the bot in a 1:1 chat, and the
dialog that asks for its period when neither the message nor the file name gives one."""

from __future__ import annotations

import asyncio
import functools
import logging
import weakref
from datetime import datetime

from analytics.returns_format import period_in, period_of
from analytics.returns_template import template_workbook
from bot.command_table import split_command
from bot.dialogs import DialogTurn, finish
from bot.downloads import fetch_file
from bot.services import Services
from bot.teams import FileUpload
from bot.uploads import UploadRequest
from cards import Card, render_card
from cards.format import british_datetime, count, pence
from cards.views.benchmarks import Release
from cards.views.common import (
    Answer,
    NoticeView,
    QuestionView,
    ReportTable,
    ReportView,
)
from forum_ops.db.schema import may_be_an_id
from forum_ops.dialogs import DialogKey, begin_dialog
from forum_ops.errors import ForumError, ImportRejected, NotAllowed
from forum_ops.members.model import Member
from forum_ops.returns.releases import release_now
from forum_ops.returns.service import (
    BOROUGHS,
    Submission,
    SubmissionLine,
    decide_held_return,
    latest_submissions,
    release_desk,
    submit_return,
)

log = logging.getLogger(__name__)
TEMPLATE_PATH = "/returns/inmss-return-template.xlsx"
RELEASES_SHOWN = 6
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
    """`returns`: the template to download, how to send it, and the borough's latest returns;
    for the secretariat, the returns waiting for a decision, re-submissions since the last
    release and the releases."""
    url = services.settings.forum_public_url.rstrip("/") + TEMPLATE_PATH
    tables: list[ReportTable] = []
    lines: list[str] = []
    org = member.organisation
    if member.borough is not None:
        rows = tuple(
            (s.period, british_datetime(s.submitted_at), _outcome(s), _rows_of(s))
            for s in latest_submissions(services.db, member.borough)
        )
        if rows:
            tables.append(
                ReportTable(
                    f"{org.name}'s latest returns", ("Period", "Sent", "Outcome", "Rows"), rows
                )
            )
    if member.is_secretariat:
        desk = release_desk(services.db)
        held = tuple(
            (f"{h.id}", f"{BOROUGHS[h.borough]}, {h.period}", british_datetime(h.submitted_at),
             h.reason)
            for h in desk.held
        )  # fmt: skip
        if held:
            tables.append(
                ReportTable(
                    "Held for your check", ("No.", "Return", "Sent", "Why"), held,
                    widths=(1, 3, 3, 6),
                )
            )  # fmt: skip
            lines.append("Say returns accept <No.> or returns refuse <No.> to decide.")
        if desk.uploads:
            tables.append(
                ReportTable(
                    "Returns sent since the last release",
                    ("Borough", "Period", "Sent"),
                    tuple((BOROUGHS.get(b, b), p, count(n)) for (b, p), n in desk.uploads),
                )
            )
        tables.append(_releases_table(desk.releases, exact=True))
        lines.append(
            "London's figures are released on the first working day of each month; say "
            "returns release to release them now."
        )
    view = ReportView(
        title="INMSS placement returns",
        subtitle=(
            "Fill in the template (one row per placement, no names or dates of birth), then "
            "send the file to me here in our 1:1 chat with the period in the message, e.g. "
            "2025-26. I check every row; nothing is imported until the whole file is clean, "
            "and a clean re-submission replaces your borough's earlier return for that period. "
            "Your own figures change at once; London's figures change at the next release."
        ),
        tables=tuple(tables),
        lines=tuple(lines),
        link_title="Download the template",
        link_url=url,
    )
    return render_card("report", view)


def _outcome(line: SubmissionLine) -> str:
    """Imported or rejected. Whether LIIA holds or refused it is not said: the fee check
    compares with the boroughs' lowest and highest averages, and answering it upload by upload
    would let a submitter find those by trying fees (a hold is the secretariat's to see)."""
    return line.outcome


def _rows_of(line: SubmissionLine) -> str:
    return (
        count(line.placements) if line.outcome == "imported" else f"{count(line.problems)} problems"
    )


def _releases_table(releases: list[Release], *, exact: bool) -> ReportTable:
    """The releases; with their exact placement counts for the secretariat only (`exact`): the
    difference of two releases' exact totals is a borough's own change when it alone sent a
    return between them, and an exact total beside the perturbed counts undoes their noise (DOMAIN
    rule 8)."""
    rows = tuple(
        (str(r.id), r.period, british_datetime(r.released_at), str(r.boroughs))
        + ((count(r.placements),) if exact else ())
        for r in releases[:RELEASES_SHOWN]
    )
    header = ("No.", "Period", "Released", "Boroughs") + (("Placements",) if exact else ())
    return ReportTable(
        "Releases", header,
        rows or (("", "none yet", "", "") + (("",) if exact else ()),),
        note=f"…and {len(releases) - RELEASES_SHOWN} earlier." if len(releases) > RELEASES_SHOWN else "",
    )  # fmt: skip


async def releases_card(services: Services, member: Member) -> Card:
    """`returns releases`, `benchmark releases`: every release of London's figures."""
    releases = await services.run(services.benchmarks.releases)
    return render_card(
        "report",
        ReportView(
            "Releases of London's INMSS figures",
            "Every benchmark reads the latest release; say benchmark release <No.> ... to read "
            "an earlier one. They are cut on the first working day of each month.",
            tables=(_releases_table(releases, exact=member.is_secretariat),),
        ),
    )


async def returns_command(services: Services, member: Member, args: str) -> Card:
    """`returns`, and the secretariat's `returns release`, `returns accept|refuse <No.>`."""
    word, _, rest = args.strip().partition(" ")
    word = word.casefold()
    if not word:
        return await services.run(returns_card, services, member)
    if word == "releases":
        return await releases_card(services, member)
    if word not in ("release", "accept", "refuse"):
        raise ForumError(
            "Say returns, returns releases, or (LIIA) returns release, returns accept <No.>."
        )
    if not member.is_secretariat:
        raise NotAllowed(
            "Only the forum's secretariat releases London's figures and decides on held returns."
        )
    now = services.clock.now()
    if word == "release":
        cut = await services.run(_release, services, now, member.aad_object_id)
        if not cut:
            return render_card(
                "notice",
                NoticeView(
                    "Nothing new to release", "No return has changed since the last release."
                ),
            )
        return render_card(
            "report",
            ReportView(
                "Released: London's INMSS figures",
                "Every benchmark now reads these releases, in every chat.",
                tables=(_releases_table(cut, exact=True),),
            ),
        )
    number = rest.strip()
    if not number.isdigit() or not may_be_an_id(int(number)):
        raise ForumError(f"Which return? Say returns {word} <No.>, the number returns shows.")
    decided = await services.run(
        decide_held_return, services.db, int(number), word == "accept", member.aad_object_id, now
    )
    outcome = (
        "accepted: it enters the next release"
        if word == "accept"
        else "refused: its borough's last released figures stay in releases"
    )
    return render_card(
        "notice",
        NoticeView(
            "Return " + ("accepted" if word == "accept" else "refused"),
            f"{BOROUGHS[decided.borough]}'s return for {decided.period} is {outcome}.",
        ),
    )


async def receive_return(request: UploadRequest) -> Card:
    """A file sent in chat: check who sent it; with a period, import it, else ask for one."""
    services, member, upload, text = request.services, request.member, request.upload, request.text
    conversation_id = request.conversation_id
    if request.conversation_kind != "personal":
        raise ForumError("Please send returns to me in a 1:1 chat, not in a channel or group.")
    _borough_of(member)
    period = period_in(text) or period_in(upload.name)
    if period is None:
        return await services.run(
            ask_for_period, services, member, conversation_id, upload, services.clock.now()
        )
    return await import_return(services, member, upload, period)


async def import_return(
    services: Services, member: Member, upload: FileUpload, period: str
) -> Card:
    """Fetch the file, submit it for the member's own borough, and say what happened."""
    borough = _borough_of(member)  # asked again: roles may have changed while a dialog waited
    now = services.clock.now()
    submission = Submission(borough, period, member.aad_object_id, upload.name[:300])
    async with _import_gate(services.settings.forum_max_concurrent_imports):
        raw = await fetch_file(services.settings, upload.download_url)
        try:
            report = await services.run(
                submit_return, services.db, raw, submission, now, services.settings.plausibility()
            )
        except ImportRejected as rejected:
            return _rejected_card(rejected, submission)
    if report.held:
        await services.run(services.returns.tell_of_hold, report.submission_id)
        services.doorbell.ring()
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
        lines=(
            # the same words whether or not it is held: see _outcome
            "Your own figures show it now; London's figures include it from the next release "
            "(the first working day of the month), after LIIA's checks.",
            "Try benchmark, or top10, to see where you sit.",
        ),
    )
    return render_card("report", view)


def _release(services: Services, now: datetime, by: str) -> list[Release]:
    with services.db.transaction() as session:
        return release_now(session, now, by)


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


# A return sent without a period: its dialog (declared in bot/features.py, `dialogs=`).
#
# A return sent without a period: ask for the period, then import the file.
#
# ```mermaid
# stateDiagram-v2
#     [*] --> period: a return file in 1:1, no period in the message or the file name
#     period --> period: the answer is not a period (asked again)
#     period --> [*]: a period: the file is fetched, checked and imported (or its problems listed)
#     period --> [*]: cancel, or an hour passes (Teams' download link expires)
# ```

NAME = "returns.period"


def ask_for_period(
    services: Services, member: Member, conversation_id: str, upload: FileUpload, now: datetime
) -> Card:
    """Remember the file and ask which academic year it is for."""
    file = {"name": upload.name, "download_url": upload.download_url, "type": upload.file_type}
    with services.db.transaction() as session:
        begin_dialog(
            session,
            DialogKey(conversation_id, member.aad_object_id),
            NAME,
            "period",
            {"file": file},
            now,
        )
    return _question(upload.name, now, "")


def _question(file_name: str, now: datetime, problem: str) -> Card:
    this_year = period_of(now.year, now.month)
    last_year = period_of(now.year - 1, now.month)
    message = (f"{problem} " if problem else "") + (
        f"Which academic year is {file_name} for? Choose one, or type it (for example "
        f"{last_year}). Type cancel to stop: nothing is imported until you answer."
    )
    return render_card(
        "question",
        QuestionView(
            "Which period is this return for?",
            message,
            (Answer(this_year, this_year), Answer(last_year, last_year)),
        ),
    )


class ReturnPeriod:
    name = NAME

    async def resume(self, turn: DialogTurn) -> Card | None:
        services = turn.services
        period = period_in(turn.answer)
        file = dict(turn.state.data.get("file") or {})
        if period is None:
            if not turn.data and turn.commands.get(split_command(turn.text)[0]):
                return None  # a command: run it, and keep the question open
            return _question(
                str(file.get("name", "your return")),
                services.clock.now(),
                "I need an academic year such as 2025-26.",
            )
        if not await services.run(finish, services, turn.state):
            return render_card(
                "notice",
                NoticeView("Already done", "That return was dealt with in another message."),
            )
        name, url = str(file.get("name", "return")), str(file.get("download_url", ""))
        upload = FileUpload(name, url, str(file.get("type", "")))
        return await import_return(services, turn.member, upload, period)
