"""Charts kept once by their content, on SQLite and PostgreSQL (forum_ops/charts.py)."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from forum_ops.charts import KEEP_CHARTS_FOR, find_chart, forget_expired_charts, keep_chart
from forum_ops.db import Database
from forum_ops.db.schema import ChartRow
from tests.conftest import NOW

PNG = b"\x89PNG\r\n\x1a\n" + b"chart" * 1000
OTHER = b"\x89PNG\r\n\x1a\n" + b"other" * 1000


def rows(db: Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(ChartRow)) or 0)


def keep(db: Database, png: bytes, at: timedelta = timedelta()) -> str:
    with db.transaction() as session:
        return keep_chart(session, png, NOW + at)


def test_the_same_picture_is_kept_once_under_one_unguessable_token(
    any_database: Database,
) -> None:
    first = keep(any_database, PNG)
    again = [keep(any_database, PNG, timedelta(minutes=n)) for n in range(1, 20)]
    other = keep(any_database, OTHER)

    assert set(again) == {first}
    assert other != first
    assert rows(any_database) == 2
    assert len(first) == 32  # secrets.token_urlsafe(24): nothing in it comes from the picture
    with any_database.transaction() as session:
        assert find_chart(session, first, NOW) == PNG
        assert find_chart(session, other, NOW) == OTHER


def test_keeping_a_picture_again_keeps_it_for_longer(any_database: Database) -> None:
    token = keep(any_database, PNG)
    keep(any_database, PNG, timedelta(days=20))  # asked again 20 days on: a new card shows it

    with any_database.transaction() as session:
        assert forget_expired_charts(session, NOW + KEEP_CHARTS_FOR + timedelta(days=1)) == 0
        assert find_chart(session, token, NOW + KEEP_CHARTS_FOR + timedelta(days=1)) == PNG
        assert forget_expired_charts(session, NOW + KEEP_CHARTS_FOR + timedelta(days=21)) == 1
    assert rows(any_database) == 0
    assert keep(any_database, PNG, timedelta(days=60)) != token  # gone: a new token


def test_replicas_keeping_one_picture_at_once_share_one_row(any_database: Database) -> None:
    tokens: list[str] = []
    start = threading.Barrier(6)

    def replica() -> None:
        start.wait()
        tokens.append(keep(any_database, PNG))

    threads = [threading.Thread(target=replica) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(tokens) == 6
    assert len(set(tokens)) == 1
    assert rows(any_database) == 1
