"""A directory suggestion as the form sends it, for the tests that suggest one."""

from __future__ import annotations

TRANSPORT_NETWORK = {
    "name": "North London SEND Transport Network",
    "kind": "informal network",
    "scope": "sub-region",
    "topics": "home to school transport; travel training",
    "offers": "Transport leads compare routes, contracts and travel training.",
    "how_to_join": "Ask the convenor.",
    "link": "https://example.org/send-transport",
    "contact": "convenor@example.org",
    "owner": "Barnet",
}
