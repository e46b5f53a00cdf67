"""Issue 13's corrections, each end to end over HTTP as a member meets it (the reported case)."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator

import jwt
import numpy as np
import pandas as pd
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from analytics.rates import fees
from analytics.returns_synthetic import synthetic_returns
from bot.auth import ISSUER
from bot.commands.suppliers.imports import import_suppliers
from bot.testing import BotClient, FakeConnector
from cards import plain_text
from cards.format import pounds
from forum_ops.db import Database
from forum_ops.members.model import Role
from forum_ops.members.reference import LOCAL_AUTHORITIES
from forum_ops.members.registry import MemberRecord, upsert_members
from forum_ops.returns.releases import release_now
from forum_ops.returns.service import Submission, replace_return
from tests.conftest import APP_ID, CAMDEN, NOW, activity, make_settings, serve
from tests.support.chat import GREENWICH, say, table_cells, upload
from tests.support.gias import london_text
from tests.support.returnfiles import as_csv, clean_rows

TWIN = "999001"  # a second provider under the first one's name


@pytest.fixture(scope="module")
def returns() -> pd.DataFrame:
    frame = synthetic_returns([la.code for la in LOCAL_AUTHORITIES], total=3000).placements
    # the most used provider gets a namesake at another URN, as GIAS has ("St Mary's School")
    busiest = frame["provider_urn"].value_counts().index[0]
    name = frame.loc[frame["provider_urn"] == busiest, "provider_name"].iloc[0]
    quiet = frame["provider_urn"].value_counts().index[1]
    twin = frame["provider_urn"] == quiet
    frame.loc[twin, "provider_urn"], frame.loc[twin, "provider_name"] = TWIN, name
    return frame


@pytest.fixture
async def bot(
    database: Database, connector: FakeConnector, returns: pd.DataFrame
) -> AsyncIterator[BotClient]:
    member = MemberRecord(
        GREENWICH, "Ola Bello", "ola@greenwich.example", "203", frozenset({Role.MEMBER}), ()
    )
    import_suppliers(database, london_text().encode(), "demo.csv", NOW)
    with database.transaction() as session:
        upsert_members(session, [member], NOW)
        for borough, frame in returns.groupby("borough"):
            replace_return(session, Submission(str(borough), "2025-26", "demo", "x"), frame, NOW)
        release_now(session, NOW, "schedule")
    async for client in serve(make_settings(database, connector), database):
        yield client


def rate_lines_of(card: dict) -> list[str]:
    text = plain_text(card)
    start = text.index("Where boroughs pay a provider most differently")
    return [line for line in text[start:].splitlines() if line.startswith("• ")]


def busiest_name(returns: pd.DataFrame) -> str:
    return str(returns.loc[returns["provider_urn"] == TWIN, "provider_name"].iloc[0])


async def test_rate_lines_say_what_they_compare_and_read_the_same_in_every_benchmark(
    bot: BotClient, connector: FakeConnector, returns: pd.DataFrame
) -> None:
    """A line narrowed by need, phase or area could be subtracted from a wider benchmark's (the
    attacker in analytics/attack.py): each line is the provider's fees for all its placements
    of the type, the filters choose the providers listed, and the card says so plainly."""
    everything = await say(bot, connector, GREENWICH, "benchmark")
    semh = await say(bot, connector, GREENWICH, "benchmark SEMH secondary")
    south_east = await say(bot, connector, GREENWICH, "benchmark south east")

    # differencing a filtered answer and the unfiltered one learns nothing: a line both show
    # reads the same, word for word
    wide = {line.split(": ")[0]: line for line in rate_lines_of(everything)}
    both = [x for x in rate_lines_of(semh) + rate_lines_of(south_east) if x.split(": ")[0] in wide]
    assert both  # the same provider and type in a filtered answer and the unfiltered one
    for line in both:
        assert wide[line.split(": ")[0]] == line

    # issue 25 item 11: with one need chosen, its row is the card's only need row ("SEMH" and
    # an "All needs" row of the same figures read as two answers)
    assert [row[0] for row in table_cells(semh) if row[0] in ("SEMH", "All needs")] == ["SEMH"]
    for card in (semh, south_east):
        assert (
            "Each line is all the provider's placements of that type in 2025-26, whatever "
            "the need, phase or area."
        ) in plain_text(card)
    semh_rows = returns[(returns["primary_need"] == "SEMH") & (returns["phase"] == "secondary")]
    for line in rate_lines_of(semh) + rate_lines_of(south_east):
        found = re.match(r"• (.+?)(?: \(URN.(\d+)\))?, ([\w -]+): .*; (\d+) boroughs, spr", line)
        assert found, line
        name, urn, kind, boroughs = found.groups()
        theirs = returns[(returns["provider_name"] == name) & (returns["placement_type"] == kind)]
        if urn:
            theirs = theirs[theirs["provider_urn"] == urn]
        counts = theirs.groupby("provider_urn")["borough"].nunique()
        assert int(boroughs) in set(counts), line  # every borough's, not the filtered ones'
    for line in rate_lines_of(semh):  # of providers the SEMH secondary table lists
        name = line[2:].split(",")[0].split(" (URN")[0]
        assert name in set(semh_rows["provider_name"]), line


async def test_the_provider_card_has_one_named_measure(
    bot: BotClient, connector: FakeConnector, returns: pd.DataFrame
) -> None:
    camden = returns[returns["borough"] == "202"]
    urn = camden["provider_urn"].value_counts().index[0]

    card = await say(bot, connector, CAMDEN, f"benchmark provider {urn}")

    text = plain_text(card)
    assert "Yours" not in text
    assert "Fee per placement a year" in text
    header, *rows = table_cells(card)
    assert header == [
        "Type",  # the placement type: a narrow first column at Teams' width
        "Placements",
        "Median fee",
        "Middle half",
        "Your median (n)",
    ]
    mine = camden[camden["provider_urn"] == urn]
    for row in rows:
        kind = mine[mine["placement_type"] == row[0]]
        if len(kind):  # Camden's own median is of the same fee the rate lines average
            assert row[4] == f"{pounds(float(np.median(fees(kind))))} ({len(kind)})"
    for kind, group in mine.groupby("placement_type"):
        if f"• {kind.capitalize()}: you pay" in text:  # Camden's own average, live
            assert f"{kind.capitalize()}: you pay {pounds(float(fees(group).mean()))}" in text
    # the range after a band is the middle half, and says so: "above the upper quartile
    # (£37,200-£63,500)" read as if the upper quartile were that range
    bands = re.findall(r"(below the lower|above the upper) quartile \((.*?)£", text)
    assert bands
    assert all(said == "middle half " for _, said in bands), bands


async def test_what_is_above_the_threshold_is_the_spread(
    bot: BotClient, connector: FakeConnector, returns: pd.DataFrame
) -> None:
    card = await say(bot, connector, CAMDEN, "benchmark")
    text = plain_text(card)

    assert "— above the threshold" not in text
    lines = rate_lines_of(card)
    assert lines
    for line in lines:  # flagged lines: the spread is over the threshold, said as such
        assert re.search(r"spread \d+\.\d\d× \(above 1\.20×\)$", line), line


async def test_a_name_several_providers_share_asks_which(
    bot: BotClient, connector: FakeConnector, returns: pd.DataFrame
) -> None:
    name = busiest_name(returns)
    urns = sorted(set(returns.loc[returns["provider_name"] == name, "provider_urn"]))

    card = await say(bot, connector, CAMDEN, f"benchmark provider {name}")

    text = plain_text(card)
    assert f"Which provider do you mean by “{name}”?" in text
    for urn in urns:
        assert f"URN {urn}" in text
    buttons = [a["data"] for a in card["actions"]]
    assert {"verb": "command.run", "command": "benchmark", "args": f"provider {TWIN}"} in buttons
    picked = await say(bot, connector, CAMDEN, "", value=buttons[urns.index(TWIN)])
    assert f"(URN {TWIN})" in plain_text(picked)


async def test_suppliers_put_the_named_school_first(
    bot: BotClient, connector: FakeConnector
) -> None:
    high = await say(bot, connector, CAMDEN, "suppliers Juniperfield High School")
    college = await say(bot, connector, CAMDEN, "suppliers Mallowgate High School")

    first = next(e for e in high["body"] if e["type"] == "Container")
    assert first["items"][0]["text"].startswith("[Juniperfield High School")
    first = next(e for e in college["body"] if e["type"] == "Container")
    assert first["items"][0]["text"].startswith("[Mallowgate High School")
    # "High School" alone matches nothing: no other High School is listed for it
    names = [e["items"][0]["text"] for e in high["body"] if e["type"] == "Container"]
    assert all(n.startswith("[Juniper") for n in names), names


async def test_a_mainstream_schools_numbers_are_labelled_the_schools(
    bot: BotClient, connector: FakeConnector
) -> None:
    card = await say(bot, connector, CAMDEN, "suppliers Juniperfield High School")

    first = next(e for e in card["body"] if e["type"] == "Container")
    summary, details = first["items"][1]["text"], first["items"][2]["text"]
    assert "mainstream" in summary
    assert "whole school (not the SEN unit): capacity" in details
    spaces = await say(bot, connector, CAMDEN, "suppliers spaces")
    assert "mainstream" not in plain_text(spaces)


async def test_a_member_using_a_secretariat_command_is_told_who_may(
    bot: BotClient, connector: FakeConnector
) -> None:
    card = await say(bot, connector, CAMDEN, "announce Meeting moved to Thursday")

    text = plain_text(card)
    assert "didn’t understand" not in text
    assert "Only the forum's secretariat can use announce" in text


async def test_an_unquoted_thousands_comma_is_one_field_too_many(
    bot: BotClient, connector: FakeConnector
) -> None:
    rows = clean_rows(3)
    rows[1]["Core education fee"] = "£45,000"  # typed so in a text editor: no quotes
    text = as_csv(rows).decode().replace('"£45,000"', "£45,000")

    card = await say(
        bot, connector, CAMDEN, "2025-26", **upload(connector, text.encode(), "camden.csv")
    )

    problems = table_cells(card)
    assert "Return not imported: 1 problem" in plain_text(card)
    assert problems[1][0] == "3"
    assert problems[1][2] == (
        "has 1 field too many: a value with a comma in it, such as £45,000, must be in quotes "
        "or written without the comma (45000)"
    )


@pytest.mark.parametrize(
    "claims",
    [
        {"iss": ISSUER, "aud": APP_ID},  # no expiry, as reported
        {"iss": ISSUER, "aud": APP_ID, "exp": 1_000_000},  # long expired
        {"iss": "https://evil.example", "aud": APP_ID, "exp": 4_000_000_000},
        {"iss": ISSUER, "aud": "someone-elses-bot", "exp": 4_000_000_000},
    ],
)
async def test_a_token_that_cannot_be_valid_is_401_without_fetching_keys(
    database: Database, claims: dict[str, object]
) -> None:
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    async with FakeConnector() as connector:
        settings = make_settings(
            database, connector, microsoft_app_id=APP_ID, microsoft_app_password="x",
            forum_openid_metadata_url="http://127.0.0.1:9/nothing-here",  # any fetch fails: 503
        )  # fmt: skip
        token = jwt.encode(
            {**claims, "serviceurl": connector.service_url}, forger, algorithm="RS256",
            headers={"kid": "unknown-key"},
        )  # fmt: skip
        async for client in serve(settings, database):
            status, _ = await client.post(
                activity("message_channel_mention", connector, **{"from.aadObjectId": CAMDEN}),
                token=token,
            )
            assert status == 401


async def test_one_suppression_log_line_per_answer_with_counts(
    bot: BotClient, connector: FakeConnector, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="analytics.disclosure"):
        card = await say(bot, connector, GREENWICH, "benchmark SEMH secondary North West")

    lines = [r for r in caplog.records if r.getMessage() == "disclosure.suppressed"]
    assert len(lines) == 1  # one answer: need table, provider table and rate lines together
    line = lines[0]
    withheld = sum(1 for row in table_cells(card) for c in row if c.startswith("–") and c != "–")
    assert line.answer == "benchmark"  # type: ignore[attr-defined]
    assert line.withheld == sum(line.reasons.values()) == sum(line.tables.values())  # type: ignore[attr-defined]
    assert line.withheld >= withheld > 0  # type: ignore[attr-defined]
    assert len(line.tables) >= 2  # type: ignore[attr-defined]
