"""INMSS returns and benchmarks in Teams, end to end over HTTP with the fake connector."""

from __future__ import annotations

import asyncio
import io
import json
import re
import socket
import time
from collections.abc import AsyncIterator

import numpy as np
import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.test_utils import TestServer
from openpyxl import load_workbook

from analytics.benchmark_filters import Filters
from analytics.benchmarks import cost_table
from analytics.returns_synthetic import synthetic_returns
from bot.downloads import fetch_file, is_public
from bot.settings import Settings
from bot.testing import BotClient, FakeConnector
from cards import plain_text
from cards.format import pounds
from forum_ops.benchmarks.placements import GEOGRAPHY
from forum_ops.db import Database
from forum_ops.errors import ForumError
from forum_ops.members.reference import LOCAL_AUTHORITIES
from forum_ops.returns.releases import release_now, release_rows, releases
from forum_ops.returns.service import Submission, all_placements, replace_return, submissions
from tests.conftest import CAMDEN, LIIA, NOW, activity, make_settings, serve
from tests.support.cardcheck import assert_valid_card
from tests.support.chat import GREENWICH, fetch, in_chat, say, table_cells, upload
from tests.support.outboxing import FAST, place, remember, settled
from tests.support.returnfiles import (
    as_xlsx,
    clean_rows,
    empty_rows_bomb,
    huge_cell_bomb,
    lying_dimension_bomb,
    twelve_mistakes,
    wide_bomb,
)

PUBLIC = "http://127.0.0.1:3978"


async def test_a_data_submitter_sends_a_return_in_chat(
    bot_with_returns: BotClient, connector: FakeConnector, database: Database
) -> None:
    bad = await say(
        bot_with_returns, connector, CAMDEN, "2025-26",
        **upload(connector, as_xlsx(twelve_mistakes()), "camden-2025-26.xlsx"),
    )  # fmt: skip
    good = await say(
        bot_with_returns, connector, CAMDEN, "here is our return for 2025-26",
        **upload(connector, as_xlsx(clean_rows(7)), "camden.xlsx"),
    )  # fmt: skip

    assert "Return not imported: 12 problems" in plain_text(bad)
    problems = table_cells(bad)
    assert problems[0] == ["Row", "Column", "Problem"]
    assert ["8", "Start date", "is after the period ends (31/08/2026)"] in problems
    assert len(problems) == 13
    assert "Return imported: Camden, 2025-26" in plain_text(good)
    assert "7 placements" in plain_text(good)
    assert connector.downloads == 2
    with database.transaction() as session:
        camden = all_placements(session).query("borough == '202'")
    assert len(camden) == 7


async def test_only_a_boroughs_data_submitters_may_send_returns(
    bot_with_returns: BotClient, connector: FakeConnector
) -> None:
    for who in (GREENWICH, LIIA):
        card = await say(
            bot_with_returns, connector, who, "2025-26",
            **upload(connector, as_xlsx(clean_rows(2)), "r.xlsx"),
        )  # fmt: skip
        assert "Only a borough's data submitters can send its INMSS return" in plain_text(card)
    assert connector.downloads == 0


async def test_another_borough_never_sees_a_suppressed_figure(
    bot_with_returns: BotClient, connector: FakeConnector, database: Database
) -> None:
    card = await say(bot_with_returns, connector, GREENWICH, "benchmark SEMH secondary")

    text = plain_text(card)
    assert "INMSS benchmark: SEMH, secondary, London, 2025-26" in text
    with database.transaction() as session:
        frame = all_placements(session)
        release = release_rows(session, releases(session)[0].id)
    filters = Filters("2025-26", frozenset({"SEMH"}), frozenset({"secondary"}))
    rules = make_settings(database, connector).disclosure_rules()
    own = frame[frame["borough"] == "203"]
    truth = cost_table(release, filters, "provider_urn", GEOGRAPHY, rules, True, own)
    names = dict(zip(frame["provider_urn"], frame["provider_name"], strict=True))
    shown = {row[0]: row for row in table_cells(card)}
    rows = frame[(frame["primary_need"] == "SEMH") & (frame["phase"] == "secondary")]
    for cell in truth.cells:
        others = rows[(rows["provider_urn"] == cell.key) & (rows["borough"] != "203")]
        if cell.refused and len(others):
            # a withheld provider's real median is nowhere on the card
            assert pounds(np.median(others["total_cost"])) not in text
        if names[cell.key] in shown and cell.median is not None:
            assert shown[names[cell.key]][2] == pounds(cell.median)
    needs = {row[0]: row for row in table_cells(card)}
    assert needs["SEMH"][2].startswith("£")
    chart = next(e["url"] for e in card["body"] if e["type"] == "Image")
    assert re.fullmatch(re.escape(PUBLIC) + r"/charts/[A-Za-z0-9_-]{32}\.png", chart)
    status, kind, png = await fetch(bot_with_returns, chart)
    assert (status, kind, png[:4]) == (200, "image/png", b"\x89PNG")


async def test_a_withheld_cell_says_which_rule_withheld_it(
    bot_with_returns: BotClient, connector: FakeConnector
) -> None:
    card = await say(bot_with_returns, connector, GREENWICH, "benchmark SEMH secondary North West")
    none = await say(bot_with_returns, connector, GREENWICH, "benchmark MSI primary South West")
    assert (
        "Fewer than 5 placements in London's figures match MSI, primary, South West, 2025-26"
        in (plain_text(none))
    )
    marks = {c.removeprefix("–") for row in table_cells(card) for c in row if c.startswith("–")}
    marks.discard("")
    assert marks  # a withheld figure is a dash and a mark, not a sentence in the cell
    [footnote] = [line for line in plain_text(card).splitlines() if line.startswith("– not shown:")]
    explained = dict(
        part.split(" ", 1)
        for part in footnote.removeprefix("– not shown: ").rstrip(".").split("; ")
    )
    assert set(explained) == marks  # one footnote for the card explains every mark
    assert set(explained.values()) <= {
        "fewer than 3 boroughs",
        "fewer than 5 placements",
        "fewer than 10 placements",
        "one borough's spend dominates",
        "one borough has more than half the placements",
        "too few boroughs around the middle",
    }


async def test_benchmark_provider_and_top10(
    bot_with_returns: BotClient, connector: FakeConnector, database: Database
) -> None:
    with database.transaction() as session:
        frame = all_placements(session)
    camden = frame[frame["borough"] == "202"]
    favourite = camden.groupby("provider_name")["total_cost"].sum().idxmax()

    provider = await say(bot_with_returns, connector, CAMDEN, f"benchmark provider {favourite}")
    own = await say(bot_with_returns, connector, CAMDEN, "top10")
    other = await say(bot_with_returns, connector, CAMDEN, "top10 Greenwich")
    steward = await say(bot_with_returns, connector, LIIA, "top10 Greenwich")
    unknown = await say(bot_with_returns, connector, CAMDEN, "benchmark SEMH secondry")

    assert favourite in plain_text(provider)
    assert "What boroughs pay on average, by placement type" in plain_text(provider)
    assert "Camden: top 10 INMSS providers, 2025-26" in plain_text(own)
    assert table_cells(own)[1][0] == favourite  # the biggest spend comes first
    assert "only that borough and the forum's secretariat see them" in plain_text(other)
    assert "Greenwich: top 10 INMSS providers" in plain_text(steward)
    assert "I didn't understand “secondry”" in plain_text(unknown)


async def test_returns_hands_out_the_template(
    bot_with_returns: BotClient, connector: FakeConnector
) -> None:
    card = await say(bot_with_returns, connector, CAMDEN, "returns")

    link = card["actions"][0]
    assert link["type"] == "Action.OpenUrl"
    assert link["url"].startswith(PUBLIC + "/returns/")
    assert "Camden's latest returns" in plain_text(card)
    status, _, body = await fetch(bot_with_returns, link["url"])
    assert status == 200
    book = load_workbook(io.BytesIO(body))
    assert "Placements" in book.sheetnames


def test_a_return_with_hundreds_of_problems_still_fits_in_a_card() -> None:
    from bot.commands.inmss.returns import _rejected_card
    from forum_ops.errors import ImportRejected, Problem

    reason = "'Autism spectrum condition' is not one of: " + ", ".join(["ASD", "SEMH"] * 20)
    problems = [Problem(n, "EHCP section F outcomes", reason) for n in range(2, 502)]
    card = _rejected_card(
        ImportRejected("The return", problems), Submission("202", "2025-26", CAMDEN, "r.xlsx")
    )

    assert_valid_card(card.content)
    assert "…and 470 more." in plain_text(card.content)


async def test_a_file_that_cannot_be_fetched_or_is_too_big_is_refused_clearly(
    database: Database, connector: FakeConnector
) -> None:
    settings = make_settings(database, connector, forum_max_upload_bytes=20_000)
    async for bot in serve(settings, database):
        gone = upload(connector, b"", "camden.xlsx")
        gone["attachments"][0]["content"]["downloadUrl"] = connector.url + "/files/expired"
        big = upload(connector, as_xlsx(clean_rows(3)), "camden.xlsx")  # a workbook is ~150 KB
        plain_http = upload(connector, b"x", "camden.csv")
        plain_http["attachments"][0]["content"]["downloadUrl"] = "http://files.example.org/x.csv"

        missing = await say(bot, connector, CAMDEN, "2025-26", **gone)
        too_big = await say(bot, connector, CAMDEN, "2025-26", **big)
        insecure = await say(bot, connector, CAMDEN, "2025-26", **plain_http)

    assert "I couldn't fetch the file from Teams: please send it again." in plain_text(missing)
    assert "The file is over 20 KB: is it the right one?" in plain_text(too_big)
    assert "I can only fetch files Teams offers over https from SharePoint or OneDrive." in (
        plain_text(insecure)
    )
    with database.transaction() as session:
        assert all_placements(session).empty  # nothing imported, nothing half-imported


@pytest.fixture
async def secret_service() -> AsyncIterator[tuple[str, list[str]]]:
    """An internal service on this machine the bot must never be made to fetch from."""
    hits: list[str] = []

    async def secret(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(text="INTERNAL_SECRET_api_key=sk-live-0123456789\n")

    app = web.Application()
    app.router.add_get("/{path:.*}", secret)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield f"127.0.0.1:{server.port}", hits
    await server.close()


async def test_a_download_url_aimed_inside_our_network_is_never_fetched(
    bot_with_returns: BotClient,
    connector: FakeConnector,
    database: Database,
    secret_service: tuple[str, list[str]],
) -> None:
    """Issue 11 item 4: http://127.0.0.1:<port>/secret was fetched and its first line printed."""
    where, hits = secret_service
    port = where.split(":")[1]
    urls = [
        f"http://{where}/secret",  # as reported
        f"https://{where}/secret",
        f"http://localhost:{port}/secret",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "https://[::1]/secret",
        f"https://contoso.sharepoint.com:{port}/secret",  # an allowed name, another port
        "https://me@contoso.sharepoint.com/secret",
        "https://contoso.sharepoint.com.attacker.example/secret",
        "ftp://contoso.sharepoint.com/secret",
        "not a url",
    ]
    for url in urls:
        attachment = upload(connector, b"", "camden.csv")
        attachment["attachments"][0]["content"]["downloadUrl"] = url
        card = await say(bot_with_returns, connector, CAMDEN, "2025-26", **attachment)
        assert "INTERNAL_SECRET" not in json.dumps(card)
        assert "I can only fetch files Teams offers over https from SharePoint or OneDrive." in (
            plain_text(card)
        ), url
    assert hits == []  # no request reached it
    assert connector.downloads == 0


class _Rebinding(AbstractResolver):
    """DNS an attacker controls: an allowed name that answers with a loopback address (alone,
    or among public ones), as a rebinding attack does after a first, innocent answer."""

    def __init__(self, addresses: list[str]) -> None:
        self.addresses = addresses
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        return [
            {"hostname": host, "host": a, "port": port, "family": family, "proto": 0, "flags": 0}
            for a in self.addresses
        ]

    async def close(self) -> None:
        pass


@pytest.mark.parametrize(
    "addresses",
    [
        ["127.0.0.1"],
        ["93.184.215.14", "10.0.0.7"],
        ["::ffff:169.254.169.254"],
        ["fd00::1"],
        ["::7f00:1"],  # IPv4-compatible ::127.0.0.1
        ["64:ff9b::a9fe:a9fe"],  # NAT64 of 169.254.169.254
        ["64:ff9b:1::808:808"],  # local-use NAT64 prefix
        ["2002:a9fe:a9fe::"],  # 6to4 of 169.254.169.254
        ["2002:7f00:1::"],  # 6to4 of 127.0.0.1
        ["2001:0:4136:e378:8000:63bf:80ff:fefe"],  # Teredo whose client is 127.0.1.1
        ["192.0.0.8"],  # the IPv4 dummy address (RFC 7600)
    ],
)
async def test_an_allowed_name_resolving_to_a_private_address_is_refused(
    database: Database, connector: FakeConnector, addresses: list[str]
) -> None:
    resolver = _Rebinding(addresses)
    settings = make_settings(database, connector)
    with pytest.raises(ForumError, match="from SharePoint or OneDrive"):
        await fetch_file(settings, "https://contoso.sharepoint.com/x.xlsx", resolver=resolver)
    assert resolver.asked == ["contoso.sharepoint.com"]  # the name was resolved, then refused


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "2002:808:808::"],
)
def test_a_public_address_carried_inside_ipv6_stays_public(address: str) -> None:
    assert is_public(address)


def test_the_test_only_origins_cannot_be_set_for_a_real_bot() -> None:
    with pytest.raises(ValueError, match="FORUM_TEST_FILE_ORIGINS"):
        Settings(
            _env_file=None,  # type: ignore[call-arg]
            microsoft_app_id="11111111-2222-3333-4444-555555555555",
            forum_allowed_tenants="t",
            forum_test_file_origins="http://127.0.0.1:8080",
        )
    assert Settings(_env_file=None).file_download_hosts == {"*.sharepoint.com"}  # type: ignore[call-arg]


async def test_upload_bombs_in_chat_leave_the_bot_answering_everyone_else(
    bot_with_returns: BotClient, connector: FakeConnector, database: Database
) -> None:
    """Issue 11 item 5: five bomb uploads stopped /healthz and another borough waited 10 min.
    Now each is refused before parsing, read in a limited child, two at a time at most."""
    bombs = [empty_rows_bomb(), huge_cell_bomb(), wide_bomb(), lying_dimension_bomb(), wide_bomb()]

    async def send_bomb(n: int, raw: bytes) -> None:
        await bot_with_returns.post(
            in_chat(
                connector,
                CAMDEN,
                "2025-26",
                id=f"bomb-{n}",
                **upload(connector, raw, f"bomb-{n}.xlsx"),
            )
        )

    async def health() -> float:
        started = time.perf_counter()
        url = bot_with_returns.messages_url.replace("/api/messages", "/healthz")
        async with bot_with_returns._http.get(url) as response:
            assert response.status == 200
        return time.perf_counter() - started

    async def greenwich_help() -> float:
        started = time.perf_counter()
        await say(bot_with_returns, connector, GREENWICH, "help")
        answered = time.perf_counter() - started
        # the latest card may be a bomb's refusal to Camden: find Greenwich's own answer
        mine = [
            plain_text(call.cards[0])
            for call in connector.sent()
            if call.conversation_id == f"a:chat-{GREENWICH}" and call.cards
        ]
        assert any("help" in text.lower() for text in mine)
        return answered

    attacks = [asyncio.create_task(send_bomb(n, raw)) for n, raw in enumerate(bombs)]
    await asyncio.sleep(0)
    waits = [await health(), await greenwich_help(), await health()]
    await asyncio.gather(*attacks)

    assert max(waits) < 5.0, waits  # a loaded CI machine; was 10 minutes
    refusals = [
        plain_text(call.cards[0])
        for call in connector.sent()
        if call.conversation_id == f"a:chat-{CAMDEN}" and call.cards
    ]
    assert len(refusals) == 5
    assert all("Return not imported: 1 problem" in text for text in refusals)
    with database.transaction() as session:
        audit = submissions(session, 10, "202")
        bombs_seen = sorted((s.filename, s.outcome) for s in audit if s.filename.startswith("bomb"))
        assert bombs_seen == [(f"bomb-{n}.xlsx", "rejected") for n in range(5)]
        assert len(all_placements(session).query("borough == '202'")) > 0  # the old return stands


async def test_in_a_channel_own_figures_go_only_to_the_askers_1to1_chat(
    database: Database, connector: FakeConnector
) -> None:
    returns = synthetic_returns([la.code for la in LOCAL_AUTHORITIES], total=1500).placements
    with database.transaction() as session:
        for borough, frame in returns.groupby("borough"):
            replace_return(session, Submission(str(borough), "2025-26", "demo", "x"), frame, NOW)
        release_now(session, NOW, "schedule")
        frame = all_placements(session)
    remember(database, place(connector, "19:forum@thread.tacv2", kind="channel"))
    camden = frame[frame["borough"] == "202"]
    favourite = camden.groupby("provider_name")["total_cost"].sum().idxmax()
    semh = camden[(camden["primary_need"] == "SEMH") & (camden["phase"] == "secondary")]
    at_favourite = camden[camden["provider_name"] == favourite]
    # Camden's own amounts, computed here, formatted as the cards format money
    own = {pounds(v) for v in camden.groupby("provider_urn")["total_cost"].sum()}
    own |= {pounds(v) for v in semh.groupby("provider_urn")["total_cost"].median()}
    own |= {pounds(v) for v in semh.groupby("primary_need")["total_cost"].median()}
    own |= {pounds(v) for v in at_favourite.groupby("placement_type")["total_cost"].median()}

    async for bot in serve(make_settings(database, connector, **FAST), database):
        for text in ("top10", "benchmark SEMH secondary", f"benchmark provider {favourite}"):
            await bot.post(
                activity(
                    "message_channel_mention",
                    connector,
                    text=f"<at>ridotest</at> {text}",
                    id=f"ask-{len(text)}",
                    **{"from.aadObjectId": CAMDEN, "conversation.id": "19:forum@thread.tacv2"},
                )
            )
        await settled(database)

    in_channel = [c for c in connector.sent() if c.conversation_id == "19:forum@thread.tacv2"]
    private = [c for c in connector.sent() if c.conversation_id == f"a:1to1-{CAMDEN}"]
    assert len(in_channel) == 3
    channel_json = json.dumps([c.body for c in in_channel], ensure_ascii=False)
    assert not {amount for amount in own if amount in channel_json}
    assert "Sent to you privately" in channel_json
    assert "Your median (n)" not in channel_json
    assert "Your borough's own figures were sent to you in your 1:1 chat" in channel_json
    assert len(private) == 3
    private_json = json.dumps([c.body for c in private], ensure_ascii=False)
    top10 = camden.groupby("provider_urn")["total_cost"].sum()
    assert pounds(top10.max()) in private_json
    assert "Camden: top 10 INMSS providers" in private_json
    assert "Your median (n)" in private_json
    [opening] = connector.opened()  # Camden had no 1:1 chat: it was opened from the team
    assert opening["members"] == [{"id": CAMDEN}]
