"""The Teams activity handler: parse, call a command or action, reply with a card.

Every turn first passes the tenant allow-list (refused politely, nothing stored), then one trip to
the database drops redelivered activities and finds the sender in the registry.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from http import HTTPStatus
from typing import TYPE_CHECKING

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount
from botbuilder.schema.teams import (
    MessagingExtensionQuery,
    MessagingExtensionResponse,
    TeamInfo,
)

from bot.actions import ActionRequest
from bot.commands import Command, CommandRequest, split_command
from bot.commands.help import how_to_talk
from bot.connector import Codec
from bot.dialogs import DialogTurn
from bot.features import Routes
from bot.kept_answers import AnswerKey, KeptAnswers
from bot.lazy import later
from bot.replies import card_invoke_response, card_message, error_invoke_response
from bot.searches import SearchRequest, extension_message
from bot.services import Services
from bot.teams import (
    FileUpload,
    action_data,
    beside_cards,
    carries_a_card,
    command_text,
    conversation_kind,
    extension_query,
    file_upload,
    sender_aad_id,
    team_id,
    tenant_id,
)
from bot.uploads import UploadRequest
from cards import Card, render_card
from cards.views.common import ErrorView, JoinView, NotUnderstoodView, QuickAction, WelcomeView
from forum_ops.db.engine import TURN
from forum_ops.db.versions import reading
from forum_ops.dialogs import DialogState
from forum_ops.errors import ForumError, NotAllowed
from forum_ops.members.model import Member
from forum_ops.outbox.activity import card_payload
from forum_ops.outbox.conversations import ConversationPlace
from forum_ops.outbox.installation import installed
from forum_ops.ports import REPLAYING_FROM
from forum_ops.turns import (
    Redelivered,
    TurnLedger,
    activity_key,
    claim_answer,
    given_answer,
    start_turn,
)

if TYPE_CHECKING:
    from bot import file_offers
else:
    file_offers = later("bot.file_offers")  # openpyxl and the reports: on first use

log = logging.getLogger(__name__)

MEMBER_KEY = "forum.member"
DIALOG_KEY = "forum.dialog"
START_KEY = "forum.start"  # the turn's start: its time and the tables' versions then
CARD_ACTION = "adaptiveCard/action"
EXTENSION_QUERY = "composeExtension/query"
FILE_CONSENT = "fileConsent/invoke"


class ForumBot(TeamsActivityHandler):
    def __init__(self, services: Services, codec: Codec, routes: Routes) -> None:
        self._services, self._codec, self._routes = services, codec, routes
        self.kept_answers = KeptAnswers()

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if not self._services.settings.tenant_allowed(tenant_id(activity)):
            log.info("turn.tenant_refused", extra={"activity_type": activity.type})
            await self._refuse(turn_context)
            return
        card_action = activity.type == ActivityTypes.invoke and activity.name == CARD_ACTION
        key = None  # a search (the only other invoke) changes nothing: each is answered afresh
        if (activity.type != ActivityTypes.invoke or card_action) and activity.id:
            key = activity_key(activity.channel_id, activity.conversation.id, activity.id)
        conversation = activity.conversation.id if activity.conversation else None
        now = self._services.clock.now()
        start = await self._services.run(
            start_turn, self._services.db, key, sender_aad_id(activity), now, conversation
        )
        if start.duplicate and not card_action:
            log.info("turn.duplicate", extra={"activity_type": activity.type})
            return
        if start.duplicate and start.response is not None:
            log.info("turn.duplicate", extra={"activity_type": activity.type})
            await _answer(turn_context, InvokeResponse(**start.response))
            return
        turn_context.turn_state[MEMBER_KEY] = start.member
        turn_context.turn_state[DIALOG_KEY] = start.dialog
        turn_context.turn_state[START_KEY] = (now, start.versions)
        if key is None:
            await super().on_turn(turn_context)
            return
        # A card action whose change committed but whose card was not given (the server was
        # killed, or another replica is answering it) runs again for its card, changing nothing.
        ledger = TurnLedger(key, now, replaying=start.duplicate)
        turn_context.on_send_activities(functools.partial(self._claim_answer, ledger))
        turn = TURN.set(ledger)
        replayed = REPLAYING_FROM.set(start.received_at if start.duplicate else None)
        try:
            await super().on_turn(turn_context)
        except Redelivered:  # another delivery of this activity changed what it changes first
            if not card_action:
                log.info("turn.duplicate", extra={"activity_type": activity.type})
                return
            ledger.replaying = True
            await super().on_turn(turn_context)
        finally:
            REPLAYING_FROM.reset(replayed)
            TURN.reset(turn)

    async def _claim_answer(
        self,
        ledger: TurnLedger,
        turn_context: TurnContext,
        activities: list[Activity],
        send: Callable[[], Awaitable[None]],
    ) -> None:
        """Before a turn's first answer goes: claim it for this delivery, so a redelivery never
        answers twice; a card action's answer is kept with the key, to be given again. A
        delivery that lost the claim sends nothing, or (a card action) the answer kept."""
        if not ledger.answered:
            invoke = next((a for a in activities if a.type == ActivityTypes.invoke_response), None)
            kept = _kept(invoke.value) if invoke is not None else None
            if ledger.redelivered and not ledger.replaying:
                claimed = False
            elif ledger.recorded and invoke is None:
                claimed = True  # the key is this delivery's: any other's change was refused
            else:
                claimed = await self._services.run(
                    claim_answer, self._services.db, ledger.key, ledger.now, kept
                )
            if claimed:
                ledger.answered = True
            else:
                log.info("turn.duplicate", extra={"activity_type": turn_context.activity.type})
                given = (
                    await self._services.run(given_answer, self._services.db, ledger.key)
                    if invoke is not None
                    else None
                )
                activities.clear()  # botbuilder sends what the list holds once handlers ran
                if invoke is not None and given is not None:
                    activities.append(_invoke_activity(InvokeResponse(**given)))
        await send()

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        member: Member | None = turn_context.turn_state.get(MEMBER_KEY)
        if member is None:
            await self._send(
                turn_context, render_card("join", JoinView(self._aad_id(turn_context)))
            )
            return
        activity = turn_context.activity
        kind, text = conversation_kind(activity), command_text(activity)
        data = action_data(activity.value)
        if data is None and carries_a_card(activity):
            # a card picked from the message extension's search and sent into the chat: the
            # text is only its placeholder, not a command (words typed beside it are one)
            text = beside_cards(text)
            if not text:
                log.info("turn.card_only", extra={"conversation_kind": kind})
                return
        upload = file_upload(activity)
        dialog: DialogState | None = turn_context.turn_state.get(DIALOG_KEY)
        card: Card | None = None
        if upload is not None:
            card = await self._receive_file(member, upload, text, kind, activity.conversation.id)
        elif dialog is not None:  # an answer, unless the dialog says it is a command
            turn = DialogTurn(
                member, dialog, text, data or {}, kind, self._services, self._routes.commands
            )
            card = await self._routes.dialogs.resume(turn)
        if card is None and data is not None:
            card = await self._routes.actions.dispatch(
                ActionRequest(member, data, kind, self._services, self._routes.commands)
            )
        elif card is None:
            card = await self._run_text(member, text, kind, turn_context.turn_state[START_KEY])
        await self._send(turn_context, card)

    async def _receive_file(
        self, member: Member, upload: FileUpload, text: str, kind: str, conversation_id: str
    ) -> Card:
        """A file sent in chat: to the features that take it (bot/features.py, `uploads=`)."""
        request = UploadRequest(member, upload, text, kind, conversation_id, self._services)
        return await self._routes.uploads.receive(request)

    async def _run_text(
        self, member: Member, text: str, kind: str, start: tuple[datetime, Mapping[str, int]]
    ) -> Card:
        name, args = split_command(text)
        commands = self._routes.commands
        command = commands.get(name)
        if command is not None and not command.allowed(member):
            raise NotAllowed(command.refusal())
        if command is None:
            suggestions = commands.suggestions(text, member)
            return render_card(
                "not_understood",
                NotUnderstoodView(
                    said=text or "(an empty message)",
                    suggestion="Perhaps one of these? Or type help for everything I can do.",
                    closest=tuple(_suggested(c, args) for c, args in suggestions),
                ),
            )
        now, versions = start
        key = AnswerKey.of(name, args, member, kind, now)
        kept = self.kept_answers.get(key, versions)
        if kept is not None:
            log.info("turn.kept_answer", extra={"command": name})
            return kept
        with reading() as reads:
            card = await command.handler(
                CommandRequest(member, args, kind, self._services, commands)
            )
        self.kept_answers.keep(key, card, reads, versions)
        return card

    async def on_teams_members_added(
        self,
        teams_members_added: list[ChannelAccount],
        team_info: TeamInfo,
        turn_context: TurnContext,
    ) -> None:
        activity = turn_context.activity
        if not any(m.id == activity.recipient.id for m in teams_members_added):
            return  # people joining the team: nothing to do yet
        member: Member | None = turn_context.turn_state.get(MEMBER_KEY)
        kind = conversation_kind(activity)
        if kind == "personal" and member is None:
            await self._send(
                turn_context, render_card("join", JoinView(self._aad_id(turn_context)))
            )
            return
        place = ConversationPlace(
            conversation_id=activity.conversation.id,
            kind=kind,
            tenant_id=tenant_id(activity) or "",
            aad_object_id=member.aad_object_id if kind == "personal" and member else None,
            team_id=team_id(activity),
            reference=self._reference(activity, keep_user=kind == "personal"),
        )
        greeting = f"Hello {member.name}." if kind == "personal" and member else "Hello everyone."
        welcome = card_payload(render_card("welcome", WelcomeView(greeting, how_to_talk(kind))))
        await self._services.run(self._installed, place, welcome, activity.id or "")
        self._services.doorbell.ring()
        log.info("bot.installed", extra={"conversation_kind": kind})

    def _installed(
        self, place: ConversationPlace, welcome: dict[str, object], install_id: str
    ) -> None:
        with self._services.db.transaction() as session:
            installed(session, place, welcome, install_id, self._services.clock.now())

    def _reference(self, activity: Activity, *, keep_user: bool) -> dict[str, object]:
        reference = self._codec.dump(TurnContext.get_conversation_reference(activity))
        reference.pop("activityId", None)
        if not keep_user:
            reference.pop("user", None)  # a channel post needs no person's details
        return reference

    async def on_teams_messaging_extension_query(
        self, turn_context: TurnContext, query: MessagingExtensionQuery
    ) -> MessagingExtensionResponse:
        """The message extension's search: to the feature that answers the manifest's command
        (bot/features.py, `searches=`)."""
        member: Member | None = turn_context.turn_state.get(MEMBER_KEY)
        if member is None:
            return extension_message(
                "You're not in the forum's membership registry yet: ask LIIA to add you."
            )
        search = self._routes.searches.get(query.command_id or "")
        if search is None:
            return extension_message("I don't know that search.")
        words = next(
            (str(p.value) for p in query.parameters or [] if p.name == "searchQuery" and p.value),
            "",
        )
        return await search(SearchRequest(member, words, self._services))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """The invokes the bot serves; any other name is a bad request (400, not the SDK's 501:
        the app's manifest asks Teams for no others), answered before its value is read (the
        SDK deserialises every invoke's value first, and a value of the wrong shape was a 500)."""
        name = turn_context.activity.name
        if name == CARD_ACTION:
            return await self._on_card_action(turn_context)
        if name == EXTENSION_QUERY:
            query = extension_query(turn_context.activity.value)
            if query is None:
                return InvokeResponse(status=HTTPStatus.BAD_REQUEST)
            response = await self.on_teams_messaging_extension_query(turn_context, query)
            return self._create_invoke_response(response)
        if name == FILE_CONSENT:
            return await self._on_file_consent(turn_context)
        return InvokeResponse(status=HTTPStatus.BAD_REQUEST)

    async def _on_file_consent(self, turn_context: TurnContext) -> InvokeResponse:
        """Allow or Decline on a file consent card: the file to the member it was offered to,
        or a word saying why not; Teams is answered 200 either way."""
        member: Member | None = turn_context.turn_state.get(MEMBER_KEY)
        if member is None:
            await self._send(
                turn_context, render_card("join", JoinView(self._aad_id(turn_context)))
            )
            return InvokeResponse(status=HTTPStatus.OK)
        reply = await file_offers.answer_file_consent(
            self._services, member, turn_context.activity.value
        )
        if reply is not None:  # None: this answer was acted on already (a redelivery)
            await turn_context.send_activity(reply)
        return InvokeResponse(status=HTTPStatus.OK)

    async def _on_card_action(self, turn_context: TurnContext) -> InvokeResponse:
        member: Member | None = turn_context.turn_state.get(MEMBER_KEY)
        if member is None:
            return card_invoke_response(render_card("join", JoinView(self._aad_id(turn_context))))
        value = action_data(turn_context.activity.value) or {}
        action = action_data(value.get("action")) or {}
        if action.get("type") != "Action.Execute":
            return error_invoke_response(
                HTTPStatus.BAD_REQUEST, "BadRequest", "not an Action.Execute"
            )
        data = dict(action_data(action.get("data")) or {})
        if isinstance(action.get("verb"), str):
            data.setdefault("verb", action["verb"])
        kind = conversation_kind(turn_context.activity)
        try:
            card = await self._routes.actions.dispatch(
                ActionRequest(member, data, kind, self._services, self._routes.commands)
            )
        except ForumError as error:
            card = render_card("error", ErrorView("That didn't work", str(error)))
        return card_invoke_response(card)

    async def _refuse(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        card = render_card(
            "error",
            ErrorView(
                "This assistant serves the Pan-London SEND Commissioning Forum only",
                "Your organisation's Teams is not one the forum serves. If you are a member, "
                "ask the forum's secretariat at LIIA to add your organisation.",
            ),
        )
        if activity.type == ActivityTypes.message:
            await self._send(turn_context, card)
        elif activity.type == ActivityTypes.invoke:
            await turn_context.send_activity(
                Activity(type=ActivityTypes.invoke_response, value=card_invoke_response(card))
            )

    @staticmethod
    def _aad_id(turn_context: TurnContext) -> str:
        return sender_aad_id(turn_context.activity) or "unknown"

    @staticmethod
    async def _send(turn_context: TurnContext, card: Card) -> None:
        await turn_context.send_activity(card_message(card))


def _kept(response: object) -> dict[str, object] | None:
    """An invoke's answer as kept with its key (status and JSON body), or None if it has none."""
    if not isinstance(response, InvokeResponse):
        return None
    return {"status": int(response.status), "body": response.body}


def _invoke_activity(response: InvokeResponse) -> Activity:
    return Activity(type=ActivityTypes.invoke_response, value=response)


async def _answer(turn_context: TurnContext, response: InvokeResponse) -> None:
    await turn_context.send_activity(_invoke_activity(response))


def _suggested(command: Command, args: str) -> QuickAction:
    """A suggestion's button: with the words typed after the mistyped command, it reads as the
    command it runs (`benchmark SEMH`), and runs it with them."""
    if not args:
        return QuickAction(command.name, command.button or command.name)
    return QuickAction(command.name, f"{command.name} {' '.join(args.split())}", args)


async def on_turn_error(turn_context: TurnContext, error: Exception) -> None:
    """Domain errors become a friendly card; anything else is logged with a reference and apologised for."""
    activity = turn_context.activity
    if isinstance(error, ForumError):
        view = ErrorView("That didn't work", str(error))
        log.info("turn.refused", extra={"reason": type(error).__name__})
    else:
        reference = uuid.uuid4().hex[:10]
        log.error(
            "turn.failed",
            exc_info=error,
            extra={"reference": reference, "activity_type": activity.type},
        )
        view = ErrorView(
            "Sorry, something went wrong on my side",
            "Please try again in a minute. If it keeps happening, tell the forum's secretariat.",
            reference,
        )
    card = render_card("error", view)
    try:
        if activity.type == ActivityTypes.invoke:
            response = (
                card_invoke_response(card)
                if activity.name == CARD_ACTION
                else InvokeResponse(status=HTTPStatus.INTERNAL_SERVER_ERROR)
            )
            await turn_context.send_activity(
                Activity(type=ActivityTypes.invoke_response, value=response)
            )
        elif activity.type == ActivityTypes.message:
            await turn_context.send_activity(card_message(card))
    except Exception:  # the connector itself may be what failed; the log already has the cause
        log.warning("turn.error_reply_failed", exc_info=True)
