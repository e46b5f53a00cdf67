"""The Teams app package: appmanifest/manifest.json filled in from settings, zipped with its icons.

The manifest's ids, domains and command lists are set here structurally (never by text
replacement); each scope's command list is bot/features.py's SUGGESTED for it, described from the
bot's own command table, so Teams suggests exactly what the bot answers there.
"""

from __future__ import annotations

import json
import uuid
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.features import SUGGESTED, build_commands
from bot.settings import Settings

APP_MANIFEST = Path(__file__).resolve().parents[1] / "appmanifest"
APP_NAMESPACE = uuid.UUID("5b3f0d55-4e0c-4a7e-9a51-2f1f7d9c0a11")
MAX_COMMANDS = 10  # Teams shows at most 10 suggestions per scope
LOOPBACK = ("127.0.0.1", "localhost", "::1", "0.0.0.0")  # noqa: S104 - names refused, not bound


def public_domain(settings: Settings) -> str:
    """FORUM_PUBLIC_URL's host: the manifest's valid domain, where Teams fetches the charts, the
    return template, takeaways and reports. Refused unless set to a public https address."""
    url = settings.forum_public_url
    parts = urlsplit(url)
    if (
        "forum_public_url" not in settings.model_fields_set
        or parts.scheme != "https"
        or not parts.hostname
        or parts.hostname in LOOPBACK
    ):
        shown = url if "forum_public_url" in settings.model_fields_set else "not set"
        raise ValueError(
            f"set FORUM_PUBLIC_URL to the bot's public https address (for example "
            f"https://send-forum.example.org) before packaging the app: it is the manifest's "
            f"valid domain, and Teams fetches charts and files from it (now: {shown})."
        )
    return parts.hostname


def command_lists() -> list[dict[str, Any]]:
    """One list a scope (personal, team, groupChat), from bot/features.py's SUGGESTED."""
    table = build_commands()
    lists = []
    for scope, names in SUGGESTED.items():
        commands = [table.get(name) for name in names]
        if len(names) > MAX_COMMANDS or any(c is None or c.roles for c in commands):
            raise ValueError(f"SUGGESTED[{scope}] must name at most 10 commands for everyone")
        lists.append(
            {
                "scopes": [scope],
                "commands": [{"title": c.name, "description": c.summary} for c in commands if c],
            }
        )
    return lists


def build_manifest(settings: Settings, source: Path = APP_MANIFEST) -> dict[str, Any]:
    if not settings.microsoft_app_id:
        raise ValueError("set MICROSOFT_APP_ID (the Azure Bot's app id) to build the app package")
    manifest: dict[str, Any] = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    manifest["id"] = str(uuid.uuid5(APP_NAMESPACE, settings.microsoft_app_id))
    manifest["validDomains"] = [public_domain(settings)]
    bot = manifest["bots"][0]
    bot["botId"] = settings.microsoft_app_id
    for extension in manifest.get("composeExtensions", []):
        extension["botId"] = settings.microsoft_app_id
    bot["commandLists"] = command_lists()
    return manifest


def write_package(settings: Settings, out: Path, source: Path = APP_MANIFEST) -> Path:
    manifest = build_manifest(settings, source)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for icon in (manifest["icons"]["color"], manifest["icons"]["outline"]):
            package.write(source / icon, icon)
    return out
