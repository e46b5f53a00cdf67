"""The Teams app package validates against Microsoft's newest manifest schema."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import jsonschema
import pytest

from bot.features import build_commands
from bot.manifest import APP_MANIFEST, build_manifest, write_package
from bot.settings import Settings
from bot.testing import FakeConnector
from forum_ops.db import Database
from tests.conftest import APP_ID, SHARED, make_settings

SCHEMAS = SHARED / "schemas" / "teams-manifest"


def newest_schema() -> dict:
    newest = max(
        SCHEMAS.glob("MicrosoftTeams.schema.v*.json"),
        key=lambda p: tuple(int(n) for n in p.stem.split(".v")[1].split(".")),
    )
    return json.loads(newest.read_text(encoding="utf-8"))


def png_size(data: bytes) -> tuple[int, int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, _depth, colour_type = struct.unpack(">IIBB", data[16:26])
    return width, height, colour_type


async def test_the_package_validates_and_carries_real_icons(
    tmp_path: Path, database: Database, connector: FakeConnector
) -> None:
    settings = make_settings(
        database,
        connector,
        microsoft_app_id=APP_ID,
        forum_public_url="https://forum-bot.example.org",
    )

    out = write_package(settings, tmp_path / "appPackage.zip")

    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        color, outline = png_size(package.read("color.png")), png_size(package.read("outline.png"))
    schema = newest_schema()
    errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(manifest))
    assert not errors, [e.message for e in errors]
    assert manifest["manifestVersion"] == schema["properties"]["manifestVersion"]["const"]
    assert manifest["bots"][0]["botId"] == APP_ID
    assert manifest["validDomains"] == ["forum-bot.example.org"]
    assert {c["title"] for c in manifest["bots"][0]["commandLists"][0]["commands"]} >= {
        "help",
        "ask",
    }
    assert color[:2] == (192, 192)
    assert outline[:2] == (32, 32)
    assert outline[2] == 6  # RGBA: the outline icon has a transparent background


def test_the_template_leaves_nothing_unfilled_by_the_packager() -> None:
    template = json.loads((APP_MANIFEST / "manifest.json").read_text(encoding="utf-8"))
    placeholders = [k for k, v in template.items() if v == "set-by-forumbot-app-package"]
    assert sorted(placeholders) == ["id", "validDomains"]


def package_settings(database: Database, connector: FakeConnector, **more: object) -> Settings:
    named = make_settings(database, connector, microsoft_app_id=APP_ID, **more)
    if "forum_public_url" in more:
        return named
    unset = named.model_dump(exclude={"forum_public_url"})  # as when the variable is not set
    return Settings(_env_file=None, **unset)  # type: ignore[call-arg]


async def test_each_scope_suggests_what_people_do_there_at_most_10_and_none_of_one_role(
    tmp_path: Path, database: Database, connector: FakeConnector
) -> None:
    settings = package_settings(database, connector, forum_public_url="https://bot.example.org")
    manifest = build_manifest(settings)

    lists = {tuple(c["scopes"]): [x["title"] for x in c["commands"]] for c in
             manifest["bots"][0]["commandLists"]}  # fmt: skip
    assert set(lists) == {("personal",), ("team",), ("groupChat",)}
    table = build_commands()
    for names in lists.values():
        assert 1 <= len(names) <= 10
        assert all((c := table.get(n)) is not None and not c.roles for n in names)
    assert "ask" in lists[("personal",)]
    assert "returns" in lists[("personal",)]
    assert "propose" in lists[("team",)]
    assert "propose" in lists[("groupChat",)]
    assert len({n for names in lists.values() for n in names}) > 10  # not the same 10 everywhere
    schema = newest_schema()
    errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(manifest))
    assert not errors, [e.message for e in errors]


@pytest.mark.parametrize("url", [None, "http://127.0.0.1:3978", "http://bot.example.org"])
async def test_no_package_without_a_public_https_address(
    tmp_path: Path, database: Database, connector: FakeConnector, url: str | None
) -> None:
    more = {} if url is None else {"forum_public_url": url}
    settings = package_settings(database, connector, **more)

    with pytest.raises(ValueError, match="set FORUM_PUBLIC_URL to the bot's public https address"):
        write_package(settings, tmp_path / "appPackage.zip")
    assert not (tmp_path / "appPackage.zip").exists()
