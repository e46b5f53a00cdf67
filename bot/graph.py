"""Microsoft Graph through msgraph-sdk, at a configurable base URL (tests use bot.testing.FakeGraph)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_service_client import GraphServiceClient
from msgraph_core import GraphClientFactory

GRAPH_SCOPE = "https://graph.microsoft.com/.default"


@asynccontextmanager
async def open_graph(base_url: str, credential: Any) -> AsyncIterator[GraphServiceClient]:
    """A Graph client for `credential` (an azure-identity async credential) at `base_url`;
    its HTTP connections are closed on exit."""
    host = urlsplit(base_url).hostname or ""
    auth = AzureIdentityAuthenticationProvider(
        credential, scopes=[GRAPH_SCOPE], allowed_hosts=[host]
    )
    # kiota wraps the client's transport in its middleware transport, whose aclose does not
    # reach the inner one: we own the inner transport and close it ourselves.
    transport = httpx.AsyncHTTPTransport()
    http = GraphClientFactory.create_with_default_middleware(
        client=httpx.AsyncClient(transport=transport, timeout=30)
    )
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = base_url.rstrip("/")
    try:
        yield GraphServiceClient(request_adapter=adapter)
    finally:
        await http.aclose()
        await transport.aclose()
