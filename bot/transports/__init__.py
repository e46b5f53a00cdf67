"""The transport: what carries activities between Teams and the bot, chosen by FORUM_TRANSPORT.

The handler (bot/handler.py), the endpoint (bot/endpoint.py) and the outbox worker
(bot/outbox_worker.py) talk to "a transport" through this protocol; two implement it:

- `botbuilder`: the Bot Framework SDK's CloudAdapter (botbuilder 4.17.1, archived, support ended
  31 December 2025), with our authentication and pooled connector (bot/auth.py, bot/connector.py).
- `agents`: the Microsoft 365 Agents SDK (microsoft-agents-hosting-aiohttp 1.9), its adapter,
  turn pipeline and Bot Connector client (bot/transports/agents.py).

Both take the same activity, run the same handler and answer with the same invoke bodies; the
end-to-end suite runs over each (tests/e2e/conftest.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

if TYPE_CHECKING:
    import aiohttp
    from botbuilder.core import InvokeResponse, TurnContext
    from botbuilder.schema import Activity, ConversationParameters, ConversationReference

    from bot.auth import ChannelTokenValidator
    from bot.connector import Codec, PooledConnectorFactory, TokenSource
    from bot.settings import Settings

TransportName = Literal["botbuilder", "agents"]
TRANSPORTS: tuple[TransportName, ...] = ("botbuilder", "agents")

Logic = Callable[["TurnContext"], Awaitable[Any]]
OnError = Callable[["TurnContext", Exception], Awaitable[None]]


class BadActivity(ValueError):
    """The transport's SDK cannot read the activity (HTTP 400); the message says why."""


class Transport(Protocol):
    """What the endpoint and the outbox worker need; botbuilder's CloudAdapter has this shape."""

    async def process_activity(
        self, auth_header: str, activity: Activity, logic: Logic
    ) -> InvokeResponse | None:
        """Authenticate (Unauthorized, AuthUnavailable), run the turn, give the invoke's answer;
        BadActivity if the SDK cannot read the activity."""
        ...

    async def continue_conversation(
        self, reference: ConversationReference, callback: Logic, bot_app_id: str | None
    ) -> Any:
        """A proactive turn in a known conversation; sends go through the callback's context."""
        ...

    async def create_conversation(
        self,
        bot_app_id: str | None,
        callback: Logic,
        conversation_parameters: ConversationParameters,
        channel_id: str,
        service_url: str,
        audience: str | None = None,
    ) -> Any:
        """Open a conversation (a member's 1:1 chat), then a proactive turn in it."""
        ...


def build_transport(
    settings: Settings,
    *,
    validator: ChannelTokenValidator | None,
    factory: PooledConnectorFactory,
    tokens: TokenSource,
    http: aiohttp.ClientSession,
    codec: Codec,
    on_error: OnError,
) -> Transport:
    """The transport the settings name (FORUM_TRANSPORT), its SDK imported only then."""
    if settings.forum_transport == "agents":
        from bot.transports.agents import AgentsTransport

        return AgentsTransport(
            validator,
            tokens,
            http,
            codec,
            on_error,
            require_https=settings.auth_enabled,
        )
    from botbuilder.integration.aiohttp import CloudAdapter

    from bot.auth import ForumAuthentication

    adapter = CloudAdapter(ForumAuthentication(validator, factory))
    adapter.on_turn_error = on_error
    return cast(Transport, adapter)
