"""The peer-support round robin in Teams (SPEC section 5): `ask`, `asks`, `away`, `back`,
`topics`, the card actions of asks (reply, pass, resolve, close, add detail) and the two jobs.

Authority comes from the registry's member, never from a card's data: the data only names the
ask (and the reply picked), and forum_ops/asks/service.py checks who may do what.
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from bot.actions import ActionRequest
from bot.command_table import CommandRequest
from bot.services import Services
from cards import Card, render_card
from cards.asks import (
    ALL_TIME,
    AskCards,
    ask_card_view,
    ask_thread_card,
    asks_list_card,
    availability_card,
    opened_card,
    opened_sentence,
    report_card,
    status_word,
    topics_card,
)
from cards.views.common import LONDON, NoticeView
from forum_ops.asks import service as asks
from forum_ops.dates import parse_day
from forum_ops.errors import ForumError
from forum_ops.members.model import Member
from forum_ops.scheduler import JobRun

MAX_ARGS_CHARS = 5000  # words to parse (list, topics) are cut here; text to keep is not
EMAIL = re.compile(r"\bfor\s+(\S+@\S+)\s*$", re.IGNORECASE)
CARDS = AskCards()


async def open_ask(request: CommandRequest) -> Card:
    """`ask <question>`; an empty `ask` gets the form."""
    if not request.args.strip():
        return render_card("ask_form")
    return await _open(request.services, request.member, request.args, request.conversation_kind)


async def submit_ask(request: ActionRequest) -> Card:
    """verb `ask.submit`: the form's question."""
    question = _text(request.data.get("question"))
    return await _open(request.services, request.member, question, request.conversation_kind)


async def _open(services: Services, member: Member, text: str, kind: str) -> Card:
    """The author's own copy, with its controls, in 1:1; a short word where others read it."""
    # not cut: the service measures the whole text and says its real length when too long (the
    # request itself is at most FORUM_MAX_REQUEST_BYTES)
    opened = await services.run(services.asks.open, member, text)
    services.doorbell.ring()
    if kind == "personal":
        return opened_card(opened.ask, opened.asked, opened.posted)
    return _notice(opened_sentence(opened.ask, opened.asked, opened.posted))


async def reply_to_ask(request: ActionRequest) -> Card:
    """verb `ask.reply`: {ask, text, link} from the responder's 1:1 card."""
    services, data = request.services, request.data
    ask = await services.run(
        services.asks.reply,
        request.member,
        data.get("ask"),
        _text(data.get("text")),
        _text(data.get("link")),
    )
    services.doorbell.ring()
    if ask.status.finished:  # kept, as a late reply: the author is told
        return _notice(
            f"Thank you: ask {ask.id} was {status_word(ask.status)} already, so your "
            f"reply is kept with it as a late reply, and {ask.author_name} ({ask.organisation}) "
            "has been told."
        )
    return _notice(f"Thank you: your reply to ask {ask.id} is with {ask.organisation}.")


async def pass_ask(request: ActionRequest) -> Card:
    """verb `ask.pass`: {ask, reason}."""
    services = request.services
    passed = await services.run(
        services.asks.pass_on,
        request.member,
        request.data.get("ask"),
        _text(request.data.get("reason")),
    )
    services.doorbell.ring()
    return _notice(passed_sentence(passed))


def passed_sentence(passed: asks.Passed) -> str:
    """What a Pass did, truly: nobody is said to be asked unless someone was."""
    ask = passed.ask
    if not passed.changed:
        return (
            f"Ask {ask.id} is {status_word(ask.status)} already: nobody else needs "
            "to be asked. Thank you."
        )
    if passed.asked:
        return f"Passed: ask {ask.id} goes to the next colleague in the rotation."
    if ask.replies:
        return f"Passed, thank you: ask {ask.id} has a reply already, so nobody else is asked."
    if ask.waiting:
        return (
            f"Passed, thank you: ask {ask.id} is still with {ask.waiting} other "
            f"colleague{'s' * (ask.waiting != 1)}; nobody new is left to ask."
        )
    return (
        f"Passed, thank you: nobody else is left to ask for ask {ask.id}, so the forum's "
        "secretariat has been told."
    )


async def resolve_ask(request: ActionRequest) -> Card:
    """verb `ask.resolve`: {ask, reply}, the author's pick of the most useful reply."""
    services, data = request.services, request.data
    ask = await services.run(
        services.asks.resolve, request.member, data.get("ask"), data.get("reply")
    )
    services.doorbell.ring()
    return render_card("ask", ask_card_view(ask))


async def close_ask(request: ActionRequest) -> Card:
    """verb `ask.close`: {ask}."""
    services = request.services
    ask = await services.run(services.asks.close, request.member, request.data.get("ask"))
    services.doorbell.ring()
    return render_card("ask", ask_card_view(ask))


async def add_detail(request: ActionRequest) -> Card:
    """verb `ask.detail`: {ask, detail}."""
    services, data = request.services, request.data
    ask = await services.run(
        services.asks.add_detail, request.member, data.get("ask"), _text(data.get("detail"))
    )
    services.doorbell.ring()
    return render_card("ask", ask_card_view(ask, controls=True))


async def list_asks(request: CommandRequest) -> Card:
    """`asks [open|mine|all|search <words>|report|<number>]`."""
    services, member = request.services, request.member
    which, _, words = request.args[:MAX_ARGS_CHARS].strip().partition(" ")
    which = which.casefold() or "open"
    if which.isdecimal() and not words.strip():  # `asks 7`: the ask with its replies
        found_ask = await services.run(services.asks.view, which)
        return ask_thread_card(found_ask, names=request.conversation_kind == "personal")
    if which == "report":
        if request.conversation_kind != "personal":  # it names colleagues; files go in 1:1
            raise ForumError("The asks report names colleagues: ask me for it in our 1:1 chat.")
        report = await services.run(services.asks.report, member, ALL_TIME)
        return report_card(report.figures, report.csv)
    if which == "search":
        if not words.strip():
            raise ForumError("Say what to look for, for example: asks search S75 therapies")
        found = await services.run(services.asks.search, words[:300])
        return asks_list_card(words[:100], found, services.clock.now())
    if which not in ("open", "mine", "all"):
        raise ForumError(
            "Try asks open, asks mine, asks all, asks search <words> or asks <number> "
            "(an ask with its replies)."
        )
    found = await services.run(services.asks.listed, member, which)
    return asks_list_card(which, found, services.clock.now())


async def set_away(request: CommandRequest) -> Card:
    """`away [until <date>] [for <email>]` (another member's: the secretariat)."""
    services = request.services
    args, whom = _whom(request.args)
    words = args.strip()
    until = None
    if words:
        day = words.removeprefix("until").strip() if words.casefold().startswith("until") else ""
        today = services.clock.now().astimezone(LONDON).date()
        until = parse_day(day, today)
    state = await services.run(services.asks.set_away, request.member, whom, until)
    return availability_card(state, own=state.member.aad_object_id == request.member.aad_object_id)


async def set_back(request: CommandRequest) -> Card:
    """`back [for <email>]`."""
    services = request.services
    _, whom = _whom(request.args)
    state = await services.run(services.asks.set_back, request.member, whom)
    return availability_card(state, own=state.member.aad_object_id == request.member.aad_object_id)


async def change_topics(request: CommandRequest) -> Card:
    """`topics [add|remove <topic>] [for <email>]`."""
    services = request.services
    args, whom = _whom(request.args[:MAX_ARGS_CHARS])
    verb, _, topic = args.strip().partition(" ")
    verb = verb.casefold()
    if verb not in ("", "add", "remove") or (verb and not topic.strip()):
        raise ForumError("Try topics, topics add <topic> or topics remove <topic>.")
    adding = [topic.strip()] if verb == "add" else []
    removing = [topic.strip()] if verb == "remove" else []
    member = await services.run(services.asks.change_topics, request.member, whom, adding, removing)
    return topics_card(member, own=member.aad_object_id == request.member.aad_object_id)


# -- the jobs: forum_ops functions with the cards they send (bot/features.py names them) ---------


def sweep(session: Session, run: JobRun) -> None:
    """Every 15 minutes: routes unanswered for 2 working days move on."""
    asks.sweep(session, run.now, run.messenger, CARDS)


def digest(session: Session, run: JobRun) -> None:
    """Mondays at 09:00: open asks and those answered last week, to where asks are posted."""
    channel = run.settings.peer_support_channel_id
    asks.weekly_digest(session, run.key, run.now, run.messenger, CARDS, channel)


# -- parsing --------------------------------------------------------------------------------------


def _whom(args: str) -> tuple[str, str]:
    """The words, and the email after a trailing `for <email>` (empty: oneself)."""
    found = EMAIL.search(args)
    if found is None:
        return args, ""
    return args[: found.start()], found.group(1)


def _text(value: object) -> str:
    """A card's text field, whole: the service measures it (a cut one would be misreported)."""
    return value if isinstance(value, str) else ""


def _notice(message: str) -> Card:
    return render_card("notice", NoticeView("Round robin", message))
