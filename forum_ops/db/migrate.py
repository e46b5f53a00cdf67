"""Create or migrate the database with Alembic (forum_ops/install.py also brings the reference
organisations up to date)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from forum_ops.db.engine import Database

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(db: Database) -> None:
    with db.engine.begin() as connection:
        config = alembic_config(db.engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
