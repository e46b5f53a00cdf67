"""`directory [words]`, `directory suggest`, `directory pending|unchecked` (secretariat), the
suggestion form's and the secretariat's buttons, and `recommendations` (the tracker)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.clock import CallableClock
from bot.commands.table import CommandRequest
from bot.errors import UnknownAction
from cards import Card, render_card
from cards.directory import (
    directory_view,
    recommendation_view,
    saved_notice,
    suggestion_form,
    tracker_view,
)
from forum_ops import directory, recommendations
from forum_ops.tracker import RECOMMENDATIONS

if TYPE_CHECKING:  # an annotation only: bot.actions imports the command table
    from bot.actions import ActionRequest

LISTS = ("pending", "unchecked")
FORM_FIELDS = (
    "name",
    "kind",
    "scope",
    "topics",
    "offers",
    "how_to_join",
    "link",
    "contact",
    "owner",
)
UPDATE_FIELDS = ("status", "rag", "next_step", "evidence")


async def find_entries(request: CommandRequest) -> Card:
    services, clock = request.services, CallableClock(request.services.clock)
    word = request.args.strip().partition(" ")[0].casefold()
    if word == "suggest":
        return render_card("directory_form", suggestion_form())
    if word in LISTS:
        page = await services.run(
            directory.secretariat_list, services.db, clock, request.member, word
        )
    else:
        page = await services.run(directory.search_directory, services.db, clock, request.args)
    return render_card("directory", directory_view(page))


def _fields(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: data[name] for name in names if name in data}


def _entry_id(data: dict[str, Any]) -> int:
    entry = data.get("entry")
    if not isinstance(entry, int) or isinstance(entry, bool) or not 0 < entry < 2**31:
        raise UnknownAction()
    return entry


async def suggest(request: ActionRequest) -> Card:
    """verb `directory.suggest`: the form's values; `check_draft` checks every one."""
    services = request.services
    entry = await services.run(
        directory.suggest_entry, services.db, CallableClock(services.clock), request.member,
        _fields(request.data, FORM_FIELDS),
    )  # fmt: skip
    return render_card("notice", saved_notice(entry, "suggested"))


async def approve(request: ActionRequest) -> Card:
    """verb `directory.approve`: as suggested, or with the edit form's values."""
    services, values = request.services, _fields(request.data, FORM_FIELDS)
    entry = await services.run(
        directory.approve_entry, services.db, CallableClock(services.clock), request.member,
        _entry_id(request.data), values or None,
    )  # fmt: skip
    return render_card("notice", saved_notice(entry, "approved"))


async def decline(request: ActionRequest) -> Card:
    services = request.services
    entry = await services.run(
        directory.decline_entry, services.db, CallableClock(services.clock), request.member,
        _entry_id(request.data),
    )  # fmt: skip
    return render_card("notice", saved_notice(entry, "declined"))


async def checked(request: ActionRequest) -> Card:
    services = request.services
    entry = await services.run(
        directory.mark_checked, services.db, CallableClock(services.clock), request.member,
        _entry_id(request.data),
    )  # fmt: skip
    return render_card("notice", saved_notice(entry, "checked"))


async def add_takeaway(request: ActionRequest) -> Card:
    """verb `directory.takeaway` (a published takeaway's button): a best-practice example."""
    title, summary = request.data.get("title"), request.data.get("summary")
    link = request.data.get("link", "")
    if not (isinstance(title, str) and isinstance(summary, str) and isinstance(link, str)):
        raise UnknownAction()
    services = request.services
    entry = await services.run(
        directory.add_takeaway, services.db, CallableClock(services.clock), request.member,
        title, summary, link,
    )  # fmt: skip
    return render_card("notice", saved_notice(entry, "approved"))


async def show_tracker(request: CommandRequest) -> Card:
    services = request.services
    number = request.args.strip()
    tracker = await services.run(
        recommendations.show_tracker, services.db, CallableClock(services.clock)
    )
    if number.isdigit() and int(number) in RECOMMENDATIONS:
        found = tracker.number(int(number))
        return render_card(
            "recommendation", recommendation_view(found, request.member.is_secretariat)
        )
    return render_card("recommendations", tracker_view(tracker))


async def show_recommendation(request: ActionRequest) -> Card:
    """verb `recommendation.show`: the tracker's chooser."""
    number = request.data.get("number")
    if not isinstance(number, str | int) or str(number) not in map(str, RECOMMENDATIONS):
        raise UnknownAction()
    return await show_tracker(
        CommandRequest(request.member, str(number), request.conversation_kind, request.services)
    )


async def update_recommendation(request: ActionRequest) -> Card:
    """verb `recommendation.update` (secretariat): the update form's values."""
    services = request.services
    found = await services.run(
        recommendations.update_recommendation, services.db, CallableClock(services.clock),
        request.member, request.data.get("number"), _fields(request.data, UPDATE_FIELDS),
    )  # fmt: skip
    return render_card("recommendation", recommendation_view(found, True))
