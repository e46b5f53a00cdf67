"""The shipped fake Graph answers the real msgraph-sdk, at the base URL the settings name."""

from __future__ import annotations

from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.event import Event
from msgraph.generated.models.item_body import ItemBody

from bot.graph import open_graph
from bot.testing import FakeGraph, StaticCredential


async def test_msgraph_sdk_reads_a_user_from_the_fake() -> None:
    async with FakeGraph() as graph:
        graph.users["u1"] = {
            "id": "u1",
            "displayName": "Priya Shah",
            "mail": "priya@camden.example",
        }
        async with open_graph(graph.base_url, StaticCredential()) as client:
            user = await client.users.by_user_id("u1").get()

    assert user is not None
    assert (user.display_name, user.mail) == ("Priya Shah", "priya@camden.example")


async def test_msgraph_sdk_creates_an_online_meeting_event_on_the_fake() -> None:
    async with FakeGraph() as graph:
        event = Event(
            subject="Pan-London SEND Commissioning Forum",
            body=ItemBody(content_type=BodyType.Text, content="Agenda to follow"),
            is_online_meeting=True,
        )

        async with open_graph(graph.base_url, StaticCredential()) as client:
            created = await client.groups.by_group_id("forum-group").events.post(event)

        url = graph.url

    assert created is not None
    assert created.online_meeting is not None
    assert created.online_meeting.join_url == f"{url}/meet/event-1"
    assert graph.events[0]["subject"] == "Pan-London SEND Commissioning Forum"
