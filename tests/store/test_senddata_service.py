"""The SEND Data service and its figures, driven with the in-memory ChartStore: no server, no
HTTP (the SQLite file stands for the store)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from analytics.sen2 import Area, load_caseload, load_needs
from cards import plain_text, render_card
from cards.senddata import senddata_view
from forum_ops.db import Database
from forum_ops.errors import NoSendData, UnknownAuthority
from forum_ops.members.model import Member, Organisation, OrganisationKind, Role
from forum_ops.senddata.figures import (
    Sen2Frames,
    agenda_figures,
    area_figures,
    borough_area,
    choose_area,
)
from forum_ops.senddata.service import SendData
from tests.conftest import NOW
from tests.support.fakes import FakeChartStore
from tests.support.sen2data import CASELOAD, NEEDS, import_release

CAMDEN_ORG = Organisation(
    "202", "Camden", OrganisationKind.LOCAL_AUTHORITY, "Inner", "North Central"
)
LIIA_ORG = Organisation("LIIA", "LIIA", OrganisationKind.SECRETARIAT)


def member(org: Organisation) -> Member:
    return Member("aad", "A Member", "a@example.org", org, frozenset({Role.MEMBER}))


@pytest.fixture(scope="module")
def frames() -> Sen2Frames:
    return Sen2Frames(load_caseload(CASELOAD), load_needs(NEEDS), "test files")


def test_the_area_is_the_one_named_else_the_members_borough_else_london() -> None:
    camden, liia = member(CAMDEN_ORG), member(LIIA_ORG)
    assert choose_area("", camden) == borough_area("202")
    assert choose_area("", liia) == Area.london()
    assert choose_area("London", camden) == Area.london()
    assert choose_area("Hammersmith", camden).name == "Hammersmith and Fulham"
    with pytest.raises(UnknownAuthority):
        choose_area("Atlantis", camden)


def test_a_borough_against_london_beside_its_subregion_with_its_chart_kept(
    frames: Sen2Frames,
) -> None:
    charts = FakeChartStore()
    figures = area_figures(frames, borough_area("202"), charts)

    assert figures.headline.area == "Camden"
    assert figures.headline.comparator == "London"
    assert figures.headline.rank is not None
    assert [g.area for g in figures.groups] == ["North Central London"]
    assert [line.area for line in figures.lines] == ["Camden", "North Central London", "London"]
    assert figures.placements
    assert all(share >= 0.005 for _, share in figures.placements)
    assert charts.keys == ["senddata:202:" + figures.headline.latest]
    assert figures.chart_url in charts.charts


def test_the_agenda_item_is_london_against_england_with_every_subregion(
    frames: Sen2Frames,
) -> None:
    charts = FakeChartStore()
    figures = agenda_figures(frames, date(2026, 1, 22), charts)

    assert (figures.headline.area, figures.headline.comparator) == ("London", "England")
    assert figures.placements is None
    assert len(figures.groups) == 5
    assert charts.keys == ["senddata-item:2026-01-22"]
    shown = plain_text(render_card("senddata", senddata_view(figures)).content)
    assert "For the forum's meeting on Thursday 22 January 2026" in shown
    assert "EHC plans, January 2025: 99,116" in shown
    assert "North Central London: " in shown
    assert "plans, +" in shown


def test_the_service_says_so_when_nothing_is_imported(database: Database) -> None:
    service = SendData(database, FakeChartStore())
    with pytest.raises(NoSendData):
        service.for_area("", member(CAMDEN_ORG))


def test_the_service_reads_the_release_once_and_again_after_a_new_import(
    database: Database,
) -> None:
    charts = FakeChartStore()
    service = SendData(database, charts)
    import_release(database)

    first = service.frames()
    assert service.frames() is first  # parsed once
    figures = service.for_area("Camden", member(LIIA_ORG))
    assert figures.headline.area == "Camden"
    assert charts.keys[-1].startswith("senddata:202:")

    from forum_ops.senddata.sen2 import Sen2File, replace_release

    with database.transaction() as session:
        replace_release(
            session,
            [Sen2File("caseload", CASELOAD.name, CASELOAD.read_text(encoding="utf-8"))],
            NOW + timedelta(days=11),
        )
    again = service.frames()
    assert again is not first
    assert again.needs is None  # the new release has no needs file
    assert "imported Monday 2 February 2026" in again.source  # British, as every card's dates
