"""The Microsoft 365 Agents SDK transport (FORUM_TRANSPORT=agents).

The SDK (microsoft-agents-hosting-aiohttp / -hosting-core / -activity 1.9) runs each turn: its
CloudAdapter makes the turn context and the pipeline, its Teams connector client
(TeamsConnectorClient) makes every Bot Connector call (send, reply, update, delete, create
conversation), and its activity models carry what goes on the wire. The forum's handler is
written against botbuilder's TurnContext (bot/handler.py); a small bridge adapter gives it one
whose sends, updates and deletes go through the Agents SDK's adapter, so the handler is the same
on both transports.

Kept from the forum's own code, on purpose:
- Inbound tokens are checked by bot/auth.py's ChannelTokenValidator, not by the SDK's
  JwtTokenValidator: the SDK's checks the issuer only when configured to (VALIDATE_ISSUER), does
  not require the `serviceurl` claim nor compare it with the activity's serviceUrl, ignores the
  keys' channel endorsements, accepts RS256 only and fetches keys with blocking `requests` in a
  thread from fixed Bot Framework URLs. Ours is stricter and has the tests (tests/e2e/test_auth.py).
- Outbound app tokens come from the app's TokenSource (azure-identity, or a fixed token in tests),
  asked for on each call as botbuilder's path does, so an Entra outage is a retryable outcome of
  the send (bot/outbox_worker.py), and the connections are the app's pool.
The connector's refusals (aiohttp.ClientResponseError) become bot.connector.ConnectorError, with
Retry-After, as the outbox worker expects.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

import aiohttp
from botbuilder.core import BotAdapter, InvokeResponse, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ConversationParameters,
    ConversationReference,
    ResourceResponse,
)
from microsoft_agents.activity import Activity as AgentsActivity
from microsoft_agents.activity import ConversationParameters as AgentsConversationParameters
from microsoft_agents.activity import ConversationReference as AgentsConversationReference
from microsoft_agents.activity import ConversationResourceResponse
from microsoft_agents.hosting.aiohttp import CloudAdapter as AgentsCloudAdapter
from microsoft_agents.hosting.core import TurnContext as AgentsTurnContext
from microsoft_agents.hosting.core.authorization import ClaimsIdentity
from microsoft_agents.hosting.core.connector import UserTokenClientBase
from microsoft_agents.hosting.core.connector.client.connector_client import (
    ConversationsOperations,
)
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient
from msrest.serialization import Model
from pydantic import ValidationError

from bot.auth import ChannelTokenValidator
from bot.connector import (
    BOT_FRAMEWORK_SCOPE,
    Codec,
    ConnectorError,
    JsonReady,
    TokenSource,
    check_service_url,
    retry_after_seconds,
    to_json,
)
from bot.transports import BadActivity

log = logging.getLogger(__name__)

Logic = Callable[[TurnContext], Awaitable[Any]]
OnError = Callable[[TurnContext, Exception], Awaitable[None]]
AUDIENCE = BOT_FRAMEWORK_SCOPE.removesuffix("/.default")
MAX_SHARED_SESSIONS = 32  # beyond this many endpoints, a turn's session is its own
USER_AGENT = "SEND-Forum-Assistant (microsoft-agents-hosting-core 1.9)"


class AgentsTransport:
    """The Transport (bot/transports/__init__.py) on the Microsoft 365 Agents SDK."""

    def __init__(
        self,
        validator: ChannelTokenValidator | None,
        tokens: TokenSource,
        http: aiohttp.ClientSession,
        codec: Codec,
        on_error: OnError,
        *,
        require_https: bool,
    ) -> None:
        self._validator, self._codec, self._on_error = validator, codec, on_error
        self._clients = _ConnectorClients(tokens, http, require_https=require_https)
        self.adapter = AgentsCloudAdapter(channel_service_client_factory=self._clients)
        self.adapter.on_turn_error = None  # the handler's errors are answered inside the bridge

    async def close(self) -> None:
        await self._clients.close()

    # -- inbound ---------------------------------------------------------------------------------

    async def process_activity(
        self, auth_header: str, activity: Activity, logic: Logic
    ) -> InvokeResponse | None:
        try:  # read before the token is checked, as the endpoint reads it for botbuilder
            incoming = self._agents_activity(activity)
        except ValidationError as error:
            raise BadActivity("the activity has fields of the wrong type") from error
        if self._validator is None:  # no app id: local, the chat, the Emulator, the Playground
            identity = ClaimsIdentity({}, authentication_type="Anonymous")
        else:
            claims = await self._validator.validate(auth_header, activity)
            identity = ClaimsIdentity(claims, authentication_type="Bearer")

        async def turn(context: AgentsTurnContext) -> None:
            await self._run(context, activity, logic)

        answer = await self.adapter.process_activity(identity, incoming, turn)
        if answer is None:
            return None
        return InvokeResponse(status=int(answer.status), body=answer.body)

    # -- proactive -------------------------------------------------------------------------------

    async def continue_conversation(
        self, reference: ConversationReference, callback: Logic, bot_app_id: str | None
    ) -> None:
        agents_reference = AgentsConversationReference.model_validate(self._codec.dump(reference))
        continuation = agents_reference.get_continuation_activity()

        async def turn(context: AgentsTurnContext) -> None:
            await self._proactive(context, callback)

        await self._outbound(
            self.adapter.continue_conversation(bot_app_id or "", continuation, turn)
        )

    async def create_conversation(
        self,
        bot_app_id: str | None,
        callback: Logic,
        conversation_parameters: ConversationParameters,
        channel_id: str,
        service_url: str,
        audience: str | None = None,
    ) -> None:
        wire = self._codec.dump(conversation_parameters)
        if "tenantID" in wire:  # botbuilder's spelling; the REST API's (and the SDK's) tenantId
            wire["tenantId"] = wire.pop("tenantID")
        parameters = AgentsConversationParameters.model_validate(wire)

        async def turn(context: AgentsTurnContext) -> None:
            await self._proactive(context, callback)

        await self._outbound(
            self.adapter.create_conversation(
                bot_app_id or "", channel_id, service_url, audience or AUDIENCE, parameters, turn
            )
        )

    # -- the bridge ------------------------------------------------------------------------------

    async def _run(self, context: AgentsTurnContext, activity: Activity, logic: Logic) -> None:
        bridge = _Bridge(self, context)
        await bridge.run_pipeline(TurnContext(bridge, activity), logic)

    async def _proactive(self, context: AgentsTurnContext, callback: Logic) -> None:
        """A proactive turn: the callback handles its own errors (the outbox worker's do)."""
        activity = self._codec.load("Activity", _wire(context.activity))
        await callback(TurnContext(_Bridge(self, context, on_error=False), activity))

    @staticmethod
    async def _outbound(call: Awaitable[object]) -> None:
        try:
            await call
        except aiohttp.ClientResponseError as error:
            raise _refused(error) from error

    def _agents_activity(self, activity: Activity) -> AgentsActivity:
        return AgentsActivity.model_validate(_plain(activity))


class _Bridge(BotAdapter):
    """botbuilder's TurnContext over an Agents SDK turn: what the handler sends, updates and
    deletes goes through the Agents SDK's adapter and connector client."""

    def __init__(
        self, transport: AgentsTransport, context: AgentsTurnContext, *, on_error: bool = True
    ) -> None:
        super().__init__(transport._on_error if on_error else None)
        self._transport, self._context = transport, context

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        responses = []
        for activity in activities:
            activity.id = None
            if activity.type == ActivityTypes.invoke_response:
                context.turn_state[self._INVOKE_RESPONSE_KEY] = activity
                answer = activity.value
                value = (
                    {"status": int(answer.status), "body": _body(answer.body)}
                    if isinstance(answer, InvokeResponse)
                    else to_json(answer)
                )
                outgoing = AgentsActivity(type=ActivityTypes.invoke_response, value=value)
            else:
                outgoing = self._transport._agents_activity(activity)
            sent = await self._call(self._adapter.send_activities(self._context, [outgoing]))
            found = sent[0].id if sent and sent[0] is not None else None
            responses.append(ResourceResponse(id=found or ""))
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity) -> ResourceResponse:
        outgoing = self._transport._agents_activity(activity)
        answer = await self._call(self._adapter.update_activity(self._context, outgoing))
        return ResourceResponse(id=getattr(answer, "id", None) or activity.id)

    async def delete_activity(self, context: TurnContext, reference: ConversationReference) -> None:
        target = AgentsConversationReference.model_validate(self._transport._codec.dump(reference))
        await self._call(self._adapter.delete_activity(self._context, target))

    @property
    def _adapter(self) -> AgentsCloudAdapter:
        return self._transport.adapter

    @staticmethod
    async def _call(call: Awaitable[Any]) -> Any:
        try:
            return await call
        except aiohttp.ClientResponseError as error:
            raise _refused(error) from error


def _refused(error: aiohttp.ClientResponseError) -> ConnectorError:
    """The Agents SDK's connector raises ClientResponseError with the body as its message."""
    retry_after = error.headers.get("Retry-After") if error.headers else None
    return ConnectorError(error.status, retry_after_seconds(retry_after), str(error.message))


def _plain(value: Any) -> Any:
    """A botbuilder model as JSON data, as bot.connector.to_json writes it, keeping the nulls
    that activities carry inside their free-form parts (value, channelData, entities)."""
    if value is None:
        return None
    if isinstance(value, Model) and not isinstance(value, JsonReady):
        out: dict[str, Any] = {}
        for attr, meta in value._attribute_map.items():
            item = getattr(value, attr, None)
            if item is None:
                continue
            if attr == "additional_properties" and meta["key"] == "":
                out.update(_plain(item))
            else:
                out[meta["key"]] = _plain(item)
        return out
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict) and not isinstance(value, JsonReady):
        return {key: _plain(item) for key, item in value.items()}
    return to_json(value)


def _body(body: object) -> Any:
    return _plain(body)


def _wire(activity: AgentsActivity) -> dict[str, Any]:
    dumped: dict[str, Any] = activity.model_dump(by_alias=True, exclude_none=True, mode="json")
    return dumped


class _ConnectorClients:
    """The Agents SDK's channel service client factory: its TeamsConnectorClient for each turn,
    on the app's connection pool, with the app's token added to each request."""

    def __init__(
        self, tokens: TokenSource, http: aiohttp.ClientSession, *, require_https: bool
    ) -> None:
        self._tokens, self._http, self._require_https = tokens, http, require_https
        # one session per Bot Connector endpoint (Teams has a few, by region), on the app's pool
        self._sessions: dict[str, aiohttp.ClientSession] = {}

    async def create_connector_client(
        self,
        context: AgentsTurnContext | None,
        claims_identity: ClaimsIdentity,
        service_url: str,
        audience: str,
        scopes: list[str] | None = None,
        use_anonymous: bool = False,
    ) -> TeamsConnectorClient:
        check_service_url(service_url, require_https=self._require_https)
        base_url = service_url.rstrip("/") + "/"
        session = self._sessions.get(base_url)
        shared = session is not None or len(self._sessions) < MAX_SHARED_SESSIONS
        if session is None:
            session = aiohttp.ClientSession(
                base_url=base_url,
                connector=self._http.connector,
                connector_owner=False,
                timeout=self._http.timeout,
                headers={"User-Agent": USER_AGENT},
                middlewares=(self._authorise,),
            )
            if shared:
                self._sessions[base_url] = session
        client = _Client(endpoint=base_url, token="", session=session)
        client.shared = shared
        client._conversations = _Conversations(session)
        return client

    async def close(self) -> None:
        sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            await session.close()

    async def create_user_token_client(
        self,
        context: AgentsTurnContext,
        claims_identity: ClaimsIdentity,
        use_anonymous: bool = False,
    ) -> UserTokenClientBase:
        # the forum uses no user sign-in (OAuth prompts); the SDK only closes this
        return cast(UserTokenClientBase, _NoUserTokens())

    async def _authorise(
        self, request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        token = await self._tokens.token()
        if token:
            request.headers["Authorization"] = f"Bearer {token}"
        return await handler(request)


class _Client(TeamsConnectorClient):
    """The SDK's Teams connector client; closing it at the end of a turn leaves the shared
    session open (the transport closes it with the app)."""

    shared = False

    async def close(self) -> None:
        if not self.shared:
            await super().close()


class _Conversations(ConversationsOperations):
    """The SDK's conversation operations, but a created conversation's answer may say
    `"activityId": null` (a 1:1 chat opened without a first message has no activity): the
    SDK's model refuses an explicit null there, as microsoft/teams.py#272 fixed in the Teams SDK."""

    async def create_conversation(
        self, body: AgentsConversationParameters
    ) -> ConversationResourceResponse:
        payload = body.model_dump(by_alias=True, exclude_unset=True, mode="json")
        async with self.client.post("v3/conversations", json=payload) as response:
            text = await response.text()
            if response.status not in (200, 201, 202):
                raise ConnectorError(
                    response.status, retry_after_seconds(response.headers.get("Retry-After")), text
                )
        data = json.loads(text) if text else {}
        present = {key: value for key, value in data.items() if value is not None}
        return ConversationResourceResponse.model_validate(present)


class _NoUserTokens:
    async def close(self) -> None:
        return None
