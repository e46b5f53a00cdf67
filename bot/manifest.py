"""The Teams app package: appmanifest/manifest.json filled in from settings, zipped with its icons.

The manifest's ids, domains and command list are set here structurally (never by text
replacement); the command list comes from the bot's own command table, so Teams suggests exactly
what the bot answers.
"""

from __future__ import annotations

import json
import uuid
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.commands import build_commands
from bot.settings import Settings

APP_MANIFEST = Path(__file__).resolve().parents[1] / "appmanifest"
APP_NAMESPACE = uuid.UUID("5b3f0d55-4e0c-4a7e-9a51-2f1f7d9c0a11")
MAX_COMMANDS = 10  # Teams shows at most 10 suggestions per scope


def build_manifest(settings: Settings, source: Path = APP_MANIFEST) -> dict[str, Any]:
    if not settings.microsoft_app_id:
        raise ValueError("set MICROSOFT_APP_ID (the Azure Bot's app id) to build the app package")
    manifest: dict[str, Any] = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    domain = urlsplit(settings.forum_public_url).hostname or ""
    manifest["id"] = str(uuid.uuid5(APP_NAMESPACE, settings.microsoft_app_id))
    manifest["validDomains"] = [domain] if domain else []
    commands = [{"title": c.name, "description": c.summary} for c in build_commands().listed()][
        :MAX_COMMANDS
    ]
    bot = manifest["bots"][0]
    bot["botId"] = settings.microsoft_app_id
    for extension in manifest.get("composeExtensions", []):
        extension["botId"] = settings.microsoft_app_id
    bot["commandLists"] = [
        {"scopes": scopes, "commands": commands} for scopes in (["team", "groupChat"], ["personal"])
    ]
    return manifest


def write_package(settings: Settings, out: Path, source: Path = APP_MANIFEST) -> Path:
    manifest = build_manifest(settings, source)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for icon in (manifest["icons"]["color"], manifest["icons"]["outline"]):
            package.write(source / icon, icon)
    return out
