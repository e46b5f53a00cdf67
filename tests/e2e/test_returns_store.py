"""Submitting a return: all or nothing, a re-submission replaces, every attempt audited."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from analytics.returns_read import read_return
from forum_ops.db import Database, create_database
from forum_ops.db.schema import PlacementKeyRow, PlacementRow
from forum_ops.errors import ImportRejected
from forum_ops.returns.service import (
    Submission,
    all_placements,
    replace_return,
    submissions,
    submit_return,
)
from tests.conftest import CAMDEN, NOW
from tests.support.cli import forumbot
from tests.support.returnfiles import (
    as_csv,
    as_xlsx,
    clean_rows,
    shift_jis_csv,
    twelve_mistakes,
    wide_bomb,
)

CAMDEN_2025 = Submission("202", "2025-26", CAMDEN, "camden-return")


def test_a_clean_return_imports_and_a_resubmission_replaces_it(any_database: Database) -> None:
    first = submit_return(any_database, as_xlsx(clean_rows(8)), CAMDEN_2025, NOW)
    other = Submission("203", "2025-26", CAMDEN, "greenwich.csv")
    submit_return(any_database, as_csv(clean_rows(3)), other, NOW)
    second = submit_return(
        any_database, as_csv(clean_rows(5)), CAMDEN_2025, NOW + timedelta(days=1)
    )

    assert (first.placements, first.replaced) == (8, 0)
    assert (second.placements, second.replaced) == (5, 8)
    with any_database.transaction() as session:
        placements = all_placements(session)
        audit = submissions(session)
    assert placements.groupby("borough").size().to_dict() == {"202": 5, "203": 3}
    assert placements["total_cost"].dtype == float
    assert [(a.borough, a.outcome, a.placements, a.replaced) for a in audit] == [
        ("202", "imported", 5, 8),
        ("203", "imported", 3, 0),
        ("202", "imported", 8, 0),
    ]
    assert audit[0].submitted_by == CAMDEN
    assert audit[0].submitted_at == NOW + timedelta(days=1)


def test_a_return_with_errors_imports_nothing_but_is_audited(any_database: Database) -> None:
    submit_return(any_database, as_csv(clean_rows(4)), CAMDEN_2025, NOW)

    with pytest.raises(ImportRejected) as caught:
        submit_return(any_database, as_csv(twelve_mistakes()), CAMDEN_2025, NOW)

    assert len(caught.value.problems) == 12
    with any_database.transaction() as session:
        assert len(all_placements(session)) == 4  # the earlier return stands
        latest = submissions(session)[0]
    assert (latest.outcome, latest.problems, latest.placements) == ("rejected", 12, 0)


def test_the_replacement_is_one_transaction(any_database: Database) -> None:
    submit_return(any_database, as_csv(clean_rows(4)), CAMDEN_2025, NOW)
    frame = read_return(as_csv(clean_rows(9)), "r.csv", "2025-26")

    def dies_before_commit() -> None:
        with any_database.transaction() as session:
            replace_return(session, CAMDEN_2025, frame, NOW)
            raise RuntimeError("the process dies before the commit")

    with pytest.raises(RuntimeError):
        dies_before_commit()

    with any_database.transaction() as session:
        assert len(all_placements(session)) == 4


def test_the_command_line_imports_and_reports_problems_as_a_table(tmp_path: Path) -> None:
    forumbot(tmp_path, "db", "upgrade")
    template = tmp_path / "template.xlsx"
    assert forumbot(tmp_path, "returns", "template", str(template)).returncode == 0
    bad, good = tmp_path / "bad.csv", tmp_path / "good.xlsx"
    bad.write_bytes(as_csv(twelve_mistakes()))
    good.write_bytes(as_xlsx(clean_rows(6)))
    args = ("--borough", "202", "--period", "2025-26")

    refused = forumbot(tmp_path, "returns", "import", str(bad), *args)
    imported = forumbot(tmp_path, "returns", "import", str(good), *args)

    assert refused.returncode == 1
    assert "12 problem(s) found. Nothing was changed." in refused.stderr
    assert "     8  Start date                 is after the period ends" in refused.stderr
    assert imported.returncode == 0, imported.stderr
    assert "Return imported for 202 2025-26: 6 placements" in imported.stdout
    assert template.read_bytes()[:2] == b"PK"


def test_the_command_line_names_unreadable_text_and_bombs_and_audits_them(tmp_path: Path) -> None:
    """Issue 11 items 5 and 11 through `forumbot returns import`: a Shift-JIS file gave a Python
    codec message and no audit row; a bomb ran for minutes. Now both are refused, audited."""
    forumbot(tmp_path, "db", "upgrade")
    sjis, bomb = tmp_path / "camden.csv", tmp_path / "camden.xlsx"
    sjis.write_bytes(shift_jis_csv())
    bomb.write_bytes(wide_bomb())
    args = ("--borough", "202", "--period", "2025-26")

    unreadable = forumbot(tmp_path, "returns", "import", str(sjis), *args)
    exploded = forumbot(tmp_path, "returns", "import", str(bomb), *args)

    assert unreadable.returncode == exploded.returncode == 1
    assert "the file is not UTF-8 or Windows-1252 text" in unreadable.stderr
    assert "codec" not in unreadable.stderr + unreadable.stdout
    assert "the workbook unpacks to 458 MB" in exploded.stderr
    db = create_database(f"sqlite:///{tmp_path / 'forum.db'}")
    with db.transaction() as session:
        audit = [(s.filename, s.outcome, s.problems) for s in submissions(session)]
    db.dispose()
    assert sorted(audit) == [("camden.csv", "rejected", 1), ("camden.xlsx", "rejected", 1)]


def _keys_after(db: Database, submission: Submission, ids: list[str]) -> dict[str, int]:
    """Upload a return whose placements carry `ids`; the record keys then stored for them."""
    rows = [row | {"Placement ID": i} for row, i in zip(clean_rows(len(ids)), ids, strict=True)]
    submit_return(db, as_csv(rows), submission, NOW)
    with db.transaction() as session:
        stored = session.execute(
            select(PlacementRow.placement_id, PlacementRow.record_key).where(
                PlacementRow.borough == submission.borough,
                PlacementRow.period == submission.period,
            )
        )
        return {str(i): int(k) for i, k in stored.all()}


def test_a_placements_record_key_is_kept_whatever_returns_came_between(
    any_database: Database,
) -> None:
    """Issue 23, rule 8: keys were kept only from the borough's return just before, so return
    A, then B with other ids, then A again drew fresh keys (fresh noise) for A's placements:
    each release could be another draw to average over."""
    xs, ys = [f"CAM-{i:04}" for i in range(30)], [f"CAM-{i:04}" for i in range(500, 530)]
    first = _keys_after(any_database, CAMDEN_2025, xs)
    between = _keys_after(any_database, CAMDEN_2025, ys)
    again = _keys_after(any_database, CAMDEN_2025, xs)
    shouted = _keys_after(any_database, CAMDEN_2025, [i.lower() for i in xs])  # one placement
    greenwich = _keys_after(any_database, Submission("203", "2025-26", CAMDEN, "g.csv"), xs)
    later = _keys_after(any_database, Submission("202", "2026-27", CAMDEN, "c.csv"), xs)

    assert set(between) == set(ys)  # B replaced A
    assert again == first  # A's placements have the keys they were first given
    assert shouted == {i.lower(): key for i, key in first.items()}  # "cam-1" is "CAM-1"
    assert len(set(first.values())) > 10  # drawn at random, not one value
    # another borough's placements with the same ids, or another period's: keys of their own
    assert sum(greenwich[i] == first[i] for i in xs) < 6  # as chance would have it (30/256)
    assert sum(later[i] == first[i] for i in xs) < 6
    with any_database.transaction() as session:
        drawn = session.scalars(select(func.count()).select_from(PlacementKeyRow)).one()
    assert drawn == 4 * 30  # kept for good: A's, B's, Greenwich's, 2026-27's


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_keys_of_placements_stored_before_are_kept_by_the_migration(
    engine: str, tmp_path: Path
) -> None:
    """Placements stored before placement_keys existed keep their record keys for good."""
    from alembic import command

    from forum_ops.db.migrate import alembic_config, migrate
    from tests.conftest import postgres_database

    def on(url: str) -> None:
        db = create_database(url)
        try:
            with db.engine.begin() as connection:
                config = alembic_config(url)
                config.attributes["connection"] = connection
                command.upgrade(config, "0018")
            frame = read_return(as_csv(clean_rows(12)), "r.csv", "2025-26")
            rows = [
                {"borough": "202", "period": "2025-26", **r, "record_key": n * 7 % 256}
                for n, r in enumerate(
                    frame.astype(object).where(frame.notna(), None).to_dict("records")
                )
            ]
            placements = PlacementRow.metadata.tables["placements"]
            with db.engine.begin() as connection:
                connection.execute(placements.insert(), rows)
            before = {str(r["placement_id"]): int(r["record_key"]) for r in rows}
            migrate(db)
            submit_return(db, as_csv(clean_rows(4)), CAMDEN_2025, NOW)  # others between
            with db.transaction() as session:
                replace_return(session, CAMDEN_2025, frame, NOW)  # the first again
                kept = dict(
                    session.execute(
                        select(PlacementRow.placement_id, PlacementRow.record_key)
                    ).all()
                )
            assert kept == before
        finally:
            db.dispose()

    if engine == "sqlite":
        on(f"sqlite:///{tmp_path / 'forum.db'}")
    else:
        with postgres_database() as url:
            on(url)
