"""The Teams app package validates against Microsoft's newest manifest schema."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import jsonschema

from bot.manifest import APP_MANIFEST, write_package
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
        "whoami",
    }
    assert color[:2] == (192, 192)
    assert outline[:2] == (32, 32)
    assert outline[2] == 6  # RGBA: the outline icon has a transparent background


def test_the_template_leaves_nothing_unfilled_by_the_packager() -> None:
    template = json.loads((APP_MANIFEST / "manifest.json").read_text(encoding="utf-8"))
    placeholders = [k for k, v in template.items() if v == "set-by-forumbot-app-package"]
    assert sorted(placeholders) == ["id", "validDomains"]
