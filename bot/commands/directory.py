"""`directory [words]`, `directory suggest`, `directory pending|unchecked` (secretariat), the
suggestion form's and the secretariat's buttons, and `recommendations` (the tracker)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec

from bot.command_table import CommandRequest
from cards import Card, render_card
from cards.directory import (
    directory_view,
    recommendation_view,
    saved_notice,
    suggestion_form,
    tracker_view,
)
from cards.views.directory import Entry
from forum_ops.db.schema import may_be_an_id
from forum_ops.directory.tracker import RECOMMENDATIONS
from forum_ops.errors import UnknownAction
from forum_ops.members.model import Member

if TYPE_CHECKING:  # an annotation only: bot.actions imports the command table
    from bot.actions import ActionRequest

P = ParamSpec("P")

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
    services = request.services
    word = request.args.strip().partition(" ")[0].casefold()
    if word == "suggest":
        return render_card("directory_form", suggestion_form())
    if word in LISTS:
        page = await services.run(services.directory.secretariat_list, request.member, word)
    else:
        page = await services.run(services.directory.search, request.args)
    return render_card("directory", directory_view(page))


def _fields(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: data[name] for name in names if name in data}


def _entry_id(data: dict[str, Any]) -> int:
    entry = data.get("entry")
    if not may_be_an_id(entry):
        raise UnknownAction()
    return entry


async def _saved(
    request: ActionRequest,
    what: str,
    change: Callable[Concatenate[Member, P], Entry],
    *args: P.args,
    **kwargs: P.kwargs,
) -> Card:
    """`change` (a services.directory operation) made by the member who pressed the button;
    the entry's notice says `what`."""
    entry = await request.services.run(change, request.member, *args, **kwargs)
    return render_card("notice", saved_notice(entry, what))


async def suggest(request: ActionRequest) -> Card:
    """verb `directory.suggest`: the form's values; `check_draft` checks every one."""
    return await _saved(
        request, "suggested", request.services.directory.suggest, _fields(request.data, FORM_FIELDS)
    )


async def approve(request: ActionRequest) -> Card:
    """verb `directory.approve`: as suggested, or with the edit form's values."""
    values = _fields(request.data, FORM_FIELDS)
    return await _saved(
        request,
        "approved",
        request.services.directory.approve,
        _entry_id(request.data),
        values or None,
    )


async def decline(request: ActionRequest) -> Card:
    return await _saved(
        request, "declined", request.services.directory.decline, _entry_id(request.data)
    )


async def checked(request: ActionRequest) -> Card:
    return await _saved(
        request, "checked", request.services.directory.mark_checked, _entry_id(request.data)
    )


async def add_takeaway(request: ActionRequest) -> Card:
    """verb `directory.takeaway` (a published takeaway's button): a best-practice example."""
    title, summary = request.data.get("title"), request.data.get("summary")
    link = request.data.get("link", "")
    if not (isinstance(title, str) and isinstance(summary, str) and isinstance(link, str)):
        raise UnknownAction()
    return await _saved(
        request, "approved", request.services.directory.add_takeaway, title, summary, link
    )


async def show_tracker(request: CommandRequest) -> Card:
    services = request.services
    number = request.args.strip()
    tracker = await services.run(services.directory.tracker)
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
        CommandRequest(
            request.member,
            str(number),
            request.conversation_kind,
            request.services,
            request.commands,
        )
    )


async def update_recommendation(request: ActionRequest) -> Card:
    """verb `recommendation.update` (secretariat): the update form's values."""
    services = request.services
    found = await services.run(
        services.directory.update_recommendation,
        request.member, request.data.get("number"), _fields(request.data, UPDATE_FIELDS),
    )  # fmt: skip
    return render_card("recommendation", recommendation_view(found, True))
