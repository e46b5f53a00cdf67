"""Issue 23 end to end: London's INMSS figures come from releases. A borough's uploads change its
own figures at once and London's only at the next release; every conversation reads the same
London figures; a return out of proportion is held for the secretariat; names others see never
come from one borough's latest upload; record keys are the server's, kept per placement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select

from bot.settings import Settings
from bot.testing import BotClient, FakeConnector
from cards import plain_text
from forum_ops.db import Database
from forum_ops.db.schema import PlacementRow, ReturnSubmissionRow
from forum_ops.returns.releases import release_monthly, release_rows, releases
from forum_ops.returns.service import Submission, all_placements, replace_return
from forum_ops.scheduler.jobs import JobRun, NoMessenger
from tests.conftest import CAMDEN, LIIA, NOW, activity
from tests.support.chat import GREENWICH, say, table_cells, upload
from tests.support.outboxing import place, remember, settled
from tests.support.returnfiles import FIELDS, as_csv
from tests.support.sen2data import import_release

GROUP = "19:inmss-group@thread.v2"


async def in_group(bot: BotClient, connector: FakeConnector, who: str, text: str) -> dict[str, Any]:
    """What the bot answers `who` in a group chat (the card everyone there sees)."""
    before = len(connector.sent_cards())
    await bot.post(
        activity(
            "message_channel_mention", connector, text=f"<at>ridotest</at> {text}",
            id=f"g{before}-{who[:4]}",
            **{"from.aadObjectId": who, "conversation.id": GROUP,
               "conversation.conversationType": "groupChat", "conversation.isGroup": True},
        )
    )  # fmt: skip
    [*_, card] = [card for c in connector.sent() if c.conversation_id == GROUP for card in c.cards]
    return card


def london(card: dict[str, Any]) -> dict[str, list[str]]:
    """Each table row's London figures (placements, median, middle half) by its label, without
    the viewer's own column."""
    return {row[0]: row[1:4] for row in table_cells(card) if row[0] not in ("Need", "Provider")}


def same_london(*cards: dict[str, Any]) -> bool:
    """Every row two cards both show reads the same London figures, the need's row among them."""
    seen = [london(card) for card in cards]
    shared = set.intersection(*(set(s) for s in seen))
    return "SEMH" in shared and all(s[k] == seen[0][k] for s in seen for k in shared)


def crafted(rows: pd.DataFrame, fee: float, name: str = "") -> bytes:
    """Camden's return as a CSV, every fee set to `fee` (and every provider renamed)."""
    frame = rows.assign(
        core_fee=fee,
        residential_care=0.0,
        health=0.0,
        therapies=0.0,
        additional_staffing=0.0,
        total_cost=fee,
    )
    if name:
        frame = frame.assign(provider_name=name)
    records = [
        {f.label: r[f.name] for f in FIELDS if f.name in r and pd.notna(r[f.name])}
        for _, r in frame.iterrows()
    ]
    return as_csv(records)


def camden_rows(database: Database) -> pd.DataFrame:
    with database.transaction() as session:
        frame = all_placements(session)
    return frame[frame["borough"] == "202"]


async def test_an_upload_changes_its_own_figures_at_once_and_londons_only_at_the_release(
    bot_with_returns: BotClient, connector: FakeConnector, database: Database
) -> None:
    remember(database, place(connector, "19:forum@thread.tacv2", kind="channel"))  # the team
    before_greenwich = await say(bot_with_returns, connector, GREENWICH, "benchmark SEMH")
    before_camden = await say(bot_with_returns, connector, CAMDEN, "benchmark SEMH")
    assert "London figures as released on Thursday 22 January 2026 (release 1:" in plain_text(
        before_greenwich
    )
    # Camden uploads a crafted return: every fee £1,000, as a hostile submitter would
    upload_text = await say(
        bot_with_returns, connector, CAMDEN, "our return for 2025-26",
        **upload(connector, crafted(camden_rows(database), 1_000.0), "camden.csv"),
    )  # fmt: skip
    assert "Return imported: Camden, 2025-26" in plain_text(upload_text)
    # held (its fees are far below the provider's range), but the submitter is not told: a
    # hold answered upload by upload would let it find the lowest borough average by trying fees
    assert "after LIIA's checks" in plain_text(upload_text)
    assert "held" not in plain_text(upload_text).casefold()

    after_greenwich = await say(bot_with_returns, connector, GREENWICH, "benchmark SEMH")
    after_camden = await say(bot_with_returns, connector, CAMDEN, "benchmark SEMH")
    group_camden = await in_group(bot_with_returns, connector, CAMDEN, "benchmark SEMH")
    group_greenwich = await in_group(bot_with_returns, connector, GREENWICH, "benchmark SEMH")

    assert after_greenwich == before_greenwich  # nothing another borough reads has moved
    assert same_london(after_camden, before_camden, before_greenwich)
    assert same_london(group_camden, group_greenwich, before_greenwich, after_camden)
    assert group_camden == group_greenwich  # nobody's own figures in a group: the same card
    assert table_cells(after_camden)[1][-1].startswith("£1,000 (")  # its own median, live
    assert table_cells(after_camden) != table_cells(before_camden)  # its own, live

    held = await say(bot_with_returns, connector, LIIA, "returns release")
    assert "Nothing new to release" in plain_text(held)  # a held return stays out
    desk = await say(bot_with_returns, connector, LIIA, "returns")
    [number] = [row[0] for row in table_cells(desk) if row[1:2] == ["Camden, 2025-26"]]
    await say(bot_with_returns, connector, LIIA, f"returns accept {number}")
    released = await say(bot_with_returns, connector, LIIA, "returns release")
    assert "Released: London's INMSS figures" in plain_text(released)
    later = await say(bot_with_returns, connector, GREENWICH, "benchmark SEMH")
    assert "(release 2:" in plain_text(later)
    earlier = await say(bot_with_returns, connector, GREENWICH, "benchmark SEMH release 1")
    assert london(earlier) == london(before_greenwich)  # earlier releases stay readable
    assert london(later) != london(before_greenwich)
    listed = await say(bot_with_returns, connector, GREENWICH, "benchmark releases")
    assert [row[0] for row in table_cells(listed)[1:3]] == ["2", "1"]
    # no exact London total to a member: two releases' totals apart give one borough's change
    assert "Placements" not in table_cells(listed)[0]
    assert "placements)" not in plain_text(later)
    desk = await say(bot_with_returns, connector, LIIA, "returns releases")
    assert "Placements" in table_cells(desk)[0]  # the secretariat sees every count
    missing = await say(bot_with_returns, connector, GREENWICH, "benchmark SEMH release 9")
    assert "There is no release 9: say benchmark releases" in plain_text(missing)


async def test_a_plausible_crafted_return_moves_nothing_others_read_until_the_release(
    bot_with_returns: BotClient, connector: FakeConnector, database: Database
) -> None:
    """The first test's return is held, so it shows nothing of a return that is not: a clean
    upload the checks let through must not move London's figures either, in any chat, until
    the secretariat (or the schedule) releases."""
    remember(database, place(connector, "19:forum@thread.tacv2", kind="channel"))  # the team
    mine = camden_rows(database)
    before = await say(bot_with_returns, connector, GREENWICH, "benchmark SEMH")
    group_before = await in_group(bot_with_returns, connector, CAMDEN, "benchmark SEMH")
    dearer = crafted(mine, float(mine["total_cost"].median()) * 1.2)  # plausible: not held
    await say(
        bot_with_returns, connector, CAMDEN, "2025-26",
        **upload(connector, dearer, "camden.csv"),
    )  # fmt: skip
    desk = await say(bot_with_returns, connector, LIIA, "returns")
    assert not [row for row in table_cells(desk) if row[1:2] == ["Camden, 2025-26"]]  # not held

    after = await say(bot_with_returns, connector, GREENWICH, "benchmark SEMH")
    group_after = await in_group(bot_with_returns, connector, GREENWICH, "benchmark SEMH")
    assert after == before
    assert group_after == group_before

    await say(bot_with_returns, connector, LIIA, "returns release")
    released = await say(bot_with_returns, connector, GREENWICH, "benchmark SEMH")
    assert "(release 2:" in plain_text(released)
    assert london(released) != london(before)


async def test_only_the_secretariat_releases(
    bot_with_returns: BotClient, connector: FakeConnector, database: Database
) -> None:
    refused = await say(bot_with_returns, connector, CAMDEN, "returns release")
    assert "Only the forum's secretariat releases" in plain_text(refused)
    nothing = await say(bot_with_returns, connector, LIIA, "returns release")
    assert "Nothing new to release" in plain_text(nothing)
    with database.transaction() as session:
        assert len(releases(session)) == 1


async def test_a_return_out_of_proportion_is_held_until_the_secretariat_accepts_it(
    bot_with_returns: BotClient, connector: FakeConnector, database: Database
) -> None:
    import_release(database)  # DfE's SEN2: Camden had 77 plans in INMSS in January 2025
    remember(database, place(connector, "19:forum@thread.tacv2", kind="channel"))  # the team
    mine = camden_rows(database)
    with database.transaction() as session:
        released_before = release_rows(session, releases(session)[0].id)
    camden_before = int((released_before["borough"] == "202").sum())
    many = pd.concat([mine] * (200 // len(mine) + 1), ignore_index=True).head(200)
    many = many.assign(placement_id=[f"P{i}" for i in range(len(many))])

    answer = await say(
        bot_with_returns, connector, CAMDEN, "2025-26",
        **upload(connector, crafted(many, 70_000.0), "camden.csv"),
    )  # fmt: skip
    assert "after LIIA's checks" in plain_text(answer)  # the same words as any return's
    mine = await say(bot_with_returns, connector, CAMDEN, "returns")
    assert "held" not in plain_text(mine).casefold()
    await settled(database)
    told = [c for c in connector.sent() if c.conversation_id == f"a:1to1-{LIIA}"]
    [*_, notice] = [card for c in told for card in c.cards]
    text = plain_text(notice)
    assert "A return to check: Camden, 2025-26" in text
    assert "200 placements against 77 EHC plans" in text
    assert "January 2025" in text

    desk = await say(bot_with_returns, connector, LIIA, "returns")
    held = [row for row in table_cells(desk) if row[1:2] == ["Camden, 2025-26"]]
    assert held
    await say(bot_with_returns, connector, LIIA, "returns release")
    with database.transaction() as session:
        second = release_rows(session, releases(session)[0].id)
    assert int((second["borough"] == "202").sum()) == camden_before  # carried forward

    accepted = await say(bot_with_returns, connector, LIIA, f"returns accept {held[0][0]}")
    assert "accepted: it enters the next release" in plain_text(accepted)
    await say(bot_with_returns, connector, LIIA, "returns release")
    with database.transaction() as session:
        third = release_rows(session, releases(session)[0].id)
    assert int((third["borough"] == "202").sum()) == 200


async def test_a_return_cannot_rename_a_provider_for_everyone_else(
    bot_with_returns: BotClient, connector: FakeConnector, database: Database
) -> None:
    mine = camden_rows(database)
    urn = str(mine["provider_urn"].iloc[0])
    name = str(mine["provider_name"].iloc[0])
    lie = "CLOSED by Ofsted, do not place: call 020 7946 0000"
    await say(
        bot_with_returns, connector, CAMDEN, "2025-26",
        **upload(connector, crafted(mine, float(mine["core_fee"].iloc[0]), lie), "c.csv"),
    )  # fmt: skip
    await say(bot_with_returns, connector, LIIA, "returns release")

    seen = await say(bot_with_returns, connector, GREENWICH, f"benchmark provider {urn}")
    assert name in plain_text(seen)
    assert "CLOSED" not in plain_text(seen)


def test_record_keys_are_the_servers_and_kept_for_a_placement_across_resubmissions(
    database: Database,
) -> None:
    first = _stored_keys(database, [f"P{i}" for i in range(40)])
    again = _stored_keys(database, [f"P{i}" for i in range(40)])
    fresh = _stored_keys(database, [f"Q{i}" for i in range(40)])

    assert again == first  # the same placements keep their keys
    assert fresh != first  # new ids get new keys, drawn at random (not from the id)
    assert len(set(first.values())) > 10


def _stored_keys(database: Database, ids: list[str], when: datetime = NOW) -> dict[str, int]:
    from analytics.returns_synthetic import synthetic_returns

    frame = synthetic_returns(["202", "203"], total=200).placements
    frame = frame[frame["borough"] == "202"].head(len(ids)).assign(placement_id=ids)
    with database.transaction() as session:
        replace_return(session, Submission("202", "2025-26", "t", "x"), frame, when)
        found = session.execute(
            select(PlacementRow.placement_id, PlacementRow.record_key).where(
                PlacementRow.borough == "202"
            )
        )
        return dict(found.all())


@pytest.mark.parametrize(
    ("day", "releases_cut"),
    [
        (datetime(2027, 1, 1, 6, tzinfo=UTC), 0),  # New Year's Day, a bank holiday
        (datetime(2027, 1, 4, 6, tzinfo=UTC), 1),  # Monday 4 January: the first working day
        (datetime(2027, 1, 5, 6, tzinfo=UTC), 0),
        (datetime(2026, 6, 1, 5, tzinfo=UTC), 1),  # 06:00 London (BST) on Monday 1 June
    ],
)
def test_the_scheduled_release_runs_on_the_months_first_working_day(
    database: Database, day: datetime, releases_cut: int
) -> None:
    _stored_keys(database, [f"P{i}" for i in range(12)])
    with database.transaction() as session:
        run = JobRun("returns.release", "k", day, day, 1, NoMessenger(session, day))
        release_monthly(session, run)
        assert len(releases(session)) == releases_cut
        release_monthly(session, run)  # a second replica or a re-run: nothing changed
        assert len(releases(session)) == releases_cut


def test_a_real_bot_refuses_to_start_without_its_own_noise_secret() -> None:
    base = {"microsoft_app_id": "11111111-2222-3333-4444-555555555555",
            "forum_allowed_tenants": "t"}  # fmt: skip
    with pytest.raises(ValueError, match="FORUM_DISCLOSURE_CELL_KEY_SECRET must be set"):
        Settings(_env_file=None, **base)  # type: ignore[call-arg, arg-type]
    with pytest.raises(ValueError, match="FORUM_DISCLOSURE_CELL_KEY_SECRET"):
        Settings(_env_file=None, forum_disclosure_cell_key_secret="short", **base)  # type: ignore[call-arg, arg-type]
    ok = Settings(_env_file=None, forum_disclosure_cell_key_secret="x" * 40, **base)  # type: ignore[call-arg, arg-type]
    assert ok.disclosure_rules().cell_key_secret == "x" * 40


def test_the_secretariat_sees_how_often_a_borough_sent_returns_since_the_last_release(
    database: Database,
) -> None:
    from forum_ops.returns.releases import release_now
    from forum_ops.returns.service import release_desk

    _stored_keys(database, ["P1", "P2"], NOW - timedelta(days=1))
    with database.transaction() as session:
        release_now(session, NOW - timedelta(hours=1), "schedule")
    for _ in range(3):
        _stored_keys(database, ["P1", "P2"])  # since the release
    desk = release_desk(database)
    assert dict(desk.uploads)[("202", "2025-26")] == 3
    with database.transaction() as session:
        assert len(session.scalars(select(ReturnSubmissionRow.id)).all()) == 4


async def test_a_provider_nobody_places_with_is_said_to_be_none(
    bot_with_returns: BotClient, connector: FakeConnector
) -> None:
    # issue 25, item 8: "School" alone used to fit six unrelated schools equally well
    nowhere = await say(
        bot_with_returns, connector, GREENWICH, "benchmark provider Nowhere Such School"
    )
    vague = await say(bot_with_returns, connector, GREENWICH, "benchmark provider school")

    assert "No provider in London's figures is called “Nowhere Such School”" in plain_text(nowhere)
    assert not nowhere.get("actions")
    assert "could be almost any provider" in plain_text(vague)


async def test_a_group_answer_is_given_when_the_asker_cannot_be_reached_privately(
    bot_with_returns: BotClient, connector: FakeConnector
) -> None:
    """No team and no 1:1 chat yet: London's figures are still answered in the group (they hold
    nobody's own), saying where to ask for one's own; they were refused whole before."""
    card = await in_group(bot_with_returns, connector, GREENWICH, "benchmark SEMH")
    text = plain_text(card)
    assert "London figures as released on" in text
    assert "Ask me in our 1:1 chat for your own figures." in text
    assert "sent to you 1:1" not in text
    assert "SEMH" in london(card)
