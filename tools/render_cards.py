"""Every card the bot sends, drawn as Teams draws it: one PNG per card, and its height.

    python tools/render_cards.py [--out build/cards] [--width 500] [--raw-text] [--theme dark]
                                 [--only benchmark]

Runs on demand (not in CI). It sets up what `make run` does (a fresh SQLite database, the demo
data, and the DfE EHC plan files from shared/data/dfe when present), starts the real app
(`forumbot serve`) against the shipped fake Bot Connector (bot/testing.py), and says each command
to it as a demo borough member and as the demo secretariat, in a 1:1 chat and in a channel, and
presses buttons on the cards it sends (a reply to an ask as its receiver, a ToR vote). The cards
the fake connector receives, and the cards invokes answer with, are drawn by tools/card_renderer/render.js: the Adaptive Cards
JavaScript renderer with Teams' light host config, 500 px wide, in headless Chromium (Debian's
`chromium`). Charts are fetched from the app and inlined as data: URIs for the drawing only.

Needs `npm ci` in tools/card_renderer (the script runs it when node_modules is missing) and
`apt-get install -y chromium`. `--raw-text` draws text without markdown, as Teams mobile shows it.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.testing import FakeConnector, free_port, load_activity, wait_healthy  # noqa: E402
from cards.views.common import LONDON  # noqa: E402
from forum_ops.demo import DEMO_SECRETARIAT_ID, demo_id  # noqa: E402

RENDERER = ROOT / "tools" / "card_renderer"
SHARED = Path(os.environ.get("FORUM_SHARED_DIR", ROOT.parent / "shared"))
DFE = SHARED / "data" / "dfe"
ACTIVITIES = SHARED / "data" / "teams-activities"
MEMBER = demo_id("202", 1)  # a Camden commissioner
BOT_ID = "28:render-bot"
RECEIVER = "the member a card with the action was sent to"  # Say.who for a card action


@dataclass(frozen=True)
class Say:
    """One thing said to the bot: `name` names the PNGs of the cards it brings back."""

    name: str
    text: str
    who: str = MEMBER
    where: str = "personal"  # or "channel" (the bot @mentioned)
    data: dict[str, Any] | None = None  # a button's Action.Submit: more data, over `action`'s
    verb: str = ""  # a button's Action.Execute (an invoke): the card comes back in the answer

    @property
    def action(self) -> str:
        """The verb of the button pressed: its data is the last sent card's with that verb."""
        return self.verb or str((self.data or {}).get("verb", ""))


SCRIPT = (
    Say("help-member", "help"),
    Say("help-secretariat", "help", DEMO_SECRETARIAT_ID),
    Say("whoami", "whoami"),
    Say("suppliers-asd-secondary", "suppliers ASD secondary"),
    Say("suppliers-semh-south-east-spaces", "suppliers SEMH secondary South East spaces"),
    Say("suppliers-by-name", "suppliers Juniperfield High School"),
    Say("benchmark", "benchmark"),
    Say("benchmark-semh-day", "benchmark SEMH day"),
    Say("benchmark-semh-secondary", "benchmark SEMH secondary"),
    Say("benchmark-channel", "benchmark", where="channel"),
    Say("benchmark-provider", "benchmark provider {provider}"),
    Say("top10", "top10"),
    Say("top10-secretariat", "top10 Croydon", DEMO_SECRETARIAT_ID),
    Say("senddata", "senddata"),
    Say("senddata-croydon", "senddata Croydon"),
    Say("senddata-secretariat", "senddata", DEMO_SECRETARIAT_ID),
    Say("returns", "returns"),
    Say("outbox", "outbox", DEMO_SECRETARIAT_ID),
    Say(
        "announce",
        "announce The forum meets on Thursday at 10:00. Agenda: S75 & transport.",
        DEMO_SECRETARIAT_ID,
    ),
    # the forum's features: the round robin (the ask as its receiver sees it, a reply, the lists)
    Say(
        "ask",
        "ask #transport Has anyone a framework for post-16 travel assistance they would share?",
    ),
    Say(
        "ask-reply",
        "",
        RECEIVER,
        data={
            "verb": "ask.reply",
            "text": "Yes: ours runs to 2027, with a bus and taxi lot. Happy to share the spec.",
            "link": "https://camden.example/travel-framework",
        },
    ),
    Say("asks", "asks all"),
    Say("asks-thread", "", data={"verb": "command.run", "command": "asks", "args": "1"}),
    Say("asks-thread-channel", "asks 1", where="channel"),
    Say("asks-report", "asks report", DEMO_SECRETARIAT_ID),
    Say("meetings", "meetings"),
    Say("agenda-next", "agenda next"),
    Say("chair-offer", "chair {meeting}"),
    Say("chair-confirm", "chair {meeting} confirm", DEMO_SECRETARIAT_ID),
    Say("help-chair", "help"),
    Say("takeaway-latest", "takeaway latest"),
    Say("tor", "tor"),
    Say("tor-open", "tor open 1 {deadline}", DEMO_SECRETARIAT_ID),
    Say("tor-vote", "", RECEIVER, verb="tor.vote"),
    Say("tor-read", "", RECEIVER, verb="tor.read"),
    Say("directory-transport", "directory transport"),
    Say("directory-suggest", "directory suggest"),
    Say("recommendations", "recommendations"),
    Say("recommendations-3", "recommendations 3"),
    Say("report-quarterly", "report quarterly", DEMO_SECRETARIAT_ID),
    Say("error-not-understood", "benchmrk SEMH"),
    Say("error-unknown-borough", "senddata Narnia"),
    Say("error-secretariat-only", "outbox"),
    Say("error-unknown-provider", "benchmark provider Nowhere Such School"),
)


def setup(env: dict[str, str]) -> None:
    """What `make run` does before serving: migrate, demo data, the DfE files if present."""
    forumbot = [sys.executable, "-m", "bot.cli"]
    steps = [["db", "upgrade"], ["demo", "load"]]
    placement = DFE / "ehcp_caseload_by_placement_2025.csv"
    if placement.exists():
        steps.append(
            ["sen2", "import", str(placement), str(DFE / "ehcp_primary_need_by_placement_2025.csv")]
        )
    for step in steps:
        subprocess.run(  # noqa: S603 - our own command line
            [*forumbot, *step], env=env, cwd=ROOT, check=True, capture_output=True
        )


def a_provider(database: str) -> str:
    """The name of a provider in the demo returns (the one with most placements)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database)
    with engine.connect() as connection:
        name = connection.execute(
            text(
                "SELECT provider_name FROM placements GROUP BY provider_name "
                "ORDER BY count(*) DESC LIMIT 1"
            )
        ).scalar_one()
    engine.dispose()
    return str(name)


def next_meeting(database: str) -> str:
    """The day of the next planned meeting, as `chair <date>` takes it (for the chair's help)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database)
    with engine.connect() as connection:
        day = connection.execute(
            text("SELECT min(day) FROM meetings WHERE status = 'planned' AND day > :today"),
            {"today": datetime.now(LONDON).date().isoformat()},
        ).scalar_one()
    engine.dispose()
    return date.fromisoformat(str(day)).strftime("%d/%m/%Y")


def invoke(say: Say, data: dict[str, Any], service_url: str) -> dict[str, Any]:
    """An Action.Execute press, as Teams sends it (`adaptiveCard/action`)."""
    return load_activity(
        ACTIVITIES / "invoke_adaptiveCard_action.json",
        serviceUrl=service_url,
        id=uuid.uuid4().hex,
        value={"action": {"type": "Action.Execute", "verb": say.verb, "data": data}},
        **{
            "from.aadObjectId": say.who,
            "recipient.id": BOT_ID,
            "conversation.id": f"a:1to1-{say.who}",
            "conversation.conversationType": "personal",
        },
    )


def activity(say: Say, service_url: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    if say.verb:
        return invoke(say, data or {}, service_url)
    if say.where == "channel":
        return load_activity(
            ACTIVITIES / "message_channel_mention.json",
            serviceUrl=service_url,
            text=f"<at>SEND Forum</at> {say.text}",
            id=uuid.uuid4().hex,
            **{
                "from.aadObjectId": say.who,
                "recipient.id": BOT_ID,
                "entities": [
                    {
                        "type": "mention",
                        "text": "<at>SEND Forum</at>",
                        "mentioned": {"id": BOT_ID, "name": "SEND Forum"},
                    }
                ],
                "attachments": [],
            },
        )
    return {
        "type": "message",
        "id": uuid.uuid4().hex,
        "channelId": "msteams",
        "serviceUrl": service_url,
        "text": say.text,
        **({"value": data} if data is not None else {}),
        "from": {"id": f"29:{say.who}", "aadObjectId": say.who, "name": "Demo"},
        "recipient": {"id": BOT_ID, "name": "SEND Forum"},
        "conversation": {"id": f"a:1to1-{say.who}", "conversationType": "personal"},
        "channelData": {"tenant": {"id": "render-tenant"}},
    }


def images(element: Any) -> Iterator[dict[str, Any]]:
    if isinstance(element, dict):
        if element.get("type") == "Image":
            yield element
        for value in element.values():
            yield from images(value)
    elif isinstance(element, list):
        for value in element:
            yield from images(value)


async def inline_images(http: aiohttp.ClientSession, card: dict[str, Any]) -> None:
    for image in images(card):
        url = str(image.get("url", ""))
        if url.startswith("http"):
            async with http.get(url) as response:
                body = await response.read()
            image["url"] = "data:image/png;base64," + base64.b64encode(body).decode()


async def settle(connector: FakeConnector, within: float = 15.0) -> None:
    """Until the outbox has stopped sending (private copies, announcements) for 1.5 seconds."""
    seen, quiet = -1, 0
    for _ in range(int(within / 0.1)):
        now = len(connector.calls)
        quiet = quiet + 1 if now == seen else 0
        if quiet >= 15:
            return
        seen = now
        await asyncio.sleep(0.1)


def buttons(card: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The data of every button on a card (actions, ActionSets, inline actions)."""
    if isinstance(card, dict):
        if str(card.get("type", "")).startswith("Action.") and isinstance(card.get("data"), dict):
            yield card["data"]
        for value in card.values():
            yield from buttons(value)
    elif isinstance(card, list):
        for value in card:
            yield from buttons(value)


def member_of(conversation_id: str) -> str:
    """The member a 1:1 chat opened by the bot is with (the fake connector names it after them)."""
    return conversation_id.removeprefix("a:1to1-").removeprefix("29:")


async def press(
    http: aiohttp.ClientSession,
    base: str,
    connector: FakeConnector,
    say: Say,
    pressed: dict[str, tuple[str, dict[str, Any]]],
) -> tuple[str, tuple[int, Any]]:
    """Says `say`, or presses its button on the last card that had one: who did, and the answer
    (an invoke's holds the card Teams shows the presser)."""
    data, who = None, say.who
    if say.action:
        if say.action not in pressed:
            return who, (0, None)
        conversation, seen = pressed[say.action]
        data = {**seen, **(say.data or {})}
        who = member_of(conversation) if say.who == RECEIVER else say.who
    body = activity(
        Say(say.name, say.text, who, say.where, say.data, say.verb), connector.service_url, data
    )
    async with http.post(base + "/api/messages", json=body) as response:
        answer = await response.json() if response.content_type == "application/json" else None
        return who, (response.status, answer)


async def collect(
    base: str, connector: FakeConnector, database: str, only: str
) -> list[dict[str, Any]]:
    deadline = (datetime.now(LONDON).date() + timedelta(days=14)).strftime("%d/%m/%Y")
    fill = {"provider": a_provider(database), "deadline": deadline}
    fill["meeting"] = next_meeting(database)
    cards: list[dict[str, Any]] = []
    pressed: dict[str, tuple[str, dict[str, Any]]] = {}  # verb -> (chat, data) of the last button
    async with aiohttp.ClientSession() as http:
        await wait_healthy(base, within=180)  # a busy 2-core machine starts slowly
        welcome = load_activity(
            ACTIVITIES / "conversationUpdate_membersAdded_team.json",
            serviceUrl=connector.service_url,
            **{"membersAdded": [{"id": BOT_ID}], "recipient.id": BOT_ID},
        )
        for say in (Say("welcome", ""), *SCRIPT):
            if only and not re.search(only, say.name):  # what is not drawn need not be said
                continue
            before = len(connector.calls)
            say = Say(say.name, say.text.format(**fill), say.who, say.where, say.data, say.verb)
            if say.name == "welcome":
                async with http.post(base + "/api/messages", json=welcome) as response:
                    who, status, body = say.who, response.status, None
            else:
                who, (status, body) = await press(http, base, connector, say, pressed)
            await settle(connector)
            sent = [
                (call.conversation_id, card)
                for call in connector.calls[before:]
                if call.method in ("POST", "PUT")
                for card in call.cards
            ]
            if isinstance(body, dict) and isinstance(body.get("value"), dict):
                sent.append((f"a:1to1-{who}", body["value"]))  # an invoke's card
            seen: set[str] = set()
            for conversation, card in sent:
                for data in buttons(card):
                    if isinstance(data.get("verb"), str):
                        pressed[data["verb"]] = (conversation, data)
                digest = hashlib.sha256(json.dumps(card, sort_keys=True).encode()).hexdigest()
                if digest in seen:  # an announcement goes to many chats: draw it once
                    continue
                seen.add(digest)
                await inline_images(http, card)
                where = ""
                if conversation.startswith("a:1to1") and say.where == "channel":
                    where = "private"  # the copy of a channel answer sent to the asker alone
                elif conversation.startswith("a:1to1") and member_of(conversation) != who:
                    where = "sent"  # to another member: what they see (each sees the same kind)
                    if any(c["name"].startswith(f"{say.name}-sent") for c in cards):
                        continue
                name = "-".join(p for p in (say.name, where, str(len(seen))) if p)
                cards.append({"name": name, "card": card})
            if not seen:
                print(f"{say.name}: no card (HTTP {status})", file=sys.stderr)
    return cards


async def talk(base: str, database: str, only: str) -> list[dict[str, Any]]:
    async with FakeConnector() as connector:
        return await collect(base, connector, database, only)


def bot_cards(kept: Path | None, only: str = "") -> list[dict[str, Any]]:
    """The cards the bot sends for SCRIPT; `kept` is a database file to set up once and reuse
    (the set-up takes a minute on a busy machine), or None for a fresh one each time. A kept
    database remembers earlier runs' chats, whose fake connector is gone: private copies sent
    there fail, and `outbox` lists them. Draw the final PNGs from a fresh database."""
    with tempfile.TemporaryDirectory() as tmp:
        path = kept.resolve() if kept else Path(tmp) / "render.db"
        database = f"sqlite:///{path}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_", "FORUM_"))}
        env.update(FORUM_DATABASE_URL=database, FORUM_LOG_LEVEL="WARNING")
        env.update(FORUM_OUTBOX_POLL_SECONDS="0.2")  # private copies and announcements go soon
        if not path.exists():
            setup(env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env.update(FORUM_PUBLIC_URL=base, FORUM_CALENDAR_DIR=f"{tmp}/invitations")
        serve = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port"]
        process = subprocess.Popen(  # noqa: S603 - our own command line
            [*serve, str(port)],
            env=env,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            return asyncio.run(talk(base, database, only))
        finally:
            process.terminate()
            process.wait(20)


def draw(
    cards: list[dict[str, Any]], out: Path, width: int, raw_text: bool, theme: str = "light"
) -> list[dict[str, Any]]:
    if not (RENDERER / "node_modules").exists():
        subprocess.run(["npm", "ci"], cwd=RENDERER, check=True)  # noqa: S607
    out.mkdir(parents=True, exist_ok=True)
    listing = out / "cards.json"
    listing.write_text(json.dumps(cards, ensure_ascii=False, indent=1), encoding="utf-8")
    command = ["node", str(RENDERER / "render.js"), str(listing), str(out), "--width", str(width)]
    command += ["--theme", theme]
    result = subprocess.run(  # noqa: S603
        [*command, *(["--raw-text"] if raw_text else [])],
        check=True,
        capture_output=True,
        text=True,
    )
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "cards")
    parser.add_argument("--width", type=int, default=500)
    parser.add_argument("--raw-text", action="store_true", help="no markdown, as Teams mobile")
    parser.add_argument(
        "--theme", choices=("light", "dark"), default="light", help="Teams' host config"
    )
    parser.add_argument(
        "--only",
        default="",
        help="a regular expression over the names of what is said and of the cards",
    )
    parser.add_argument(
        "--keep-database", type=Path, help="set up this SQLite file once and reuse it next time"
    )
    args = parser.parse_args()
    cards = bot_cards(args.keep_database, args.only)
    if args.only:
        cards = [c for c in cards if re.search(args.only, c["name"])]
    for drawn in draw(cards, args.out, args.width, args.raw_text, args.theme):
        said = [*drawn["warnings"], *drawn["issues"], *drawn["overflows"], *drawn["contrast"]]
        warnings = f"  warnings: {'; '.join(said)}" if said else ""
        print(f"{drawn['name']:<40} {drawn['width']:>4} × {drawn['height']:>5} px{warnings}")
    print(f"PNGs in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
