"""`tor` (the ToR and its ratification), `tor open …` (secretariat), the vote card's actions
(`tor.vote`, `tor.view`: Action.Execute with an Action.Submit fallback) and a ToR file sent in
1:1 by the secretariat."""

from __future__ import annotations

import re
from datetime import datetime, time

from bot.actions import ActionRequest
from bot.command_table import CommandRequest
from bot.downloads import fetch_file
from bot.services import Services
from bot.uploads import UploadRequest
from cards import Card
from cards.tor import added_card, ballot_card, opened_card, reading_card, status_card
from cards.views.common import LONDON
from forum_ops.dates import london_moment, split_day_and_time
from forum_ops.errors import ForumError
from forum_ops.members.model import Member
from forum_ops.tor import service as tor

_OPEN = re.compile(r"^open\s+(?:version\s+)?(?P<version>\d{1,6})(?:\s+(?P<when>.+?))?\s*$", re.I)
OPEN_USAGE = "tor open <version> [<deadline: 13 March 2026 or 13/03/2026> [<time: 17:00>]]"
CLOSES_AT = time(17)  # a deadline given as a day closes at 17:00 London


async def show_tor(request: CommandRequest) -> Card:
    services, member, args = request.services, request.member, request.args.strip()
    if args.lower().startswith("open"):
        return await open_ratification(services, member, args)
    if args.lower().startswith("read"):  # `tor read [<version>]`: the text, section by section
        version = args[4:].strip().removeprefix("version").strip() or None
        return await _reading(services, version, 1)
    status = await services.run(services.tor.status)
    return status_card(status, member.is_secretariat)


async def open_ratification(services: Services, member: Member, args: str) -> Card:
    version, deadline = parse_open(args, services.clock.now())
    report = await services.run(services.tor.open_ratification, member, version, deadline)
    services.doorbell.ring()
    return opened_card(report)


def parse_open(args: str, now: datetime) -> tuple[int, datetime | None]:
    """The version and deadline of `tor open`, the deadline read as every date is
    (forum_ops/dates.py); its time defaults to 17:00 London."""
    match = _OPEN.match(args)
    if match is None:
        raise ForumError(f"Say which version and when voting closes: {OPEN_USAGE}")
    if not match["when"]:
        return int(match["version"]), None
    day, at = split_day_and_time(match["when"], now.astimezone(LONDON).date())
    return int(match["version"]), london_moment(day, at or CLOSES_AT)


async def cast_vote(request: ActionRequest) -> Card:
    """verb `tor.vote`: the member's borough's vote; the answer is the voter's own view."""
    services = request.services
    vote = tor.VoteRequest.of(request.data)
    outcome = await services.run(services.tor.cast_vote, request.member, vote)
    services.doorbell.ring()
    voter = outcome.borough is not None  # ICBs and LIIA: refused, and shown no buttons
    return ballot_card(outcome.ballot, outcome.borough, outcome.refused, voter)


async def read_tor(request: ActionRequest) -> Card:
    """verb `tor.read` (the ballot's and the reading's buttons): a page of a version's text."""
    page = request.data.get("page", 1)
    number = page if isinstance(page, int) and not isinstance(page, bool) else 1
    return await _reading(request.services, request.data.get("version"), number)


async def _reading(services: Services, version: object, page: int) -> Card:
    reading = await services.run(services.tor.read_version, version)
    return reading_card(reading, page)


async def view_ballot(request: ActionRequest) -> Card:
    """verb `tor.view` (the card's refresh, or a click): the member's own view as it stands."""
    services, member = request.services, request.member
    rid = tor.ratification_id(request.data.get("ratification"))
    ballot = await services.run(services.tor.view_ballot, rid)
    notice = "" if member.borough else "ICBs and LIIA follow the vote; the 33 boroughs cast it."
    return ballot_card(ballot, member.borough, notice, voter=member.borough is not None)


async def receive_tor(request: UploadRequest) -> Card:
    """A .docx, .md or .txt file from the secretariat in 1:1: a new version of the ToR."""
    services, member, upload = request.services, request.member, request.upload
    if request.conversation_kind != "personal":
        raise ForumError("Please send a new ToR version to me in a 1:1 chat.")
    if not member.is_secretariat:
        raise ForumError("Only the forum's secretariat can add a version of the ToR.")
    raw = await fetch_file(services.settings, upload.download_url)
    version = await services.run(services.tor.add_version_by, member, upload.name, raw)
    return added_card(version)
